"""reports/index.html, the JSON Schema, and checks rendered with whatever fields they carry."""

from __future__ import annotations

from dataclasses import replace

import jsonschema
import pytest
from bs4 import BeautifulSoup

from pipeline import report
from pipeline.report.index import index_entries, write_index
from pipeline.run import write_reports
from pipeline.types import Article, ClaimsFile

from test_report import EVIL, build_result, schema


def _renamed(result, title, generated):
    article = Article(title=title, url=None, checked="2024-06-01")
    return replace(result, claims_file=ClaimsFile(article, result.claims_file.claims, "other.yaml"),
                   generated=generated)


def test_index_lists_every_report_with_its_verdicts(tmp_path):
    first = build_result()
    second = _renamed(first, f"Second article {EVIL}", "2024-06-02T00:00:00Z")
    paths = write_reports(first, tmp_path)
    assert paths[-1] == tmp_path / "index.html"
    write_reports(second, tmp_path, partial=True)
    (tmp_path / "notes.json").write_text('{"not": "a report"}')
    (tmp_path / "broken.json").write_text("{")

    entries = index_entries(tmp_path)
    assert [e["title"] for e in entries] == [second.claims_file.article.title, first.claims_file.article.title]
    assert entries[0]["partial"] and not entries[1]["partial"]
    assert entries[1]["counts"] == {"supported": 1, "partly_supported": 1, "mixed": 1, "not_supported": 1,
                                    "contradicted": 1, "unverifiable": 2}
    assert entries[1]["total"] == 7 and entries[1]["flagged"] == 5

    html = (tmp_path / "index.html").read_text()
    assert "<script>alert" not in html
    soup = BeautifulSoup(html, "html.parser")
    rows = soup.select("table.index tbody tr")
    assert len(rows) == 2
    slug = first.claims_file.article.slug
    assert rows[1].find("a")["href"] == f"{slug}.html"
    assert rows[0].find("a")["href"].endswith(".partial.html")
    assert "partial" in rows[0].get_text() and "partial" not in rows[1].th.get_text()
    assert "1 of 7 claims is supported" in rows[1].get_text()
    assert [b.get_text(strip=True) for b in rows[1].select(".badge")][:2] == ["Supported", "Partly supported"]
    assert f"Second article {EVIL}" in rows[0].get_text()


def test_empty_folder_gets_an_index_that_says_so(tmp_path):
    path = write_index(tmp_path)
    assert "No reports yet" in path.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]


def test_report_json_matches_the_committed_schema():
    jsonschema.Draft202012Validator.check_schema(schema())
    jsonschema.validate(report.report_json(build_result()), schema())


@pytest.mark.parametrize("breakage", [
    lambda d: d.pop("claims"),
    lambda d: d["claims"][0].update(verdict="probably"),
    lambda d: d["claims"][0]["sources"][0].update(stance="agrees"),
    lambda d: d["claims"][0]["sources"][0].update(pubmed_url="javascript:alert(1)"),
    lambda d: d["claims"][0]["checks"]["citation"][0].pop("status"),
])
def test_schema_rejects_a_broken_report(breakage):
    data = report.report_json(build_result())
    breakage(data)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema())


def test_checks_show_every_field_they_carry():
    result = build_result()
    data = report.report_json(result)
    near = data["claims"][0]["checks"]["citation"][1]
    assert near["status"] == "near_miss" and near["subject"] == "J Trauma Stress 2021"
    assert near["candidates"] == [{"pmid": "9", "title": "Candidate title"}]

    soup = BeautifulSoup(report.render_html(result), "html.parser")
    row = next(r for r in soup.select("#claim-c1 table.checks tbody tr") if "near miss" in r.get_text())
    text = row.get_text(" ", strip=True)
    for shown in ("near miss", "Nearest match", "subject", "J Trauma Stress 2021", "evidence", "quoted line",
                  "candidates", "Candidate title", "javascript:alert(1)"):
        assert shown in text, shown
    assert [a["href"] for a in row.find_all("a")] == ["https://pubmed.ncbi.nlm.nih.gov/9/"]
    assert "check-near" in row["class"]  # and the result carries an icon besides its word
    assert row.select_one(".status svg use")["href"] == "#i-partly_supported"

    md = report.render_markdown(result)
    assert "citation: near miss. Nearest match; candidates: pmid: 9; title: Candidate title" in md
    assert "subject: J Trauma Stress 2021" in md


def test_failed_checks_become_flags():
    flags = {c["id"]: [f["text"] for f in c["flags"]] for c in report.report_json(build_result())["claims"]}
    assert "Citation not found: No 2021 study in J Trauma Stress" in flags["c6"]
    assert any(text.startswith("Number differs from the sources: article 87%") for text in flags["c2"])
    summary = BeautifulSoup(report.render_html(build_result()), "html.parser").select_one(".attention").get_text()
    assert "citation not found" in summary and "retracted source" in summary
