"""Tests of pipeline.rating.

Every Claim, Record and Finding below is hand-made for these tests (short invented abstracts in
the style of PubMed); none is copied from real data.
"""

from __future__ import annotations

import csv
import random
import re

import pytest

from conftest import shared_file

from pipeline.rating import assess
from pipeline.rating.stance import claim_direction
from pipeline.rating.terms import relevance, stem
from pipeline.text import journals_match
from pipeline.types import (
    VERDICTS, Citation, Claim, ClaimNumber, Effect, Finding, Query, Record, SearchResult, Sentence,
)

# --- builders ------------------------------------------------------------------------------

DEPRESSION_CLAIM = Claim(
    id="c1", text="Ketamine reduces depressive symptoms in adults with depression.",
    quote="ketamine has been shown to reduce depressive symptoms", kind="efficacy",
    population=("adults with depression",), intervention=("ketamine",),
    outcome=("depressive symptoms",),
)

# Hard cases the committed stance encoder (issue 15) still reads wrongly: kept as the
# measure of what a better model must get right; each passes again when it does.
ENCODER_MISREADS = "the stance encoder misreads this hard case (issue 15)"


def make(pmid: str, title: str, results: str, *, conclusion: str = "", design: str = "rct",
         n: int | None = 60, effects: tuple[Effect, ...] = (), journal: str | None = None,
         journal_abbrev: str | None = None, year: int | None = 2020, retracted: bool = False,
         humans: bool | None = True, background: str = "Depression is common in adults.",
         n_studies: int | None = None) -> tuple[Record, Finding]:
    """A hand-made record and its finding; effect spans are located in the abstract text."""
    sections = [("BACKGROUND", background), ("RESULTS", results)]
    if conclusion:
        sections.append(("CONCLUSIONS", conclusion))
    record = Record(source="local", id=f"pmid:{pmid}", title=title, sections=tuple(sections),
                    pmid=pmid, journal=journal, journal_abbrev=journal_abbrev, year=year,
                    retracted=retracted)
    abstract = record.abstract
    sentences = []
    offset = 0
    for label, text in sections:
        sentences.append(Sentence(text, offset, offset + len(text), label))
        offset += len(text) + 1
    placed = []
    for e in effects:
        start = abstract.find(e.text)
        placed.append(Effect(e.measure, e.value, e.ci_low, e.ci_high, e.p_value, e.p_operator,
                             e.unit, e.text, (start, start + len(e.text)) if start >= 0 else (0, 0)))
    finding = Finding(record_id=record.id, design=design, sample_size=n, n_studies=n_studies,
                      humans=humans, effects=tuple(placed),
                      result_sentences=tuple(s for s in sentences if s.section != "BACKGROUND"),
                      sentences=tuple(sentences))
    return record, finding


def positive_rct(pmid: str = "1001", n: int = 60, **kw) -> tuple[Record, Finding]:
    return make(pmid, "Ketamine for adults with depression: a randomised trial",
                "Ketamine significantly reduced depressive symptoms compared with placebo (p<0.001).",
                conclusion="A single ketamine infusion had a rapid antidepressant effect in adults "
                           "with depression.",
                n=n, effects=(Effect("other", 0.0, p_value=0.001, p_operator="<", text="p<0.001"),), **kw)


def negative_rct(pmid: str = "2001", n: int = 80, **kw) -> tuple[Record, Finding]:
    return make(pmid, "Ketamine in adults with depression: a randomised placebo-controlled trial",
                "Ketamine did not significantly reduce depressive symptoms compared with placebo "
                "(p=0.41).",
                conclusion="Ketamine was not effective for depressive symptoms in adults with depression.",
                n=n, effects=(Effect("other", 0.0, p_value=0.41, p_operator="=", text="p=0.41"),), **kw)


def source_of(assessment, pmid):
    return next(s for s in assessment.sources if s.record_id == f"pmid:{pmid}")


# --- terms ---------------------------------------------------------------------------------

def test_stem_merges_inflections():
    assert stem("reduced") == stem("reduces") == stem("reducing")
    assert stem("therapies") == stem("therapy")
    assert stem("stress") == "stress"


def test_relevance_needs_the_intervention():
    on_topic, _ = positive_rct()
    off_topic, _ = make("9", "Exercise for adults with depression",
                        "Exercise significantly reduced depressive symptoms (p<0.01).")
    high = relevance(DEPRESSION_CLAIM, on_topic)
    low = relevance(DEPRESSION_CLAIM, off_topic)
    assert high.score >= 0.8 and "ketamine" in high.matched_terms
    assert low.score <= 0.25
    assert any("intervention not mentioned" in s for s in low.signals)


def test_relevance_matches_abbreviations_and_hyphens():
    claim = Claim(id="p", text="Ketamine reduces PTSD symptoms.", quote="", kind="efficacy",
                  intervention=("ketamine",), outcome=("PTSD symptoms",))
    rec, _ = make("5", "Ketamine for post-traumatic stress disorder",
                  "Ketamine reduced post-traumatic stress disorder symptoms.")
    assert relevance(claim, rec).score >= 0.8


def test_claim_direction():
    assert claim_direction(DEPRESSION_CLAIM) == "down"
    assert claim_direction(Claim("x", "Ketamine improves sleep.", "", "efficacy")) == "better"
    assert claim_direction(Claim("x", "Ketamine increases neuroplasticity.", "", "mechanism")) == "up"


# --- stance --------------------------------------------------------------------------------

@pytest.mark.usefixtures("cue_stance")  # a verdict rule: stances fixed by wording
def test_rct_supported_efficacy_claim_is_supported():
    a = assess(DEPRESSION_CLAIM, [positive_rct()])
    s = source_of(a, "1001")
    assert s.stance == "supports"
    assert s.rationale_sentences and any("ketamine" in x.text.lower() for x in s.rationale_sentences)
    assert any(sig.startswith("significant") for sig in s.signals)
    assert a.verdict == "supported"
    assert any("randomised trial" in r for r in a.reasons)


def test_negated_result_contradicts():
    a = assess(DEPRESSION_CLAIM, [negative_rct()])
    s = source_of(a, "2001")
    assert s.stance == "contradicts"
    assert any(sig.startswith("negated") for sig in s.signals)
    assert a.verdict == "contradicted"


def test_reversed_direction_contradicts():
    rec = make("3001", "Ketamine and mood in adults with depression",
               "Depressive symptoms increased after ketamine compared with placebo (p=0.02).",
               effects=(Effect("other", 0.0, p_value=0.02, text="p=0.02"),))
    s = source_of(assess(DEPRESSION_CLAIM, [rec]), "3001")
    assert s.stance == "contradicts"
    assert any(sig.startswith("direction reversed") for sig in s.signals)


def test_no_significant_difference_contradicts():
    rec = make("3002", "Ketamine versus midazolam in adults with depression",
               "There was no significant difference in depressive symptoms between ketamine and "
               "midazolam groups.")
    s = source_of(assess(DEPRESSION_CLAIM, [rec]), "3002")
    assert s.stance == "contradicts"
    assert any("no significant difference" in sig for sig in s.signals)


def test_nonsignificant_change_in_right_direction_does_not_support():
    rec = make("3003", "Ketamine in adults with depression",
               "Depressive symptoms were reduced with ketamine, with a mean difference of -2.1 "
               "(95% CI -4.5 to 0.3).",
               effects=(Effect("MD", -2.1, -4.5, 0.3, text="-2.1 (95% CI -4.5 to 0.3)"),))
    s = source_of(assess(DEPRESSION_CLAIM, [rec]), "3003")
    assert s.stance != "supports"
    assert any(sig.startswith("not significant") for sig in s.signals)


def test_ci_excluding_null_counts_as_significant():
    rec = make("3004", "Ketamine in adults with depression",
               "Ketamine reduced depressive symptoms (SMD -0.8, 95% CI -1.2 to -0.4).",
               effects=(Effect("SMD", -0.8, -1.2, -0.4, text="SMD -0.8, 95% CI -1.2 to -0.4"),))
    s = source_of(assess(DEPRESSION_CLAIM, [rec]), "3004")
    assert s.stance == "supports"
    assert any(sig.startswith("significant (SMD") for sig in s.signals)


@pytest.mark.xfail(reason=ENCODER_MISREADS, strict=False)
def test_no_serious_adverse_events_is_not_a_negative_finding():
    rec = make("3005", "Ketamine in adults with depression",
               "Ketamine significantly reduced depressive symptoms (p<0.01). There were no "
               "significant differences in serious adverse events.")
    assert source_of(assess(DEPRESSION_CLAIM, [rec]), "3005").stance == "supports"


def test_irrelevant_source_is_neutral_and_kept():
    rec = make("3006", "Exercise for adults with depression",
               "Exercise significantly reduced depressive symptoms (p<0.01).")
    a = assess(DEPRESSION_CLAIM, [positive_rct(), rec])
    s = source_of(a, "3006")
    assert s.stance == "neutral" and s.relevance < 0.5
    assert [x.record_id for x in a.sources][0] == "pmid:1001"  # sorted by weighted weight


# --- weights and special sources -----------------------------------------------------------

@pytest.mark.usefixtures("cue_stance")  # a verdict rule: stances fixed by wording
def test_animal_only_evidence_is_not_supported():
    rec = make("4001", "Ketamine in a rat model of depression",
               "Ketamine significantly reduced depressive symptoms-like behaviour in rats (p<0.01).",
               design="animal", n=24, humans=False,
               background="Rats were exposed to chronic stress as adults with depression models.")
    a = assess(DEPRESSION_CLAIM, [rec])
    s = source_of(a, "4001")
    assert "animal study" in s.signals
    assert s.weight <= 0.05
    assert a.verdict == "not_supported"
    assert any("animal" in r.lower() for r in a.reasons)


@pytest.mark.usefixtures("cue_stance")  # a verdict rule: stances fixed by wording
def test_mechanism_claim_from_animal_work_is_partly_supported_at_best():
    claim = Claim(id="m", text="Ketamine increases synaptic connections.", quote="", kind="mechanism",
                  intervention=("ketamine",), outcome=("synaptic connections",))
    rec = make("4002", "Ketamine and synaptic connections in mice",
               "Ketamine significantly increased synaptic connections in the prefrontal cortex (p<0.01).",
               design="animal", humans=False, background="Mice received ketamine.")
    a = assess(claim, [rec])
    assert a.verdict == "partly_supported"
    assert any("at best" in r for r in a.reasons)


@pytest.mark.usefixtures("cue_stance")  # a verdict rule: stances fixed by wording
def test_retracted_source_never_supports():
    rec = positive_rct("5001", n=400, retracted=True)
    a = assess(DEPRESSION_CLAIM, [rec])
    s = source_of(a, "5001")
    assert s.weight == 0 and s.stance == "neutral"
    assert "retracted — counts for nothing" in s.reasons
    assert a.verdict == "not_supported"
    assert any("retracted" in r for r in a.reasons)


@pytest.mark.usefixtures("cue_stance")  # a verdict rule: stances fixed by wording
def test_bigger_and_better_designs_weigh_more():
    small = positive_rct("6001", n=20)
    large = positive_rct("6002", n=500)
    meta = make("6003", "Ketamine for depression: a meta-analysis",
                "Ketamine significantly reduced depressive symptoms in adults with depression "
                "(SMD -0.7, 95% CI -0.9 to -0.5).", design="meta_analysis", n=None, n_studies=12,
                effects=(Effect("SMD", -0.7, -0.9, -0.5, text="SMD -0.7, 95% CI -0.9 to -0.5"),))
    cohort = make("6004", "Ketamine in adults with depression: a cohort study",
                  "Ketamine significantly reduced depressive symptoms (p<0.01).", design="cohort", n=500)
    a = assess(DEPRESSION_CLAIM, [small, large, meta, cohort])
    w = {s.record_id: s.weight for s in a.sources}
    assert w["pmid:6002"] > w["pmid:6001"]
    assert w["pmid:6003"] > w["pmid:6004"]
    assert w["pmid:6002"] > w["pmid:6004"]


@pytest.mark.usefixtures("cue_stance")  # a verdict rule: stances fixed by wording
def test_both_ways_is_mixed():
    a = assess(DEPRESSION_CLAIM, [positive_rct("7001", n=120), negative_rct("7002", n=110)])
    assert a.verdict == "mixed"
    assert {s.stance for s in a.sources} == {"supports", "contradicts"}


@pytest.mark.usefixtures("cue_stance")  # a verdict rule: stances fixed by wording
def test_small_trial_only_is_partly_supported():
    a = assess(DEPRESSION_CLAIM, [positive_rct("7101", n=20)])
    assert a.verdict == "partly_supported"
    assert any("n=20" in r for r in a.reasons)


@pytest.mark.usefixtures("cue_stance")  # a verdict rule: stances fixed by wording
def test_nothing_that_tests_the_claim_is_unverifiable_and_says_what_was_searched():
    # Issue 14: finding no study of the claim is not a finding against it.
    rec = make("8001", "Propofol sedation for endoscopy",
               "Propofol significantly reduced procedure time (p<0.01).",
               background="Sedation is used for endoscopy.")
    search = SearchResult(Query("c1"), "ketamine AND depression", "local", ("pmid:8001",), 1)
    a = assess(DEPRESSION_CLAIM, [rec], [search])
    assert a.verdict == "unverifiable"
    assert any("the local corpus" in r and "1 record" in r and "does not study ketamine" in r
               for r in a.reasons)
    # the reason counts the searches; the queries themselves are listed once, whole, with the claim's searches
    assert any("Searched 1 query (1 hit in all)" in r and "1 record considered, 0 test the claim" in r
               for r in a.reasons)
    assert [s.tests_claim for s in a.sources] == [False]
    assert a.sources[0].weight == 0
    assert a.queries == (search,)


@pytest.mark.usefixtures("cue_stance")  # a verdict rule: stances fixed by wording
def test_population_mismatch_is_flagged_and_narrows_the_verdict():
    claim = Claim(id="fr", text="Ketamine reduces PTSD symptoms in first responders.", quote="",
                  kind="efficacy", population=("first responders",), intervention=("ketamine",),
                  outcome=("PTSD symptoms",))
    matched = make("9001", "Ketamine for PTSD in first responders",
                   "Ketamine significantly reduced PTSD symptoms in first responders (p<0.01).", n=90)
    other = make("9002", "Ketamine for PTSD symptoms in healthy volunteers",
                 "Ketamine significantly reduced PTSD symptoms in healthy volunteers (p<0.01).", n=90)
    r_match = source_of(assess(claim, [matched]), "9001")
    a_other = assess(claim, [other])
    r_other = source_of(a_other, "9002")
    assert r_other.relevance < r_match.relevance
    assert any(s == "population mismatch: healthy volunteers vs first responders" for s in r_other.signals)
    assert a_other.verdict == "partly_supported"
    assert assess(claim, [matched]).verdict == "supported"


# --- citation and number checks ------------------------------------------------------------

PTSD_CITE_CLAIM = Claim(
    id="cite", text="87% of participants with PTSD improved after three ketamine-assisted psychotherapy sessions.",
    quote="In a 2021 study published in the Journal of Traumatic Stress ...", kind="citation",
    population=("PTSD",), intervention=("ketamine",), outcome=("PTSD symptoms",),
    numbers=(ClaimNumber(87, "%", "participants with significant symptom reduction"),),
    cites=(Citation(journal="Journal of Traumatic Stress", year=2021),),
)


def ptsd_record(pmid: str, year: int, journal: str, abbrev: str, percent: int = 87,
                n: int = 30) -> tuple[Record, Finding]:
    return make(pmid, "Ketamine-assisted psychotherapy for PTSD: an open-label trial",
                f"{percent}% of participants had a significant reduction in PTSD symptoms after "
                "three sessions of ketamine (p<0.001).",
                design="nonrandomized_trial", n=n, journal=journal, journal_abbrev=abbrev, year=year,
                background="PTSD is common in first responders.",
                effects=(Effect("percent", float(percent), text=f"{percent}%"),))


def test_journal_names_match_iso_abbreviations():
    assert journals_match("Journal of Traumatic Stress", "J Trauma Stress")
    assert journals_match("The Journal of Traumatic Stress", "journal of traumatic stress")
    assert not journals_match("Journal of Traumatic Stress", "J Affect Disord")


def test_citation_absent_is_unverifiable():
    other = ptsd_record("10001", 2019, "Journal of Affective Disorders", "J Affect Disord", percent=67)
    a = assess(PTSD_CITE_CLAIM, [other])
    cite = next(c for c in a.checks if c.kind == "citation")
    assert cite.status in ("not_found", "near_miss")
    assert "2021" in cite.detail and "Journal of Traumatic Stress" in cite.detail
    assert a.verdict == "unverifiable"
    assert any("could not be located" in r for r in a.reasons)


def test_citation_present_is_found():
    rec = ptsd_record("10002", 2021, "Journal of traumatic stress", "J Trauma Stress")
    a = assess(PTSD_CITE_CLAIM, [rec])
    cite = next(c for c in a.checks if c.kind == "citation")
    assert cite.status == "found" and "PMID 10002" in cite.detail
    assert a.verdict != "unverifiable"


def test_citation_same_journal_other_year_is_near_miss():
    rec = ptsd_record("10003", 2018, "Journal of Traumatic Stress", "J Trauma Stress")
    cite = next(c for c in assess(PTSD_CITE_CLAIM, [rec]).checks if c.kind == "citation")
    assert cite.status == "near_miss" and "2018" in cite.detail


def test_quote_from_outlet_is_unchecked_and_unverifiable():
    claim = Claim(id="q", text="Ketamine therapy helps people not getting better from standard treatments.",
                  quote="Ketamine therapy is especially important ...", kind="quote",
                  intervention=("ketamine",), cites=(Citation(person="Dr. Steven Levine",
                                                               outlet="Psychology Today"),))
    a = assess(claim, [positive_rct()])
    check = a.checks[0]
    assert (check.kind, check.status) == ("quote", "unchecked")
    assert "no URL was given" in check.detail
    assert a.verdict == "unverifiable"


def test_number_match_differs_absent():
    def number_status(value: float, unit: str, rec) -> tuple[str, str]:
        claim = Claim(id="n", text="Ketamine reduced PTSD symptoms.", quote="", kind="statistic",
                      intervention=("ketamine",), outcome=("PTSD symptoms",),
                      numbers=(ClaimNumber(value, unit),))
        check = next(c for c in assess(claim, [rec]).checks if c.kind == "number")
        return check.status, check.detail

    rec = ptsd_record("11001", 2021, "J Trauma Stress", "J Trauma Stress", percent=67, n=30)
    status, detail = number_status(67.5, "%", rec)
    assert status == "match" and "PMID 11001" in detail
    status, detail = number_status(87, "%", rec)
    assert status == "differs" and "67%" in detail and "n=30" in detail
    status, _ = number_status(3, "sessions", rec)
    assert status == "match"  # "three sessions"
    status, _ = number_status(5, "sessions", rec)
    assert status == "differs"
    status, _ = number_status(12, "weeks", rec)
    assert status == "absent"


def test_statistic_whose_figure_is_nowhere_is_unverifiable():
    claim = Claim(id="s", text="Ketamine reduced PTSD symptoms within 12 weeks.", quote="", kind="statistic",
                  intervention=("ketamine",), outcome=("PTSD symptoms",), numbers=(ClaimNumber(12, "weeks"),))
    a = assess(claim, [ptsd_record("11002", 2021, "J Trauma Stress", "J Trauma Stress")])
    assert a.verdict == "unverifiable"


@pytest.mark.usefixtures("cue_stance")  # a verdict rule: stances fixed by wording
def test_overstated_number_downgrades_support():
    claim = Claim(id="o", text="Ketamine reduces depressive symptoms in 90% of adults with depression.",
                  quote="", kind="efficacy", population=("adults with depression",),
                  intervention=("ketamine",), outcome=("depressive symptoms",),
                  numbers=(ClaimNumber(90, "%"),))
    rec = make("12001", "Ketamine for adults with depression: a randomised trial",
               "Ketamine significantly reduced depressive symptoms (p<0.001); 45% of patients "
               "responded.", n=200)
    a = assess(claim, [rec])
    assert a.verdict == "partly_supported"
    assert any("differ" in r for r in a.reasons)


# --- properties ----------------------------------------------------------------------------

@pytest.mark.usefixtures("cue_stance")  # a verdict rule: stances fixed by wording
def test_every_verdict_has_reasons_and_bounded_confidence():
    rng = random.Random(20240601)
    builders = [
        lambda i: positive_rct(str(i), n=rng.choice([12, 40, 60, 300])),
        lambda i: negative_rct(str(i), n=rng.choice([12, 40, 60, 300])),
        lambda i: positive_rct(str(i), retracted=True),
        lambda i: make(str(i), "Ketamine in rats", "Ketamine reduced depressive symptoms in rats.",
                       design="animal", humans=False),
        lambda i: make(str(i), "Propofol sedation", "Propofol reduced procedure time (p<0.01).",
                       design=rng.choice(["rct", "cohort", "other"])),
        lambda i: make(str(i), "Ketamine: a narrative review", "Ketamine may be effective for depression.",
                       design="narrative_review", n=None),
        lambda i: make(str(i), "Ketamine for depression: meta-analysis",
                       rng.choice(["Ketamine significantly reduced depressive symptoms.",
                                   "Ketamine did not reduce depressive symptoms."]),
                       design="meta_analysis", n=None, n_studies=rng.choice([None, 5, 30])),
    ]
    claims = [
        DEPRESSION_CLAIM, PTSD_CITE_CLAIM,
        Claim(id="b", text="Ketamine was first used as an anaesthetic.", quote="", kind="background",
              intervention=("ketamine",)),
        Claim(id="e", text="Nothing in particular.", quote="", kind="efficacy"),
    ]
    seen = set()
    for trial in range(300):
        evidence = [rng.choice(builders)(trial * 10 + j) for j in range(rng.randint(0, 5))]
        a = assess(rng.choice(claims), evidence)
        assert a.verdict in VERDICTS
        assert a.reasons and all(isinstance(r, str) and r.strip() for r in a.reasons)
        assert 0.0 <= a.confidence <= 1.0
        assert all(0.0 <= s.relevance <= 1.0 and s.weight >= 0 for s in a.sources)
        weights = [s.weight for s in a.sources]
        assert weights == sorted(weights, reverse=True)
        seen.add(a.verdict)
    assert len(seen) >= 4  # the generator really exercises several rules


# --- real data -----------------------------------------------------------------------------

def test_real_ketamine_ect_trial_matches_its_gold_label():
    """PMC4644613 (ketamine + ECT in MDD): the Evidence-Inference annotators' label for the HRSD
    prompt decides what the stance must be; the abstract is read from ../shared/data."""
    base = ("ketamine-records", "evidence-inference")
    text = shared_file(*base, "abstracts", "PMC4644613.abst").read_text(encoding="utf-8")
    prompts = list(csv.DictReader(shared_file(*base, "prompts_merged.subset.csv").open(encoding="utf-8")))
    labels = list(csv.DictReader(shared_file(*base, "v2_annotations.subset.csv").open(encoding="utf-8")))
    prompt = next(p for p in prompts if p["PMCID"] == "4644613" and "HRSD" in p["Outcome"])
    gold = [row["Label"] for row in labels if row["PromptID"] == prompt["PromptID"]]
    assert gold, "the HRSD prompt has Evidence-Inference 2.0 labels"
    title = re.search(r"TITLE:\s*\n(.*?)\n", text, re.S).group(1).strip()
    sections = tuple((label.strip(), " ".join(body.split())) for label, body in re.findall(
        r"ABSTRACT\.([^\n]+?):[:.]\s*\n(.*?)(?=\n\s*ABSTRACT\.|\Z)", text, re.S))
    record = Record("local", "pmc:4644613", title, sections, pmid="26576166")
    claim = Claim(id="ect", text="Ketamine reduces HRSD depression scores during ECT.", quote="",
                  kind="efficacy", intervention=("ketamine",), outcome=(prompt["Outcome"],))
    stance = assess(claim, [(record, Finding(record.id, "rct", 42))]).sources[0].stance
    majority = max(set(gold), key=gold.count)
    expected = "supports" if "decreas" in majority else "contradicts"
    assert stance == expected
