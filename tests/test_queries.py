"""Query building from a claim's PICO fields (pure)."""

from __future__ import annotations

from pipeline.queries import HUMANS, STRONG_DESIGNS, build_queries
from pipeline.sources.pubmed_syntax import render_query
from pipeline.types import Citation, Claim


def claim(**fields) -> Claim:
    base = dict(id="c", text="t", quote="q", kind="efficacy", intervention=("drug x",),
                population=("adults with pain",), outcome=("pain",))
    base.update(fields)
    return Claim(**base)


def test_ladder_goes_from_strict_to_broad() -> None:
    queries = build_queries(claim(mesh=(("intervention", ("Drug X",)),)))
    first = queries[0]
    assert [a.concept for a in first.arms] == ["intervention", "population", "outcome"]
    assert STRONG_DESIGNS in first.filters and HUMANS in first.filters
    assert first.arms[0].mesh == ("Drug X",)
    arm_counts = [len(q.arms) for q in queries]
    assert arm_counts == sorted(arm_counts, reverse=True)  # never stricter after a broader rung
    assert all(q.raw is None for q in queries)


def test_missing_fields_do_not_repeat_queries() -> None:
    queries = build_queries(claim(population=(), outcome=()))
    assert len(queries) == len(set(queries))
    assert all([a.concept for a in q.arms] == ["intervention"] for q in queries)


def test_editor_queries_replace_the_ladder_but_keep_citation_search() -> None:
    queries = build_queries(claim(queries=("x[tiab]",), cites=(Citation(journal="J Pain", year=2021),)))
    assert [q.purpose for q in queries] == ["editor", "citation"]
    assert queries[0].raw == "x[tiab]"
    assert '"J Pain"[jour]' in queries[1].filters and "2021[dp]" in queries[1].filters


def test_citation_by_pmid_is_exact() -> None:
    [*_, last] = build_queries(claim(cites=(Citation(pmid="123"),)))
    assert last.raw == "123[pmid]" and last.purpose == "citation"


def test_mechanism_claims_keep_animal_studies() -> None:
    assert all(HUMANS not in q.filters for q in build_queries(claim(kind="mechanism")))


def test_pubmed_rendering_keeps_not_binary() -> None:
    term = render_query(build_queries(claim())[1])
    assert term.endswith(") " + HUMANS) and "AND NOT" not in term
