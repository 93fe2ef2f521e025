"""The report stage: files written atomically, stable JSON, HTML structure, escaping, Markdown.

The RunResult here is built by hand (no data file): seven claims covering all six verdicts,
a retracted source, an animal study, a tiny trial, a claim whose check failed and one with no
sources.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from importlib import resources

import jsonschema
import pytest
from bs4 import BeautifulSoup

from pipeline import report
from pipeline.report import writer
from pipeline.types import (
    VERDICTS,
    Article,
    Assessment,
    Check,
    Claim,
    ClaimsFile,
    Effect,
    Finding,
    Notice,
    Query,
    Record,
    RunResult,
    SearchResult,
    Sentence,
    SourceAssessment,
)

EVIL = '<script>alert(1)</script> & "x"'
PRINT_SCRIPT = 'addEventListener("beforeprint"'


@dataclass(frozen=True)
class RicherCheck(Check):
    """A Check with the optional fields another stage may add: the report shows any field."""

    subject: str = ""
    evidence: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    candidates: tuple[dict, ...] = ()


def schema() -> dict:
    return json.loads(resources.files("pipeline.report").joinpath("report.schema.json").read_text())


def _record(rid: str, title: str, *, pmid=None, doi=None, retracted=False, journal="J Test", year=2020):
    return Record(source="pubmed", id=rid, title=title, pmid=pmid, doi=doi, journal=journal,
                  year=year, retracted=retracted, sections=(("", "An abstract."),))


def _source(rid: str, stance: str, *, weight=0.5, sentence="The result sentence.", reasons=("r",), signals=(),
            terms=()):
    return SourceAssessment(
        record_id=rid, relevance=0.8, stance=stance, weight=weight,
        rationale_sentences=(Sentence(sentence, 0, len(sentence), "RESULTS"),),
        reasons=reasons, signals=signals, matched_terms=terms,
    )


def _search(claim_id: str, term: str, ids: tuple[str, ...], *, from_cache=False, note="phrase not found"):
    return SearchResult(query=Query(claim_id=claim_id), term=term, source="pubmed", ids=ids,
                        count=len(ids), from_cache=from_cache, notes=(note,))


def build_result(evil: str | None = None) -> RunResult:
    """A hand-made run. With `evil`, that string is put into every text field."""

    def t(text: str) -> str:
        return f"{text} {evil}" if evil else text

    article = Article(title=t("Ketamine and depression"), url="https://example.org/article",
                      checked="2024-05-01")
    verdicts = dict(zip(("c1", "c2", "c3", "c4", "c5", "c6"), VERDICTS))
    claims = tuple(
        Claim(id=cid, text=t(f"Claim text {cid} | with pipe"), quote=t(f"Quote {cid} as printed"),
              kind="efficacy")
        for cid in (*verdicts, "c7")
    )
    records = {
        "pmid:1": _record("pmid:1", t("Meta-analysis of ketamine"), pmid="1", doi="10.1/ma"),
        "pmid:2": _record("pmid:2", t("Small RCT of ketamine"), pmid="2"),
        "pmid:3": _record("pmid:3", t("Retracted trial"), pmid="3", retracted=True),
        "pmid:4": _record("pmid:4", t("Cohort against"), pmid="4"),
        "pmid:5": _record("pmid:5", t("Ketamine in mice"), pmid="5", journal=t("Rodent J")),
        "doi:10.9/x": _record("doi:10.9/x", t("Large RCT contradicting"), doi="10.9/x"),
    }
    findings = {
        "pmid:1": Finding("pmid:1", "meta_analysis", sample_size=2400, n_studies=12, humans=True,
                          effects=(Effect("SMD", 0.6, 0.4, 0.8, 0.001, "<"),)),
        "pmid:2": Finding("pmid:2", "rct", sample_size=24, humans=True,
                          effects=(Effect("percent", 87.0, unit="%"),)),
        "pmid:3": Finding("pmid:3", "rct", sample_size=300, humans=True),
        "pmid:4": Finding("pmid:4", "cohort", sample_size=900, humans=True),
        "pmid:5": Finding("pmid:5", "other", sample_size=40, humans=False),
        "doi:10.9/x": Finding("doi:10.9/x", "rct", sample_size=500, humans=True),
    }
    s = t("Ketamine reduced symptoms.")
    r = (t("design: meta-analysis"),)
    terms = ("ketamine", evil) if evil else ("ketamine",)
    assessments = (
        Assessment("c1", "supported", 0.85, (t("A meta-analysis supports it."),),
                   sources=(_source("pmid:1", "supports", weight=1.0, sentence=s, reasons=r,
                                    signals=(t("direction: decrease"),), terms=terms),),
                   checks=(Check("citation", "found", t("Cited study found")),
                           Check("number", "match", "87% reported"),
                           RicherCheck("citation", "near_miss", t("Nearest match"), subject=t("J Trauma Stress 2021"),
                                       evidence=(t("quoted line"),),
                                       links=("https://pubmed.ncbi.nlm.nih.gov/9/", "javascript:alert(1)"),
                                       candidates=({"pmid": "9", "title": t("Candidate title")},))),
                   queries=(_search("c1", t("ketamine[mh] AND depression"), ("1",), note=t("phrase not found")),)),
        Assessment("c2", "partly_supported", 0.6, ("Smaller effect.",),
                   sources=(_source("pmid:2", "supports", sentence=s),),
                   checks=(Check("number", "differs", "article 87%, source 60%"),),
                   queries=(_search("c2", "ketamine sessions", ("2",), from_cache=True),)),
        Assessment("c3", "mixed", 0.5, ("Both ways.",),
                   sources=(_source("pmid:3", "supports", weight=0.0),
                            _source("pmid:4", "contradicts")),
                   queries=(_search("c3", "ketamine mood", ("3", "4")),)),
        Assessment("c4", "not_supported", 0.4, ("Animal evidence only.",),
                   sources=(_source("pmid:5", "supports", signals=("animal study",)),),
                   queries=(_search("c4", "ketamine neurogenesis", ("5",)),)),
        Assessment("c5", "contradicted", 0.8, ("A large RCT found no effect.",),
                   sources=(_source("doi:10.9/x", "contradicts", weight=0.9),),
                   queries=(_search("c5", "ketamine anxiety", ("10.9/x",)),)),
        Assessment("c6", "unverifiable", 0.3, ("The cited study could not be found.",),
                   checks=(Check("citation", "not_found", "No 2021 study in J Trauma Stress"),),
                   queries=(_search("c6", "journal of traumatic stress[ta]", ()),)),
        Assessment("c7", "unverifiable", 0.0, ("Could not be checked.",),
                   error=t("PubMed unavailable and nothing cached")),
    )
    return RunResult(
        claims_file=ClaimsFile(article=article, claims=claims, path="claims.yaml"),
        assessments=assessments, records=records, findings=findings, source="pubmed",
        generated="2024-05-02T10:00:00Z", versions=(("pipeline", "0.1.0"), ("spacy", "3.8")),
        unchecked=("c7",),
    )


@pytest.fixture
def result() -> RunResult:
    return build_result()


def _soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


# --- files --------------------------------------------------------------------------------


def test_render_writes_three_files_and_no_temp_files(result, tmp_path):
    out = tmp_path / "reports"  # does not exist yet: render creates it
    paths = report.render(result, out)
    slug = result.claims_file.article.slug
    assert sorted(p.name for p in paths) == sorted(f"{slug}{s}" for s in (".html", ".md", ".json"))
    assert all(p.stat().st_size > 0 for p in paths)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)
    assert (out / f"{slug}.html").read_text(encoding="utf-8") == report.render_html(result)


def test_failed_render_leaves_previous_reports_untouched(result, tmp_path, monkeypatch):
    report.render(result, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def boom(_result):
        raise RuntimeError("markdown renderer failed")

    monkeypatch.setattr(writer, "markdown_text", boom)
    changed = build_result()
    changed = RunResult(**{**changed.__dict__, "generated": "2099-01-01T00:00:00Z"})
    with pytest.raises(RuntimeError, match="markdown renderer failed"):
        report.render(changed, tmp_path)
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after == before  # same files, same bytes, no temp files left behind


def test_failed_write_removes_temp_files(result, tmp_path, monkeypatch):
    report.render(result, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def no_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(writer.os, "replace", no_replace)
    with pytest.raises(OSError, match="disk full"):
        report.render(result, tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


# --- JSON ---------------------------------------------------------------------------------


def test_json_has_stable_keys_and_round_trips(result, tmp_path):
    report.render(result, tmp_path)
    data = json.loads((tmp_path / f"{result.claims_file.article.slug}.json").read_text(encoding="utf-8"))
    assert data == json.loads(json.dumps(report.report_json(result)))
    assert {"article", "generated", "claims"} <= data.keys()
    assert data["article"]["title"] == result.claims_file.article.title
    assert data["generated"] == result.generated
    assert [c["id"] for c in data["claims"]] == [c.id for c in result.claims_file.claims]
    for claim in data["claims"]:
        assert {"id", "quote", "claim", "verdict", "confidence", "reasons", "checks", "sources",
                "queries"} <= claim.keys()
        assert isinstance(claim["checks"], dict)
        for items in claim["checks"].values():
            assert all({"status", "detail"} <= item.keys() and "kind" not in item for item in items)
        for src in claim["sources"]:
            assert {"record_id", "pmid", "doi", "link", "title", "journal", "year", "design",
                    "sample_size", "effects", "stance", "relevance", "weight", "retracted",
                    "reasons", "signals", "rationale_sentences"} <= src.keys()
        for q in claim["queries"]:
            assert {"term", "source", "count", "ids", "notes", "from_cache"} <= q.keys()


def test_json_carries_what_the_rating_and_extraction_said(result):
    data = report.report_json(result)
    claims = {c["id"]: c for c in data["claims"]}
    assert claims["c1"]["checks"]["citation"][0]["status"] == "found"
    assert [c["status"] for c in claims["c1"]["checks"]["number"]] == ["match"]
    src = claims["c1"]["sources"][0]
    assert src["pmid"] == "1" and src["design"] == "meta_analysis" and src["sample_size"] == 2400
    assert src["effects"][0]["measure"] == "SMD" and src["effects"][0]["ci_high"] == 0.8
    assert src["rationale_sentences"][0]["text"] == "Ketamine reduced symptoms."
    retracted = {s["record_id"]: s["retracted"] for s in claims["c3"]["sources"]}
    assert retracted == {"pmid:3": True, "pmid:4": False}
    assert claims["c2"]["queries"][0]["from_cache"] is True
    assert claims["c6"]["sources"] == [] and claims["c6"]["queries"][0]["count"] == 0
    counts = data["summary"]["counts"]
    assert sum(counts.values()) == len(result.assessments)
    assert counts["unverifiable"] == 2 and counts["supported"] == 1
    assert [u["id"] for u in data["unchecked"]] == ["c7"]
    assert "PubMed unavailable" in data["unchecked"][0]["reason"]


def test_claim_flags(result):
    flags = {c["id"]: {f["kind"] for f in c["flags"]} for c in report.report_json(result)["claims"]}
    assert "retracted" in flags["c3"]
    assert "animal_only" in flags["c4"]
    assert "small_sample" in flags["c2"]
    assert "no_sources" in flags["c6"]
    assert "error" in flags["c7"]
    assert flags["c1"] == set() and flags["c5"] == set()


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        (["supported", "supported", "unverifiable"], "2 of 3 claims are supported; 1 unverifiable."),
        (["supported", "mixed"], "1 of 2 claims is supported; 1 mixed."),
        (["contradicted"], "0 of 1 claim is supported; 1 contradicted."),
        ([], "No claims were checked."),
    ],
)
def test_overall_line(verdicts, expected):
    claims = [{"verdict": v, "checked": True} for v in verdicts]
    assert writer.overall_line(claims) == expected


# --- HTML ---------------------------------------------------------------------------------


def test_html_has_one_card_per_claim_with_structure(result):
    soup = _soup(report.render_html(result))
    assert soup.find("html")["lang"] == "en"
    cards = soup.select("section.claim")
    assert [c["id"] for c in cards] == [f"claim-{c.id}" for c in result.claims_file.claims]
    claims = {c.id: c for c in result.claims_file.claims}
    for card in cards:
        claim = claims[card["id"].removeprefix("claim-")]
        assert card.find("h3") is not None
        assert card.find("blockquote").get_text(strip=True) == claim.quote
        assert claim.text in card.get_text()
    # the summary table: one row per claim, each linking to its card, verdict in words
    rows = soup.select("#summary tbody tr")
    assert [r.find("a")["href"] for r in rows] == [f"#claim-{c.id}" for c in result.claims_file.claims]
    for row, assessment in zip(rows, result.assessments):
        badge = row.select_one(".badge")
        assert badge.get_text(strip=True) == writer.VERDICT_LABELS[assessment.verdict]
        assert f"v-{assessment.verdict}" in badge["class"]
    assert "1 of 7 claims is supported" in soup.select_one(".overall").get_text()
    # every header cell says what it heads
    assert soup.find_all("th") and all(th.get("scope") in ("col", "row") for th in soup.find_all("th"))
    evidence_headers = [th.get_text(strip=True) for th in soup.select("table.evidence thead th")]
    assert {"Source", "Year", "Design", "n", "Key figures", "Stance"} <= set(evidence_headers)


def test_html_links_to_pubmed_and_doi(result):
    soup = _soup(report.render_html(result))
    hrefs = {a["href"] for a in soup.find_all("a", href=True)}
    assert "https://pubmed.ncbi.nlm.nih.gov/1/" in hrefs
    assert "https://doi.org/10.1/ma" in hrefs
    assert "https://doi.org/10.9/x" in hrefs  # the source without a PMID is linked by DOI
    assert "https://example.org/article" in hrefs
    card = soup.find("section", id="claim-c5")
    assert card.select_one("table.evidence a")["href"] == "https://doi.org/10.9/x"


def test_html_is_self_contained(result):
    html = report.render_html(result)
    soup = _soup(html)
    assert soup.find_all(["link", "img", "iframe", "object", "embed"]) == []
    assert not soup.find_all(src=True)
    # one inline script only: it opens the folded parts before printing, nothing else
    scripts = soup.find_all("script")
    assert len(scripts) == 1 and PRINT_SCRIPT in scripts[0].get_text()
    # SVG icons refer to the page's own symbols, never to a file
    assert all(use["href"].startswith("#i-") for use in soup.find_all("use"))
    style = soup.find("style").get_text()
    assert "@import" not in style and "url(" not in style
    assert "@media print" in style and "overflow-x: auto" in style


def test_html_shows_flags_errors_and_queries(result):
    soup = _soup(report.render_html(result))
    card = {c["id"]: c.get_text(" ", strip=True) for c in soup.select("section.claim")}
    assert "Retracted source" in card["claim-c3"]
    assert "Animal or in-vitro evidence only" in card["claim-c4"]
    assert "n=24" in card["claim-c2"]
    assert "PubMed unavailable and nothing cached" in card["claim-c7"]
    assert "No sources were assessed" in card["claim-c6"]
    assert "ketamine[mh] AND depression" in card["claim-c1"] and "1 hit" in card["claim-c1"]
    assert "0 hits" in card["claim-c6"]
    assert "from cache" in card["claim-c2"]
    methods = soup.find("section", id="methods").get_text(" ", strip=True)
    assert "c7" in methods and "spacy" in methods and "pubmed" in methods


def test_unsafe_urls_are_not_links():
    assert writer.safe_url("javascript:alert(1)") is None
    assert writer.safe_url("https://a.org/x y<z>") == "https://a.org/x%20y%3Cz%3E"
    result = build_result()
    bad = Article(title="T", url="javascript:alert(1)")
    result = RunResult(**{**result.__dict__, "claims_file": ClaimsFile(bad, result.claims_file.claims, "c.yaml")})
    hrefs = [a["href"] for a in _soup(report.render_html(result)).find_all("a", href=True)]
    assert hrefs and not any("javascript" in h for h in hrefs)
    assert "(<javascript" not in report.render_markdown(result)


# --- escaping -----------------------------------------------------------------------------


def test_every_text_field_is_escaped_in_html():
    result = build_result(evil=EVIL)
    html = report.render_html(result)
    assert "<script>alert" not in html and html.count("</script>") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&amp; &#34;x&#34;" in html or "&amp; &quot;x&quot;" in html
    soup = _soup(html)
    assert [PRINT_SCRIPT in s.get_text() for s in soup.find_all("script")] == [True]
    text = soup.get_text()
    # escaped exactly once: the parsed text shows the string as it was written, in every field
    for field in ("Ketamine and depression", "with pipe", "Quote c1 as printed",
                  "Meta-analysis of ketamine", "Ketamine reduced symptoms.", "design: meta-analysis",
                  "ketamine[mh] AND depression", "Rodent J", "A meta-analysis supports it.",
                  "Cited study found", "PubMed unavailable and nothing cached", "direction: decrease",
                  "Nearest match", "J Trauma Stress 2021", "quoted line", "Candidate title", "phrase not found"):
        assert f"{field} {EVIL}" in text, field
    # the key word marked in the deciding sentence is the evil string itself, escaped inside <mark>
    assert EVIL in [m.get_text() for m in soup.find_all("mark")]
    # the SVG pictures (labels from source titles) are escaped too
    forest = soup.select_one("svg.forest")
    assert forest is not None and "<script" not in str(forest).replace("&lt;script", "")
    assert not any("javascript" in a["href"] for a in soup.find_all("a", href=True))


def _outside_code_spans(markdown: str) -> str:
    return re.sub(r"(`+).*?\1", "", markdown)


def test_every_text_field_is_escaped_in_markdown():
    md = report.render_markdown(build_result(evil=EVIL))
    # query terms sit in code spans, which Markdown shows literally; everywhere else <, > are escaped
    assert "<script>" not in _outside_code_spans(md)
    assert r"\<script\>alert(1)\</script\>" in md
    assert "`ketamine[mh] AND depression <script>alert(1)</script> & \"x\"`" in md
    for field in ("Claim text c1", "Quote c1 as printed", "Meta-analysis of ketamine", "Ketamine reduced",
                  "direction: decrease", "Nearest match", "J Trauma Stress 2021", "Candidate title", "Rodent J"):
        assert re.search(re.escape(field) + r"[^\n]{0,40}\\<script\\>", md), field
    assert "(<javascript" not in md


def test_evil_json_stays_valid_and_matches_the_schema():
    text = report.render_json(build_result(evil=EVIL))
    data = json.loads(text)
    jsonschema.validate(data, schema())
    assert data["claims"][0]["claim"].endswith(EVIL)  # JSON carries the text as it was, unescaped


# --- Markdown -----------------------------------------------------------------------------


def test_markdown_has_every_verdict_and_claim(result):
    md = report.render_markdown(result)
    for verdict in VERDICTS:
        assert writer.VERDICT_LABELS[verdict] in md
    for claim in result.claims_file.claims:
        assert f"### Claim {claim.id}:" in md
    assert "https://pubmed.ncbi.nlm.nih.gov/1/" in md and "https://doi.org/10.9/x" in md
    assert "1 of 7 claims is supported" in md


def test_markdown_tables_escape_pipes(result):
    md = report.render_markdown(result)
    row = next(line for line in md.splitlines() if line.startswith("| c1 |"))
    assert r"Claim text c1 \| with pipe" in row
    # five columns: six unescaped pipes
    assert len(re.findall(r"(?<!\\)\|", row)) == 6
    for line in md.splitlines():
        if line.startswith("| [") and "pubmed.ncbi" in line:  # evidence rows: seven columns
            assert len(re.findall(r"(?<!\\)\|", line)) == 8, line


def test_md_escape_helpers():
    assert writer.md_escape("a|b *c* _d_ [e](f) <g>") == r"a\|b \*c\* \_d\_ \[e\](f) \<g\>"
    assert writer.md_escape("# not a heading") == r"\# not a heading"
    assert writer.md_escape("1. not a list") == r"1\. not a list"
    assert writer.md_escape("- x 10-20 mg") == r"\- x 10-20 mg"
    assert writer.md_escape("10-20 mg. 3) ok") == "10-20 mg. 3) ok"
    assert writer.md_escape("0.85 high") == "0.85 high"
    assert writer.md_escape("A & B &amp;") == r"A & B \&amp;"
    assert writer.md_escape("two\nlines") == "two lines"
    assert writer.md_code("a `b` c") == "`` a `b` c ``"
    assert writer.md_link("t", "ftp://x") == "t"


def test_a_record_withdrawn_only_by_a_retraction_notice_is_shown_retracted(result):
    # PubMed can list a partial retraction as a notice without the "Retracted Publication" type.
    notice = Notice(kind="PartialRetractionIn", pmid="99", ref="J Test 2021;1:1")
    records = {**result.records, "pmid:4": replace(result.records["pmid:4"], notices=(notice,))}
    claims = {c["id"]: c for c in report.report_json(replace(result, records=records))["claims"]}
    retracted = {s["record_id"]: s["retracted"] for s in claims["c3"]["sources"]}
    assert retracted == {"pmid:3": True, "pmid:4": True}


# --- the claim card's first screen, counts, file mode -------------------------------------------


def test_report_files_are_readable_documents(result, tmp_path):
    for path in report.render(result, tmp_path):
        assert path.stat().st_mode & 0o777 == 0o644, path


def test_counted_says_one_thing_and_many_things():
    from pipeline.text import counted

    assert [counted(n, "hit") for n in (0, 1, 2)] == ["0 hits", "1 hit", "2 hits"]
    assert counted(1, "query") == "1 query" and counted(3, "query") == "3 queries"
    assert counted(1, "study") == "1 study" and counted(2, "study") == "2 studies"


def test_no_count_of_one_takes_a_plural(result):
    one_hit = replace(result, assessments=tuple(
        replace(a, queries=(_search(a.claim_id, "ketamine", ("1",)),)) for a in result.assessments))
    for text in (report.render_html(one_hit), report.render_markdown(one_hit)):
        flat = " ".join(BeautifulSoup(text, "html.parser").get_text(" ").split())
        slips = re.findall(r"(?<![\d.,])1 (hits|queries|sources|studies|records|claims|checks|sessions|years)\b", flat)
        assert slips == []


def test_first_screen_shows_verdict_reasons_and_deciding_studies_the_rest_folded(result):
    soup = _soup(report.render_html(result))
    for card in soup.select("section.claim"):
        # nothing but the deciding studies, reasons and verdict outside <details>
        unfolded = [t for t in card.find_all("table") if t.find_parent("details") is None]
        assert unfolded == []
        assert card.select_one(".verdict-box .badge") is not None
        for kind in ("evidence-all", "searches"):
            assert card.select_one(f"details.{kind} > summary") is not None
        assert len(card.select("ol.deciding > li")) <= writer.DECIDING
    c3 = soup.select_one("#claim-c3")
    titles = [a.get_text(" ", strip=True) for a in c3.select("ol.deciding .src-title")]
    assert titles[0].startswith("Cohort against")  # heaviest first (the retracted trial weighs 0)


def test_a_source_that_does_not_test_the_claim_never_decides_it(result):
    gated = replace(result, assessments=tuple(
        replace(a, sources=tuple(replace(s, tests_claim=s.record_id != "pmid:4", gate_reason="does not study ketamine")
                                 for s in a.sources)) for a in result.assessments))
    view = writer.report_json(gated)
    c3 = next(c for c in view["claims"] if c["id"] == "c3")
    assert [s["record_id"] for s in writer.deciding_sources(c3["sources"])] == ["pmid:3"]
    card = _soup(writer.html_text(view)).select_one("#claim-c3")
    assert "Cohort against" not in card.select_one("ol.deciding").get_text()
    assert "Cohort against" not in card.select_one("details.evidence-all").get_text()


def test_each_query_is_listed_once(result):
    twice = replace(result, assessments=tuple(
        replace(a, queries=a.queries + a.queries) for a in result.assessments))
    view = writer.report_json(twice)
    for claim in view["claims"]:
        terms = [q["term"] for q in claim["queries"]]
        assert len(terms) == len(set(terms))
    rows = _soup(writer.html_text(view)).select("#methods table.queries tbody tr")
    listed = [(r.find("th").get_text(strip=True), r.find("code").get_text()) for r in rows]
    assert len(listed) == len(set(listed)) == sum(len(c["queries"]) for c in view["claims"])


def test_a_figure_with_nothing_to_compare_is_flagged_only_where_the_claim_is_the_figure(result):
    absent = Check("number", "absent", "claim 2 sessions; no figure of the same quantity")
    for kind, flagged in (("efficacy", False), ("statistic", True)):
        run = replace(result, claims_file=replace(result.claims_file, claims=tuple(
                          replace(c, kind=kind) for c in result.claims_file.claims)),
                      assessments=tuple(replace(a, checks=(absent,)) for a in result.assessments))
        c1 = next(c for c in writer.report_json(run)["claims"] if c["id"] == "c1")
        assert any(f["kind"] == "number_absent" for f in c1["flags"]) is flagged


def test_one_design_table_names_each_design_one_way():
    from pipeline.designs import DESIGNS
    from pipeline.rating.source import design_name

    # The report's label and the verdict's wording come from the same row ("non-randomised" both).
    assert writer.design_label("nonrandomized_trial") == "non-randomised trial"
    assert design_name("nonrandomized_trial", 2) == "non-randomised trials"
    assert len({d.label for d in DESIGNS.values()}) == len(DESIGNS)
    assert writer.design_label("not_a_design") == "not a design"
