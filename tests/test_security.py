"""Security: XML entity attacks refused, secrets never in any artefact, report text escaped.

- XXE (external entities and external DTDs) and entity-expansion bombs in every XML parser
  input: E-utilities answers, cached documents and corpus files.
- A run made with a sentinel API key and email, against the stand-in with faults that produce
  error messages: the sentinels reach the service (they must) and appear in no cache key, cache
  file, log record, report, message or exception.
- Claim text, article fields and record titles full of HTML are escaped in the HTML report;
  links from claims files must be http(s).
"""

from __future__ import annotations

import io
import logging
import re
import time
from pathlib import Path

import pytest
import yaml

from conftest import shared_file
from pipeline.cache import Cache
from pipeline.claims import parse
from pipeline.cli import main
from pipeline.config import Settings
from pipeline.errors import ClaimsFileInvalid, PipelineError, RefusedUrl, SourceError
from pipeline.http import HttpClient
from pipeline.sources.landing import LandingClient
from pipeline.urlpolicy import MAX_REDIRECTS, address_problem, check_url
from replay_server import replay
from pipeline.sources.importers import iter_records
from pipeline.sources.pubmed import iter_pubmed_xml, parse_esearch, parse_pubmed_xml, split_articles
from standin import Reply, StandIn, small_claims

KEY = "SENTINEL0KEY0a1b2c3d4e5f"
EMAIL = "sentinel.editor+x@example.org"


@pytest.fixture(scope="module")
def server():
    shared_file("eutils-samples", "entrez", "esearch1.xml")
    with StandIn(hits=(1, 2)) as standin:
        yield standin


# --- XML: external entities and entity bombs -----------------------------------------------------------


def article_with(doctype: bytes, title: bytes) -> bytes:
    return (b'<?xml version="1.0"?>\n' + doctype + b"\n<PubmedArticleSet><PubmedArticle><MedlineCitation>"
            b"<PMID>1</PMID><Article><ArticleTitle>" + title + b"</ArticleTitle></Article></MedlineCitation>"
            b"</PubmedArticle></PubmedArticleSet>")


def parsers(data: bytes, tmp_path: Path):
    """Every way PubMed XML gets parsed: answers, cached documents, corpus files."""
    corpus = tmp_path / "corpus.xml"
    corpus.write_bytes(data)
    return {
        "parse_pubmed_xml": lambda: parse_pubmed_xml(data),
        "iter_pubmed_xml": lambda: list(iter_pubmed_xml(io.BytesIO(data))),
        "split_articles": lambda: split_articles(data),
        "corpus importer": lambda: list(iter_records(corpus)),
    }


def outcome(call):
    try:
        return call()
    except PipelineError as exc:
        return exc


def test_external_entities_are_never_read(tmp_path, server):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    before = len(server.requests())
    doctypes = [
        f'<!DOCTYPE PubmedArticleSet [<!ENTITY xxe SYSTEM "file://{secret}">]>'.encode(),
        f'<!DOCTYPE PubmedArticleSet [<!ENTITY xxe SYSTEM "{server.base}evil-entity">]>'.encode(),
        f'<!DOCTYPE PubmedArticleSet SYSTEM "{server.base}evil.dtd">'.encode(),  # external DTD
        f'<!DOCTYPE PubmedArticleSet [<!ENTITY % p SYSTEM "{server.base}evil-param"> %p;]>'.encode(),
    ]
    for doctype in doctypes:
        data = article_with(doctype, b"Title &xxe; end")
        for name, call in parsers(data, tmp_path).items():
            result = outcome(call)
            assert "TOP-SECRET" not in repr(result), name
    esearch = (b'<?xml version="1.0"?>\n' + doctypes[0] + b"<eSearchResult><Count>1</Count><IdList><Id>&xxe;</Id>"
               b"</IdList></eSearchResult>")
    assert "TOP-SECRET" not in repr(outcome(lambda: parse_esearch(esearch)))
    assert server.requests()[before:] == []  # no parser fetched anything over the network


def test_entity_expansion_bombs_are_refused_quickly(tmp_path):
    laughs = b"".join(
        f'<!ENTITY lol{n} "{("&lol%d;" % (n - 1)) * 10}">'.encode() for n in range(1, 10)
    )
    billion = article_with(b'<!DOCTYPE PubmedArticleSet [<!ENTITY lol0 "lol">' + laughs + b"]>", b"&lol9;")
    quadratic = article_with(b'<!DOCTYPE PubmedArticleSet [<!ENTITY a "' + b"x" * 50_000 + b'">]>', b"&a;" * 50_000)
    for bomb in (billion, quadratic):
        for name, call in parsers(bomb, tmp_path).items():
            started = time.monotonic()
            result = outcome(call)
            assert time.monotonic() - started < 2.0, name
            titles = [r.title for r in result] if isinstance(result, list) and result and hasattr(result[0], "title") else []
            assert all(len(t) < 1000 for t in titles), name  # never expanded
            assert len(repr(result)) < 2_000_000, name


def test_yaml_alias_bombs_in_claims_files_are_refused():
    bomb = "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nclaims: [*b]\n"
    with pytest.raises(ClaimsFileInvalid, match="alias"):
        parse(bomb, "bomb.yaml")


# --- secrets: a run with a sentinel key and email --------------------------------------------------------


def test_sentinel_key_and_email_appear_in_no_artefact(server, tmp_path, monkeypatch, capsys, caplog):
    claims = small_claims(tmp_path / "claims.yaml")
    for name, value in {**server.run_env(api_key=KEY, email=EMAIL), "FACTCHECK_TIMEOUT": "0.5"}.items():
        monkeypatch.setenv(name, value)
    cache = tmp_path / "cache.sqlite"
    before = len(server.requests())
    # faults whose messages reach logs and reports: an HTML page, a reset, and one claim that fails
    server.plan("500", route="esearch", term="Emergency Responders", times=None)  # planned first: it wins
    server.plan("html", "ok", "reset", "ok", route="esearch")
    caplog.set_level(logging.DEBUG)
    try:
        code = main(["run", str(claims), "--out", str(tmp_path / "reports"), "--cache", str(cache)])
    finally:
        server.clear()
    assert code == 3  # one claim not checked: its reason is in the partial report
    sent = [s for s in server.requests()[before:] if s.route in ("esearch", "efetch")]
    assert sent and all(s.params.get("api_key") == KEY and s.params.get("email") == EMAIL for s in sent)  # they were sent

    # errors with the URL in them: a server that is not there, and a Crossref-style client
    monkeypatch.setenv("FACTCHECK_EUTILS_URL", "http://127.0.0.1:9/entrez/eutils/")
    code_down = main(["run", str(claims), "--out", str(tmp_path / "down"), "--cache", str(tmp_path / "down.sqlite"),
                     "--verbose"])  # the full failure, URL and all, is printed only with --verbose
    assert code_down == 3
    settings = Settings(email=EMAIL, api_key=KEY, cache_path=cache, max_tries=1, backoff_base=0.0, timeout=0.5)
    with Cache(cache) as store:
        client = HttpClient(settings, store, "crossref", 50.0, identity={"mailto": EMAIL, "api_key": KEY})
        client.get(server.crossref + "works/10.1/x", {"query": "q"}, what="lookup")
        with pytest.raises(SourceError) as info:
            HttpClient(settings, store, "crossref", 50.0, identity={"mailto": EMAIL}).get(
                "http://127.0.0.1:9/works", {"q": "x"}, what="lookup")
    exception_text = f"{info.value!r} {info.value} {info.value.hint}"

    out = capsys.readouterr()
    artefacts = {
        "stdout+stderr": (out.out + out.err).encode(),
        "log records": "\n".join(r.getMessage() for r in caplog.records).encode(),
        "exception": exception_text.encode(),
    }
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.name != "claims.yaml":
            artefacts[str(path.relative_to(tmp_path))] = path.read_bytes()
    assert any(name.startswith("reports/") for name in artefacts) and "cache.sqlite" in artefacts
    encoded = [KEY, EMAIL, EMAIL.replace("@", "%40"), EMAIL.replace("@", "%40").replace("+", "%2B")]
    for name, data in artefacts.items():
        for secret in encoded:
            assert secret.encode() not in data, f"{secret} in {name}"
    assert b"api_key=***" in artefacts["stdout+stderr"]  # the URL was in a message, its secrets redacted


# --- XSS: report text is escaped ----------------------------------------------------------------------------

SCRIPT = '<script>alert("xss")</script>'
IMG = "<img src=x onerror=alert(1)>"


def test_html_in_claims_and_records_is_escaped_in_the_report(server, tmp_path, monkeypatch):
    data = yaml.safe_load(small_claims(tmp_path / "base.yaml").read_text())
    data["article"]["title"] = f"Title {SCRIPT}"
    data["article"]["outlet"] = IMG
    first = data["claims"][0]
    first["claim"] = f"{first['claim']} {SCRIPT}"
    first["notes"] = IMG
    first["queries"] = [f"ketamine {SCRIPT}"]
    data["claims"] = [first]
    claims = tmp_path / "claims.yaml"
    claims.write_text(yaml.safe_dump(data, sort_keys=False))
    # the record PubMed returns carries HTML in its title and abstract (escaped in the XML)
    evil = server.store.article_set(server.store.pick("xss", 1)).replace(
        b"<ArticleTitle>", b"<ArticleTitle>&lt;script&gt;alert('rec')&lt;/script&gt; &lt;img src=x onerror=alert(2)&gt;", 1)
    pmid = server.store.pick("xss", 1)[0]
    server.plan(Reply(200, f'<?xml version="1.0"?><eSearchResult><Count>1</Count><RetMax>1</RetMax><RetStart>0</RetStart>'
                           f'<IdList><Id>{pmid}</Id></IdList><QueryTranslation>x</QueryTranslation></eSearchResult>'.encode()),
                route="esearch", times=None)
    server.plan(Reply(200, evil), route="efetch")
    for name, value in server.run_env(api_key=KEY).items():
        monkeypatch.setenv(name, value)
    try:
        code = main(["run", str(claims), "--out", str(tmp_path / "out"), "--cache", str(tmp_path / "c.sqlite")])
    finally:
        server.clear()
    assert code == 0
    (html_path,) = [p for p in (tmp_path / "out").glob("*.html") if p.name != "index.html"]
    html = html_path.read_text()
    assert "&lt;script&gt;alert(&#34;xss&#34;)" in html or "&lt;script&gt;alert(&quot;xss&quot;)" in html
    assert re.search(r"&lt;script&gt;alert\((&#39;|&#x27;|')rec", html)  # the record's title, escaped
    for raw in ("<script>alert", "<img src=x", "onerror=alert"):
        assert raw not in html.replace("&lt;img src=x onerror=alert", ""), raw


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", " JaVaScRiPt:x"])
def test_links_in_claims_files_must_be_http(url):
    claim = {"id": "a", "quote": "Q.", "claim": "C.", "kind": "efficacy", "intervention": ["x"], "outcome": ["y"],
             "cites": [{"journal": "J", "url": url}]}
    for document in ({"article": {"title": "T", "url": url}, "claims": [{**claim, "cites": []}]},
                     {"article": {"title": "T"}, "claims": [claim]}):
        with pytest.raises(ClaimsFileInvalid, match="http"):
            parse(yaml.safe_dump(document), "links.yaml")


# --- server-side request forgery: URLs from claims files and articles -----------------------------------

SECRET_PAGE = (200, "text/html", b'<html><head><meta name="citation_title" content="INTERNAL-SECRET-TOKEN">'
                                 b"<title>Internal</title></head><body><p>INTERNAL-SECRET-TOKEN</p></body></html>")


def host_of(base: str) -> str:
    return base.split("/")[2]  # "127.0.0.1:PORT"


def cited_claims(path: Path, url: str) -> Path:
    data = yaml.safe_load(small_claims(path).read_text())
    first = data["claims"][0]
    first["cites"] = [{"journal": "Internal Journal", "year": 2020, "url": url}]
    data["claims"] = [first]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.mark.parametrize("opt_in", [False, True])
def test_a_cited_loopback_page_is_never_fetched_into_the_report(server, tmp_path, monkeypatch, capsys, opt_in):
    with replay({"/": SECRET_PAGE}) as (base, seen):
        claims = cited_claims(tmp_path / "claims.yaml", base + "internal")
        for name, value in server.run_env().items():
            monkeypatch.setenv(name, value)
        if opt_in:  # the control: the same run with the test server opted in does fetch it
            monkeypatch.setenv("FACTCHECK_ALLOW_PRIVATE_HOSTS", host_of(base))
        code = main(["run", str(claims), "--out", str(tmp_path / "out"), "--cache", str(tmp_path / "c.sqlite")])
        fetched = list(seen)
    err = capsys.readouterr().err
    assert code == 0 and "Traceback" not in err
    report = next((tmp_path / "out").glob("*.json")).read_text()
    if opt_in:
        assert fetched == ["/internal"]  # the page is read when (and only when) its host is opted in
    else:
        assert fetched == [] and "INTERNAL-SECRET-TOKEN" not in report
        assert "loopback" in report  # the editor sees why the page was not read


def test_a_redirect_to_a_refused_host_is_not_followed(memory_cache):
    with replay({"/": SECRET_PAGE}) as (inner, inner_seen):
        hops = {
            "/to-loopback": (302, "text/plain", b"", {"Location": inner + "secret"}),
            "/to-metadata": (301, "text/plain", b"", {"Location": "http://169.254.169.254/latest/meta-data/iam/"}),
            "/to-file": (302, "text/plain", b"", {"Location": "file:///etc/passwd"}),
        }
        with replay(hops) as (outer, outer_seen):
            settings = Settings(max_tries=1, timeout=5.0, allow_private_hosts=frozenset({host_of(outer)}))
            client = LandingClient(settings, memory_cache)
            for path, words in (("to-loopback", "loopback"), ("to-metadata", "link-local"), ("to-file", "http")):
                started = time.monotonic()
                with pytest.raises(RefusedUrl, match=words):
                    client.page(outer + path)
                assert time.monotonic() - started < 2  # refused before any connection is tried
            assert inner_seen == [] and len(outer_seen) == 3


@pytest.mark.parametrize("redirects", [5, 6])
def test_at_most_five_redirects_are_followed(memory_cache, redirects):
    page = (200, "text/html", b"<html><head><title>End</title></head><body><p>the end</p></body></html>")
    routes = {f"/r{n}": (302, "text/plain", b"", {"Location": f"/r{n + 1}"}) for n in range(redirects)}
    with replay({**routes, f"/r{redirects}": page}) as (base, seen):
        client = LandingClient(Settings(max_tries=1, timeout=5.0, allow_private_hosts=frozenset({host_of(base)})),
                               memory_cache)
        if redirects <= MAX_REDIRECTS:
            assert client.page(base + "r0").title == "End" and len(seen) == redirects + 1
        else:
            with pytest.raises(RefusedUrl, match="redirects"):
                client.page(base + "r0")
            assert len(seen) == MAX_REDIRECTS + 1


def test_draft_of_a_refused_url_exits_2_and_fetches_nothing(tmp_path, capsys):
    with replay({"/": SECRET_PAGE}) as (base, seen):
        for url in (base + "page.html", "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
                    "http://[::ffff:127.0.0.1]:9/x", "http://0x7f.1/"):
            assert main(["draft", url, "--cache", str(tmp_path / "c.sqlite")]) == 2, url
            err = capsys.readouterr().err
            assert "refused" in err and "fix:" in err and "Traceback" not in err
        assert seen == []


@pytest.mark.parametrize("address, problem", [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("10.1.2.3", "private"), ("192.168.0.1", "private"),
    ("169.254.169.254", "link-local"), ("fe80::1%eth0", "link-local"), ("224.0.0.1", "multicast"),
    ("0.0.0.0", "unspecified"), ("240.0.0.1", "reserved"), ("::ffff:169.254.169.254", "link-local"),
    ("100.64.0.1", "not public"), ("93.184.215.14", None), ("2606:4700::6810:84e5", None),
])
def test_url_policy_refuses_every_address_that_is_not_public(address, problem):
    assert address_problem(address) == problem
    check = lambda: check_url("https://news.example/a", "landing", resolver=lambda host, port: ["8.8.8.8", address])
    if problem:
        with pytest.raises(RefusedUrl, match=problem):
            check()
    else:
        check()


@pytest.mark.parametrize("tagged", [
    "notes: !!python/object/apply:os.system ['touch {marker}']",
    "cites: !!python/object/apply:os.system ['touch {marker}']",
    "notes: !!python/name:os.system",
    "notes: !custom '{marker}'",
])
def test_unknown_yaml_tags_are_refused_with_exit_2(tagged, tmp_path, capsys):
    marker = tmp_path / "ran"
    claims = tmp_path / "claims.yaml"
    claims.write_text("article:\n  title: T\nclaims:\n  - id: a\n    quote: Drug X works.\n    claim: Drug X helps.\n"
                      f"    {tagged.format(marker=marker)}\n")
    assert main(["validate", str(claims)]) == 2
    err = capsys.readouterr().err
    assert f"{claims}:7:" in err and "tag" in err and "fix:" in err and "Traceback" not in err
    assert not marker.exists()


# --- deeply nested HTML: linear time -------------------------------------------------------------------


def test_draft_of_100000_nested_divs_takes_under_5_seconds(tmp_path, capsys):
    depth = 100_000
    page = tmp_path / "nested.html"
    page.write_text("<html><head><title>Deep page</title></head><body>" + "<div>" * depth
                    + "<p>Ketamine reduced depression scores by 50% in a trial of 120 adults (Smith, JAMA 2021).</p>"
                    + "</div>" * depth + "</body></html>")
    # CPU seconds, not wall-clock: the machine is shared, and CPU time is what a quadratic walk burns
    started = time.process_time()
    code = main(["draft", str(page), "--min-score", "0"])
    spent = time.process_time() - started
    out = capsys.readouterr().out
    assert code == 0 and "Ketamine reduced depression" in out
    assert spent < 5.0, f"{spent:.1f} s of CPU for {depth} nested <div>s"
