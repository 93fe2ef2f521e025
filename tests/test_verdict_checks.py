"""How the verdict uses the checks of a claim's specifics (pipeline.rating.verdict).

Records are the hand-made ones of test_rating.py (short invented abstracts); the retraction case
also runs on a real retracted record in ../shared/data/pubmed-xml.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from test_checks import _local_run, real_records
from test_rating import (
    DEPRESSION_CLAIM, PTSD_CITE_CLAIM, make, negative_rct, positive_rct, ptsd_record, source_of,
)

from pipeline.rating import assess, rate
from pipeline.rating.checks import Lookup, cite_subject, run_checks
from pipeline.rating.verdict import pair_cites
from pipeline.types import VERDICTS, Check, Citation, Claim, ClaimNumber, Finding, Notice

# Verdict rules: each hand-made source's stance is fixed by its wording (tests/stance_stub.py).
pytestmark = pytest.mark.usefixtures("cue_stance")

JTS = PTSD_CITE_CLAIM.cites[0]
NOT_FOUND = Check("citation", "not_found", "no 2021 study in Journal of Traumatic Stress was found. Searched: "
                  "pubmed as cited → 0; crossref journal and year → 4. Found instead: 4 records from 2019.",
                  cite_subject(JTS))


def cited_trial(n: int = 30, percent: int = 87, **record_changes):
    """The cited 2021 Journal of Traumatic Stress study, found by journal, year and topic."""
    record, finding = ptsd_record("10002", 2021, "Journal of Traumatic Stress", "J Trauma Stress",
                                  percent=percent, n=n)
    return replace(record, **record_changes), finding


def ptsd_trial(pmid: str, n: int):
    return make(pmid, "Ketamine for PTSD: a randomised trial",
                "Ketamine significantly reduced PTSD symptoms compared with midazolam (p<0.001); "
                "67% vs 20% of patients responded.", n=n, background="PTSD is common.")


PERCENT_CLAIM = Claim(id="p", text="Ketamine reduces PTSD symptoms in 87% of patients.", quote="", kind="efficacy",
                      population=("PTSD",), intervention=("ketamine",), outcome=("PTSD symptoms",),
                      numbers=(ClaimNumber(87, "%"),))


# --- a) assess takes the run's checks --------------------------------------------------------

def test_assess_uses_the_checks_it_is_given_instead_of_its_own():
    evidence = [cited_trial()]
    assert assess(PTSD_CITE_CLAIM, evidence).verdict != "unverifiable"  # its own check finds the study
    a = assess(PTSD_CITE_CLAIM, evidence, checks=(NOT_FOUND,))
    assert a.checks == (NOT_FOUND,)
    assert a.verdict == "unverifiable"
    assert any("crossref journal and year → 4" in r for r in a.reasons)


def test_assess_on_rated_sources_with_their_checks_is_the_same_assessment():
    evidence = [cited_trial(), ptsd_trial("1", 88), negative_rct()]
    rated = rate(PTSD_CITE_CLAIM, evidence)
    assert assess(PTSD_CITE_CLAIM, rated, checks=run_checks(PTSD_CITE_CLAIM, rated)) == assess(
        PTSD_CITE_CLAIM, evidence)


def test_a_run_gives_its_verdict_on_the_citation_searches_it_made(tmp_path):
    a = _local_run(tmp_path, None)
    [cite] = [c for c in a.checks if c.kind == "citation"]
    assert a.verdict == "unverifiable" and cite.status == "not_found"
    # Only the run's own searches know the ladder of relaxed citation queries.
    assert any("local journal only → 0" in r and "Not searched: Crossref" in r for r in a.reasons)


# --- b) a cited study not found or not checkable ---------------------------------------------

def test_not_found_citation_is_unverifiable_and_says_what_was_searched():
    evidence = [ptsd_record("10001", 2019, "Journal of Affective Disorders", "J Affect Disord", percent=67)]
    lookup = Lookup(searched=("pubmed '\"Journal of Traumatic Stress\"[jour] AND 2021[dp]' → 0 hits",),
                    summary=("pubmed as cited → 0", "europepmc journal and year → 0"))
    rated = rate(PTSD_CITE_CLAIM, evidence)
    checks = run_checks(PTSD_CITE_CLAIM, rated, [lookup])
    a = assess(PTSD_CITE_CLAIM, rated, checks=checks)
    assert a.verdict == "unverifiable"
    [reason] = [r for r in a.reasons if "Journal of Traumatic Stress" in r]
    assert reason.startswith("The claim rests on the cited 2021 study in Journal of Traumatic Stress, "
                             "which could not be located")
    assert "pubmed as cited → 0; europepmc journal and year → 0" in reason


def test_unchecked_citation_says_it_could_not_be_checked_and_why():
    lookup = Lookup(failures=("europepmc: HTTP 500 from www.ebi.ac.uk",))
    rated = rate(PTSD_CITE_CLAIM, [])
    a = assess(PTSD_CITE_CLAIM, rated, checks=run_checks(PTSD_CITE_CLAIM, rated, [lookup]))
    assert a.verdict == "unverifiable"
    [reason] = [r for r in a.reasons if "Journal of Traumatic Stress" in r]
    assert reason.startswith("The cited 2021 study in Journal of Traumatic Stress could not be checked: ")
    assert "HTTP 500" in reason and "could not be located" not in reason


# --- c) a retracted cited study --------------------------------------------------------------

def test_found_but_retracted_cited_study_is_not_supported_with_the_notice_link():
    notice = Notice("RetractionIn", pmid="99000001", ref="J Trauma Stress. 2022;35:1")
    assert assess(PTSD_CITE_CLAIM, [cited_trial()]).verdict == "supported"
    a = assess(PTSD_CITE_CLAIM, [cited_trial(retracted=True, notices=(notice,))])
    assert a.verdict == "not_supported"
    assert a.reasons[0].startswith('The cited study PMID 10002 "Ketamine-assisted psychotherapy for PTSD')
    assert "was retracted (https://pubmed.ncbi.nlm.nih.gov/99000001/)" in a.reasons[0]


def test_retraction_known_only_from_an_integrity_check_is_honoured():
    rated = rate(PTSD_CITE_CLAIM, [cited_trial()])
    flag = Check("integrity", "retracted", 'PMID 10002 "..." was retracted (retraction, Retraction Watch).',
                 "PMID 10002", links=("https://pubmed.ncbi.nlm.nih.gov/10002/", "https://doi.org/10.1/notice"))
    a = assess(PTSD_CITE_CLAIM, rated, checks=run_checks(PTSD_CITE_CLAIM, rated) + (flag,))
    assert a.verdict == "not_supported"
    assert "was retracted (https://doi.org/10.1/notice)" in a.reasons[0]


def test_real_retracted_record_cited_by_pmid_is_not_supported():
    record = next(r for r in real_records() if r.retracted)
    notice = next(n for n in record.notices if n.kind == "RetractionIn")
    claim = Claim(id="r", text=record.title, quote="", kind="citation", cites=(Citation(pmid=record.pmid),))
    a = assess(claim, [(record, Finding(record.id, "rct", sample_size=200))])
    assert a.verdict == "not_supported"
    assert f"was retracted ({notice.link})" in a.reasons[0]


def test_a_retracted_source_never_counts_as_support():
    assert assess(DEPRESSION_CLAIM, [positive_rct(n=300)]).verdict == "supported"
    partial = Notice("PartialRetractionIn", pmid="99000002")  # a notice alone, without the flag
    for record, finding in (positive_rct(n=300, retracted=True),
                            (replace(positive_rct(n=300)[0], notices=(partial,)), positive_rct(n=300)[1])):
        a = assess(DEPRESSION_CLAIM, [(record, finding)])
        source = source_of(a, "1001")
        assert (source.weight, source.stance) == (0.0, "neutral")
        assert a.verdict == "not_supported" and any("retracted source was set aside" in r for r in a.reasons)
    # A retraction only an integrity check knows of: the source is set aside all the same.
    rated = rate(DEPRESSION_CLAIM, [positive_rct(n=300)])
    flag = Check("integrity", "retracted", "PMID 1001 was retracted.", "PMID 1001")
    a = assess(DEPRESSION_CLAIM, rated, checks=(flag,))
    assert a.verdict == "not_supported" and any("set aside (PMID 1001)" in r for r in a.reasons)


# --- d) an impossible claim percentage (GRIM) ------------------------------------------------

def test_impossible_claim_percentage_counts_like_a_differing_figure():
    assert assess(PTSD_CITE_CLAIM, [cited_trial(n=30)]).verdict == "supported"  # 26/30 rounds to 87%
    a = assess(PTSD_CITE_CLAIM, [cited_trial(n=10)])  # no k/10 rounds to 87%
    assert [c.status for c in a.checks if c.kind == "number"] == ["match"]
    assert a.verdict == "partly_supported"
    assert any("the claim's 87% is impossible by the consistency (GRIM) check" in r and "n=10" in r
               for r in a.reasons)


def test_impossible_claim_percentage_weakens_adequate_support():
    rated = rate(PERCENT_CLAIM, [ptsd_trial("1", n=300)])
    grim = Check("consistency", "impossible", "claim 87% of the cited study's n=10: no whole number of "
                 "participants gives 87%", "87%")
    match = Check("number", "match", "claim 87%; PMID 1 reports 87%", "87%")
    assert assess(PERCENT_CLAIM, rated, checks=(match,)).verdict == "supported"
    a = assess(PERCENT_CLAIM, rated, checks=(match, grim))
    assert a.verdict == "partly_supported"
    assert any("impossible by the consistency (GRIM) check" in r for r in a.reasons)


# --- e) one check per cite -------------------------------------------------------------------

LEVINE = Claim(id="q", text="Dr. Steven Levine said this.", quote="Ketamine therapy is especially important ...",
               kind="quote", intervention=("ketamine",),
               cites=(Citation(person="Dr. Steven Levine", outlet="Psychology Today"),
                      Citation(outlet="Actify Neurotherapies")))


def test_each_cite_is_paired_with_its_own_check_by_subject():
    checks = run_checks(LEVINE, [])
    assert [c.subject for c in checks if c.kind in ("citation", "quote")] == ["Dr. Steven Levine",
                                                                               "Actify Neurotherapies"]
    pairs = pair_cites(LEVINE, tuple(reversed(checks)))  # the order of the checks does not matter
    assert [(cite.person or cite.outlet, check.subject) for cite, check in pairs] == [
        ("Dr. Steven Levine", "Dr. Steven Levine"), ("Actify Neurotherapies", "Actify Neurotherapies")]
    a = assess(LEVINE, [], checks=tuple(reversed(checks)))
    assert a.reasons[0].startswith("The quote attributed to Dr. Steven Levine (Psychology Today) could not be "
                                   "checked: no URL was given")
    assert a.reasons[1].startswith("The named source Actify Neurotherapies could not be checked: ")


def test_checks_without_subjects_pair_by_position_and_a_missing_one_is_an_error():
    found = Check("quote", "found", "the quote appears on https://example.org/levine", links=("https://example.org/levine",))
    unchecked = Check("citation", "unchecked", "nothing to look up")
    pairs = pair_cites(LEVINE, (found, unchecked))
    assert [c for _, c in pairs] == [found, unchecked]
    assert assess(LEVINE, [], checks=(found, unchecked)).verdict == "supported"  # the quote is there
    with pytest.raises(ValueError, match="no citation or quote check for 'Actify Neurotherapies'"):
        pair_cites(LEVINE, (found,))
    with pytest.raises(ValueError, match="for no cite"):
        pair_cites(LEVINE, (found, unchecked, NOT_FOUND))


# --- every verdict explains itself in words (issue 4, item 3) --------------------------------

def test_partly_supported_names_the_studies_and_the_figures():
    a = assess(PERCENT_CLAIM, [ptsd_trial("1", 30), ptsd_trial("2", 88)])
    assert a.verdict == "partly_supported"
    assert a.reasons[0].startswith("2 randomised trials (n=88, n=30) support the claim")
    assert "the claim's 87% differs from the sources' 67% vs 20% (PMID 2, n=88)" in a.reasons[1]


def test_every_verdict_explains_itself_in_words():
    cases = {
        "supported": (DEPRESSION_CLAIM, [positive_rct(n=300)], r"1 randomised trial \(n=300\) supports"),
        "partly_supported": (PERCENT_CLAIM, [ptsd_trial("1", 30), ptsd_trial("2", 88)], r"differs from"),
        "mixed": (DEPRESSION_CLAIM, [positive_rct("1", n=120), negative_rct("2", n=110)], r"\(n=110\)"),
        "contradicted": (DEPRESSION_CLAIM, [negative_rct(n=300)], r"1 randomised trial \(n=300\) contradicts"),
        "not_supported": (DEPRESSION_CLAIM, [make("4", "Ketamine in rats", "Ketamine reduced depressive "
                                                 "symptoms in rats.", design="animal", humans=False)],
                          r"animal study"),
        "unverifiable": (PTSD_CITE_CLAIM, [ptsd_record("5", 2019, "J Affect Disord", "J Affect Disord")],
                         r"could not be located"),
    }
    for verdict, (claim, evidence, why) in cases.items():
        a = assess(claim, evidence)
        assert a.verdict == verdict, (verdict, a.reasons)
        assert re.search(why, " ".join(a.reasons)), (verdict, a.reasons)
        for reason in a.reasons:
            assert (reason[0].isupper() or reason[0].isdigit()) and reason.endswith("."), reason
            # Words, not the program's codes (partly_supported, not_found, rct ...).
            assert not re.search(r"\b[a-z]+_[a-z_]+\b|\brct\b", reason), reason
    assert set(cases) == set(VERDICTS)
