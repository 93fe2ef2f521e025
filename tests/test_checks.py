"""Checks of a claim's specifics (pipeline.rating.checks) and the resolver step of a run.

Records built here are hand-made (short invented abstracts); retraction and erratum use the real
records in ../shared/data/pubmed-xml; the expression of concern is a hand-made PubMed XML fixture.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import replace

from conftest import FIXTURES, shared_file
from replay_server import replay

from pipeline.config import Settings
from pipeline.rating.checks import (
    Lookup, check_citation, check_consistency, check_integrity, check_number, grim_possible, run_checks,
)
from pipeline.rating.figures import claim_figures
from pipeline.rating.source import Rated
from pipeline.run import LocalSource, check_claims
from pipeline.sources.citations import Services, _Found, relaxed_queries
from pipeline.sources.pubmed_syntax import render_query
from pipeline.sources.crossref import CrossrefClient
from pipeline.sources.europepmc import EuropePmcClient
from pipeline.sources.local import build_index
from pipeline.sources.pubmed import parse_pubmed_xml
from pipeline.types import (
    Article, Citation, Claim, ClaimNumber, ClaimsFile, Finding, Record, Sentence, SourceAssessment,
)

CITE = Citation(journal="Journal of Traumatic Stress", year=2021)
CLAIM = Claim(
    id="jts", text="87% of participants with PTSD improved after three ketamine sessions.",
    quote="In a 2021 study published in the Journal of Traumatic Stress ...", kind="statistic",
    population=("PTSD",), intervention=("ketamine",), outcome=("PTSD symptoms",),
    numbers=(ClaimNumber(87, "%", "participants with symptom reduction"), ClaimNumber(3, "sessions")),
    cites=(CITE,),
)


def seen(pmid: str, text: str, *, journal: str = "Journal of Traumatic Stress", year: int = 2021,
         relevance: float = 0.8, n: int | None = 30, retracted: bool = False) -> Rated:
    record = Record(source="local", id=f"pmid:{pmid}", title=f"Record {pmid}: ketamine for PTSD",
                    sections=(("RESULTS", text),), pmid=pmid, journal=journal, year=year, retracted=retracted)
    finding = Finding(record.id, "rct", sample_size=n, sentences=(Sentence(text, 0, len(text), "RESULTS"),))
    return Rated.seen(record, finding, SourceAssessment(record.id, relevance, "neutral", 0.5))


def real_records() -> list[Record]:
    data = gzip.decompress(shared_file("pubmed-xml", "pubmedsample_2019.xml.gz").read_bytes())
    return parse_pubmed_xml(data)


# --- citations -------------------------------------------------------------------------------

def test_citation_found_by_journal_year_and_topic():
    check = check_citation(CITE, [seen("1", "Ketamine reduced PTSD symptoms.")])
    assert check.status == "found" and "PMID 1" in check.detail
    assert check.links == ("https://pubmed.ncbi.nlm.nih.gov/1/",)


def test_citation_near_miss_lists_what_differs():
    other_year = seen("2", "Ketamine reduced PTSD symptoms.", year=2019)
    other_journal = seen("3", "Ketamine reduced PTSD symptoms.", journal="Am J Psychiatry")
    check = check_citation(CITE, [other_year, other_journal])
    assert check.status == "near_miss"
    assert any("published 2019, not 2021" in c for c in check.candidates)
    assert any("in Am J Psychiatry, not Journal of Traumatic Stress" in c for c in check.candidates)
    trial = seen("10", "After six infusions, 67% of the ketamine group vs 20% of the midazolam group responded.",
                  journal="Am J Psychiatry")
    [near] = check_citation(CITE, [trial], claim=CLAIM).candidates
    assert near.endswith("in Am J Psychiatry, not Journal of Traumatic Stress; "
                         "reports 67% vs 20% after 6 infusions, not 87%")


def test_citation_not_found_says_what_was_searched_and_found_instead():
    off_topic = seen("4", "Trajectories of PTSD after assault.", year=2010, relevance=0.1)
    lookup = Lookup(searched=("pubmed '\"Journal of Traumatic Stress\"[jour] AND 2021[dp]' → 0 hits",))
    check = check_citation(CITE, [off_topic], lookup)
    assert check.status == "not_found"
    assert "2021 study in Journal of Traumatic Stress" in check.detail and "→ 0 hits" in check.detail
    assert "1 record from Journal of Traumatic Stress read (2010), none on the claim's topic" in check.detail


def test_citation_with_a_failed_search_is_unchecked_with_the_reason():
    check = check_citation(CITE, [], Lookup(failures=("europepmc: search: no usable answer (HTTP 500)",)))
    assert check.status == "unchecked" and "HTTP 500" in check.detail


def test_relaxed_queries_drop_one_part_at_a_time():
    relaxed = dict(relaxed_queries(CLAIM, CITE))
    assert set(relaxed) == {"journal and topic, any year", "journal and 2021, any topic",
                            "topic and 2021, any journal", "journal only", "topic only"}
    assert relaxed["journal and 2021, any topic"].raw == '"Journal of Traumatic Stress"[jour] AND 2021[dp]'
    assert "2021[dp]" not in render_query(relaxed["journal and topic, any year"])
    assert "[jour]" not in render_query(relaxed["topic only"])


# --- integrity -------------------------------------------------------------------------------

def test_real_retracted_records_are_flagged_with_the_notice():
    retracted = [r for r in real_records() if any(n.kind == "RetractionIn" for n in r.notices)]
    assert len(retracted) == 3 and all(r.retracted for r in retracted)
    checks = [c for c in check_integrity(retracted) if c.status == "retracted"]
    assert len(checks) == 3  # one record also has an ErratumIn, flagged separately
    for rec, check in zip(retracted, checks):
        notice = next(n for n in rec.notices if n.kind == "RetractionIn")
        assert notice.link in check.links and f"PMID {rec.pmid}" == check.subject


def test_real_retracted_record_never_counts_as_relevant_support():
    rec = next(r for r in real_records() if r.retracted)
    s = Rated.seen(rec, Finding(rec.id, "rct"), SourceAssessment(rec.id, 0.9, "supports", 0.8))
    assert not s.relevant  # number checks never draw on it
    checks = run_checks(Claim(id="x", text="t", quote="", kind="efficacy"), [s])
    assert [c.status for c in checks if c.kind == "integrity"] == ["retracted"]
    found = check_citation(Citation(pmid=rec.pmid), [s])
    assert found.status == "found" and "[RETRACTED]" in found.detail


def test_real_errata_are_flagged():
    errata = [r for r in real_records() if any(n.kind == "ErratumIn" for n in r.notices)]
    assert errata
    assert {c.status for c in check_integrity(errata)} >= {"erratum"}


def test_hand_made_expression_of_concern():
    [rec] = parse_pubmed_xml((FIXTURES / "pubmed_expression_of_concern.xml").read_bytes())
    statuses = {c.status: c for c in check_integrity([rec])}
    assert set(statuses) == {"expression_of_concern", "erratum"}
    assert "https://pubmed.ncbi.nlm.nih.gov/99000002/" in statuses["expression_of_concern"].links


# --- numbers and GRIM ------------------------------------------------------------------------

def test_number_differs_shows_the_sources_figures_together():
    trial = seen("5", "After six infusions, 67% of the ketamine group vs 20% of the midazolam group responded.")
    check = check_number(CLAIM.numbers[0], [trial], CLAIM)
    assert check.status == "differs"
    assert check.detail.startswith("claim 87% after 3 sessions")
    assert "sources: 67% vs 20% after 6 infusions (PMID 5, n=30)" in check.detail
    sessions = check_number(CLAIM.numbers[1], [trial], CLAIM)
    assert sessions.detail.startswith("claim 3 sessions; sources: 6 infusions (PMID 5, n=30); how sure: medium")


def test_number_with_nothing_relevant_is_absent_and_says_why():
    check = check_number(CLAIM.numbers[0], [], CLAIM)
    assert check.status == "absent" and "no source that tests the claim" in check.detail


def _study(pmid: str, text: str, *, design: str = "rct", humans: bool | None = True, tests_claim: bool = True,
           population: str = "same") -> Rated:
    """A hand-made source (invented sentence) with the relevance gate's verdict on it."""
    record = Record(source="local", id=f"pmid:{pmid}", title=f"Record {pmid}", sections=(("RESULTS", text),),
                    pmid=pmid, year=2019)
    finding = Finding(record.id, design, sample_size=40, humans=humans,
                      sentences=(Sentence(text, 0, len(text), "RESULTS"),))
    return Rated.seen(record, finding, SourceAssessment(record.id, 0.8, "neutral", 0.5, tests_claim=tests_claim,
                                                  population=population))


RAPID = Claim(id="rapid", text="Ketamine reduces depressive symptoms within one to two sessions.",
              quote="ketamine has been shown to reduce depressive symptoms in as little as one to two sessions.",
              kind="efficacy", intervention=("ketamine",), outcome=("depressive symptoms",),
              numbers=(ClaimNumber(1, "sessions", "fewest"), ClaimNumber(2, "sessions", "most")))


def test_a_range_is_one_figure_and_a_rat_study_is_not_compared():
    [figure] = claim_figures(RAPID)
    assert (figure.low, figure.high, figure.shown) == (1, 2, "1 to 2 sessions")
    rats = _study("7", "A single dose of ketamine produced a prolonged antidepressant response in rats.",
                  design="animal", humans=False, population="animal")
    check = check_number(figure, [rats], RAPID)
    assert check.status == "absent"  # the rat study's "1 dose" is not set against the claim
    people = _study("8", "Depression scores fell after a single infusion of ketamine.")
    assert check_number(figure, [people], RAPID).status == "match"  # 1 lies inside one to two
    three = _study("9", "Depression scores fell only after three infusions of ketamine.")
    differs = check_number(figure, [three], RAPID)
    assert differs.status == "differs" and "claim 1 to 2 sessions" in differs.detail and "how sure" in differs.detail


def test_a_year_is_never_a_count():
    claim = Claim(id="n", text="A survey of 100 adults found ketamine use rising.", quote="", kind="statistic",
                  numbers=(ClaimNumber(100, "adults"),))
    source = _study("10", "Ketamine use rose between 2001 and 2015. In 2008 adults reported more use than before.")
    check = check_number(claim.numbers[0], [source], claim)
    assert check.status == "absent" and "2008" not in check.detail
    counted = _study("11", "We surveyed 2008 adults about ketamine use.")
    assert check_number(claim.numbers[0], [counted], claim).status == "differs"  # a real count still counts


def test_a_figure_from_a_paper_that_does_not_test_the_claim_is_not_compared():
    claim = Claim(id="d", text="Ketamine's effect on depression lasts 1 year.", quote="", kind="efficacy",
                  numbers=(ClaimNumber(1, "years", "how long the effect lasts"),))
    imaging = _study("28707539", "CT imaging was repeated after 1 year and after 3 years.", tests_claim=False)
    check = check_number(claim.numbers[0], [imaging], claim)
    assert check.status == "absent" and "28707539" not in check.detail
    assert check.detail.startswith("claim 1 year ")  # one year, not "1 years"


def test_figures_of_another_quantity_are_not_compared():
    claim = Claim(id="q", text="Ketamine helped 87% of patients.", quote="", kind="statistic",
                  numbers=(ClaimNumber(3, "sessions"),))
    source = _study("12", "Of 3 patients given ketamine for 6 weeks, 2 improved.")
    assert check_number(claim.numbers[0], [source], claim).status == "absent"


def test_grim():
    assert grim_possible(87, 30)  # 26/30 = 86.7
    assert not grim_possible(87, 10)
    assert grim_possible(33.3, 3, 1) and not grim_possible(33.4, 3, 1)
    assert not grim_possible(101, 10) and not grim_possible(50, 0)


def test_impossible_percentage_in_an_abstract_is_flagged():
    [rec] = parse_pubmed_xml((FIXTURES / "pubmed_expression_of_concern.xml").read_bytes())
    s = Rated.seen(rec, Finding(rec.id, "rct"), SourceAssessment(rec.id, 0.9, "neutral", 0.5))
    [check] = check_consistency(CLAIM, [s])
    assert check.status == "impossible" and "12/30 is 40.0%, not 45%" in check.detail
    fine = seen("6", "Symptoms fell in 12 of 30 participants (40%) and 87% of 30 patients finished.")
    assert check_consistency(CLAIM, [fine]) == ()


def test_claim_percentage_against_the_cited_studys_n():
    [check] = [c for c in check_consistency(CLAIM, [], cited=[seen("7", "x", n=10)]) if c.kind == "consistency"]
    assert check.status == "impossible" and "n=10" in check.detail
    [ok] = check_consistency(CLAIM, [], cited=[seen("8", "x", n=30)])
    assert ok.status == "possible"


# --- the check step of a run -----------------------------------------------------------------

def _local_run(tmp_path, services: Services | None):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"doc_id": "d1", "title": "Ketamine infusions for PTSD",
                                  "abstract": "After six infusions, 67% of the ketamine group vs 20% of the "
                                              "midazolam group had a response in PTSD symptoms (n = 30)."}) + "\n")
    build_index([corpus], tmp_path / "c.sqlite")
    claims = ClaimsFile(Article("t"), (CLAIM,), "claims.yaml")
    return check_claims(claims, LocalSource(tmp_path / "c.sqlite", 20), services=services).assessments[0]


def test_network_failure_mid_check_leaves_the_other_checks_complete(tmp_path, memory_cache):
    zero = shared_file("http-samples", "crossref", "rcrossref_works_query_adfaaf_zero_results.json").read_bytes()
    routes = {"/works": (200, "application/json", zero), "/search": (500, "application/json", b"{}")}
    with replay(routes) as (base, seen_paths):
        settings = Settings(max_tries=1, backoff_base=0.0, timeout=5.0, crossref_base=base, europepmc_base=base)
        services = Services(CrossrefClient(settings, memory_cache), EuropePmcClient(settings, memory_cache),
                            None, settings)
        assessment = _local_run(tmp_path, services)
    cite = next(c for c in assessment.checks if c.kind == "citation")
    assert cite.status == "unchecked" and "europepmc" in cite.detail and "HTTP 500" in cite.detail
    assert any(line.startswith("crossref query.bibliographic=") for line in cite.evidence)
    assert any(p.startswith("/works") for p in seen_paths) and any(p.startswith("/search") for p in seen_paths)
    numbers = [c for c in assessment.checks if c.kind == "number"]
    assert len(numbers) == 2 and all(c.status in ("match", "differs", "absent") for c in numbers)
    assert assessment.verdict == "unverifiable"


def test_local_run_says_what_it_could_not_consult(tmp_path):
    assessment = _local_run(tmp_path, None)
    cite = next(c for c in assessment.checks if c.kind == "citation")
    assert cite.status == "not_found"
    for service in ("Crossref", "Europe PMC"):
        assert any(e.startswith(f"not searched: {service} (") and "--source local" in e for e in cite.evidence)
    assert any("(journal only)" in e for e in cite.evidence)
    assert "local journal only → 0" in cite.detail


def test_figures_in_the_article_text_are_checked_too():
    claim = Claim(id="t", text="t", quote="Ketamine helped 87% of patients after just three KAP sessions.",
                  kind="statistic", numbers=(ClaimNumber(87, "%"),))
    checks = [c for c in run_checks(claim, []) if c.kind == "number"]
    assert [c.subject for c in checks] == ["87%", "3 sessions"]


def test_quote_without_url_is_searched_as_a_phrase_in_europe_pmc(tmp_path, memory_cache):
    body = shared_file("http-samples", "europepmc", "epmcmcp_subscription_med24073682.json").read_bytes()
    abstract = json.loads(body)["resultList"]["result"][0]["abstractText"]
    words = abstract.split()[10:40]
    quoted = Claim(id="q", text="t", quote=" ".join(words), kind="quote",
                   cites=(Citation(person="Dr. A. Person", outlet="A Magazine"),))
    with replay({"/search": (200, "application/json", body)}) as (base, seen_paths):
        settings = Settings(max_tries=1, timeout=5.0, europepmc_base=base)
        services = Services(None, EuropePmcClient(settings, memory_cache), None, settings)
        claims = ClaimsFile(Article("t"), (quoted,), "claims.yaml")
        corpus = tmp_path / "c.jsonl"
        corpus.write_text(json.dumps({"doc_id": "d1", "title": "Unrelated", "abstract": "Nothing here."}) + "\n")
        build_index([corpus], tmp_path / "c.sqlite")
        assessment = check_claims(claims, LocalSource(tmp_path / "c.sqlite", 20), services=services).assessments[0]
    [check] = [c for c in assessment.checks if c.kind == "quote"]
    assert check.status == "found" and "PMID 24073682" in check.detail
    assert "query=%22" + "+".join(words[:2]) in seen_paths[0]  # the first words, as a phrase


def test_a_title_only_citation_needs_the_title():
    cite = Citation(title="Ketamine-assisted psychotherapy for first responders")
    on_topic = seen("9", "Ketamine reduced PTSD symptoms.")
    assert check_citation(cite, [on_topic]).status == "not_found"
    titled = Rated.seen(replace(on_topic.record, title="Ketamine-assisted psychotherapy for first responders: a trial"),
                  on_topic.finding, on_topic.assessment)
    assert check_citation(cite, [titled]).status == "found"


def test_quoted_pages_are_fetched_and_one_refusing_site_does_not_stop_the_next(tmp_path, memory_cache):
    from pipeline.sources.landing import LandingClient, parse_landing

    html = shared_file("http-samples", "landing", "sandcrawler_plos_one_article.html").read_bytes()
    words = parse_landing(html, "x").text.split()
    passage = " ".join(words[200:230])
    with replay({"/refused": (403, "text/html", b"<html>Forbidden</html>"),
                 "/plos": (200, "text/html", html)}) as (base, _):
        claims = tuple(Claim(id=f"q{i}", text="t", quote=passage, kind="quote",
                             cites=(Citation(person="A. Person", outlet="PLOS ONE", url=base + path),))
                       for i, path in enumerate(("refused", "plos")))
        here = frozenset({base.split("/")[2]})  # the test server's 127.0.0.1:port, opted in
        settings = Settings(max_tries=1, timeout=5.0, allow_private_hosts=here)
        services = Services(None, None, LandingClient(settings, memory_cache), settings)
        corpus = tmp_path / "c.jsonl"
        corpus.write_text(json.dumps({"doc_id": "d1", "title": "Unrelated", "abstract": "Nothing here."}) + "\n")
        build_index([corpus], tmp_path / "c.sqlite")
        result = check_claims(ClaimsFile(Article("t"), claims, "claims.yaml"),
                              LocalSource(tmp_path / "c.sqlite", 20), services=services)
    refused, fetched = ([c for c in a.checks if c.kind == "quote"][0] for a in result.assessments)
    assert refused.status == "unchecked" and "HTTP 403" in refused.detail
    assert fetched.status == "found" and fetched.links == (base + "plos",)


def test_services_after_a_network_failure_serve_only_the_cache(memory_cache):
    services = Services.open(Settings(), memory_cache, network_down="PubMed: connection refused")
    assert services.settings.offline and services.crossref.http.settings.offline
    found = _Found()
    assert services.call("crossref", "search", found, lambda: services.crossref.search("x", 2021)) is None
    assert found.skipped == ["crossref search: not in the cache (the network failed earlier in this run: "
                             "PubMed: connection refused)"]
