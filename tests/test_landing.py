"""Landing pages: citation_* meta tags and quotes on recorded real pages (../shared/data/http-samples/landing)."""

from __future__ import annotations

from conftest import shared_file
from replay_server import replay

from pipeline.config import Settings
from pipeline.rating.checks import Lookup, check_citation, check_quote
from pipeline.sources.landing import LandingClient, parse_landing
from pipeline.text import find_quote
from pipeline.types import Citation, Claim

PLOS = "sandcrawler_plos_one_article.html"


def page(name: str):
    return parse_landing(shared_file("http-samples", "landing", name).read_bytes(), f"https://example.org/{name}")


def quote_claim(quote: str, url: str) -> tuple[Claim, Citation]:
    cite = Citation(person="A. Author", outlet="PLOS ONE", url=url)
    return Claim(id="q", text="t", quote=quote, kind="quote", cites=(cite,)), cite


def test_highwire_meta_tags():
    p = page(PLOS)
    assert p.doi == "10.1371/journal.pone.0213978" and p.journal == "PLOS ONE"
    assert p.title.startswith("Assessment on reticuloendotheliosis virus") and len(p.authors) > 3
    assert p.title in p.text


def test_not_a_doi_and_no_meta_tags():
    assert page("papis_ProjectEuclid_1391109086.html").doi is None  # citation_doi "ade/1391109086"
    bare = page("commonmeta_app.pan.pl_app011052023.html")
    assert bare.doi is None and bare.text


def test_quote_found_close_and_absent_on_a_real_page():
    p = page(PLOS)
    words = p.text.split()
    passage = " ".join(words[len(words) // 2: len(words) // 2 + 25])  # a passage of the page itself
    claim, cite = quote_claim(passage, p.url)
    found = check_quote(claim, cite, Lookup(page=p), [])
    assert found.status == "found" and p.url in found.links
    altered = words[len(words) // 2: len(words) // 2 + 25]
    altered[3:9] = ["completely", "different", "words", "were", "put", "here"]
    near = check_quote(quote_claim(" ".join(altered), p.url)[0], cite, Lookup(page=p), [])
    assert near.status == "near_miss"
    absent = check_quote(quote_claim("Ketamine therapy is especially important for first responders "
                                     "who have endured extreme trauma.", p.url)[0], cite, Lookup(page=p), [])
    assert absent.status == "not_found" and absent.evidence
    assert find_quote("", p.text).score == 0


def test_bot_wall_page_is_unchecked():
    p = page("papis_TFOnline_00268976.2013.788745.html")
    claim, cite = quote_claim("any words at all", p.url)
    check = check_quote(claim, cite, Lookup(page=p), [])
    assert check.status == "unchecked" and "no readable text" in check.detail


def test_cited_url_landing_page_names_the_work():
    p = page(PLOS)
    found = check_citation(Citation(journal="PLoS One", year=2019, url=p.url), [], Lookup(page=p))
    assert found.status == "found" and "10.1371/journal.pone.0213978" in found.detail
    other_year = check_citation(Citation(journal="PLOS ONE", year=2015, url=p.url), [], Lookup(page=p))
    assert other_year.status == "near_miss"


def test_client_fetches_through_the_cache(memory_cache):
    body = shared_file("http-samples", "landing", PLOS).read_bytes()
    with replay({"/article": (200, "text/html; charset=utf-8", body)}) as (base, seen):
        here = frozenset({base.split("/")[2]})  # the test server's 127.0.0.1:port, opted in
        client = LandingClient(Settings(max_tries=1, timeout=5.0, allow_private_hosts=here), memory_cache)
        first = client.page(base + "article?id=1")
        assert client.page(base + "article?id=1") == first and len(seen) == 1
        assert first.doi == "10.1371/journal.pone.0213978"
