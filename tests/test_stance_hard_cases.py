"""Hard cases of stance and verdict, on hand-written sentences (none copied from real data).

Each case runs through `assess()`, the product path: the committed stance encoder reads them
(`rating/reading.py`); the rule cues only show as signals.
"""

from __future__ import annotations

import pytest

from test_rating import make, source_of

from pipeline.rating import assess
from pipeline.types import Claim, Effect, Finding, Record

KETAMINE_DEPRESSION = Claim(
    id="kd", text="Ketamine reduces depressive symptoms in adults with depression.", quote="",
    kind="efficacy", population=("adults with depression",), intervention=("ketamine",),
    outcome=("depressive symptoms",))

# Hard cases the committed stance encoder (issue 15) still reads wrongly: kept as the
# measure of what a better model must get right; each passes again when it does.
ENCODER_MISREADS = "the stance encoder misreads this hard case (issue 15)"


def _one(claim: Claim, pmid: str, title: str, results: str, **kw):
    a = assess(claim, [make(pmid, title, results, **kw)])
    return a, source_of(a, pmid)


def test_did_not_reduce_contradicts_and_says_negated():
    a, s = _one(KETAMINE_DEPRESSION, "11", "Ketamine for adults with depression: a randomised trial",
                "Ketamine did not reduce depressive symptoms compared with saline.", n=120)
    assert s.stance == "contradicts"
    assert any(sig.startswith("negated") for sig in s.signals)
    assert a.verdict == "contradicted"
    assert s.rationale_sentences and "did not reduce" in s.rationale_sentences[0].text


def test_increased_rather_than_decreased_contradicts():
    a, s = _one(KETAMINE_DEPRESSION, "12", "Ketamine and mood in adults with depression",
                "Depressive symptoms increased rather than decreased after ketamine (p=0.01).",
                effects=(Effect("other", 0.0, p_value=0.01, text="p=0.01"),), n=120)
    assert s.stance == "contradicts"
    assert any(sig.startswith("direction reversed") for sig in s.signals)


def test_no_significant_difference_is_not_support():
    a, s = _one(KETAMINE_DEPRESSION, "13", "Ketamine versus placebo in adults with depression",
                "Depressive symptoms did not differ between ketamine and placebo; there was no "
                "significant difference at any time point.", n=120)
    assert s.stance == "contradicts"
    assert any("no significant difference" in sig or "did not differ" in sig for sig in s.signals)
    assert a.verdict != "supported"


def test_in_vitro_evidence_for_a_human_claim_is_not_enough():
    a, s = _one(KETAMINE_DEPRESSION, "14", "Ketamine in cultured neurons",
                "Ketamine significantly reduced depressive symptoms markers in cultured neurons (p<0.01).",
                design="in_vitro", humans=False, n=None,
                background="Cultured cortical neurons of adults with depression were used.")
    assert "in-vitro study" in s.signals
    assert a.verdict == "not_supported"


def test_veterans_study_for_a_civilian_claim_is_a_population_mismatch():
    claim = Claim(id="civ", text="Ketamine reduces PTSD symptoms in civilians.", quote="",
                  kind="efficacy", population=("civilians",), intervention=("ketamine",),
                  outcome=("PTSD symptoms",))
    a, s = _one(claim, "15", "Ketamine for PTSD in veterans: a randomised trial",
                "Ketamine significantly reduced PTSD symptoms in veterans (p<0.001).", n=150,
                effects=(Effect("other", 0.0, p_value=0.001, p_operator="<", text="p<0.001"),),
                background="PTSD is common among military veterans.")
    assert "population mismatch: veterans vs civilians" in s.signals
    assert a.verdict == "partly_supported"
    assert any("another population" in r for r in a.reasons)


def test_depression_results_do_not_speak_for_a_ptsd_claim():
    claim = Claim(id="ptsd", text="Ketamine reduces PTSD symptoms.", quote="", kind="efficacy",
                  intervention=("ketamine",), outcome=("PTSD symptoms",))
    a, s = _one(claim, "16", "Ketamine for adults with depression: a randomised trial",
                "Ketamine significantly reduced depressive symptoms (p<0.001).", n=200,
                effects=(Effect("other", 0.0, p_value=0.001, p_operator="<", text="p<0.001"),))
    assert any(sig.startswith("outcome mismatch") for sig in s.signals)
    assert s.stance != "supports"
    # It does not test the claim (issue 14): no study of PTSD was found, which is not a finding against it.
    assert not s.tests_claim and "PTSD symptoms" in s.gate_reason
    assert a.verdict == "unverifiable"


def test_cures_is_stronger_than_reduced_symptoms():
    claim = Claim(id="cure", text="Ketamine cures depression in adults.", quote="", kind="efficacy",
                  population=("adults",), intervention=("ketamine",), outcome=("depression",))
    a, s = _one(claim, "17", "Ketamine for adults with depression: a randomised trial",
                "Ketamine significantly reduced depressive symptoms in adults with depression (p<0.001).",
                n=200, effects=(Effect("other", 0.0, p_value=0.001, p_operator="<", text="p<0.001"),))
    assert s.stance == "supports"
    assert any(sig.startswith('claim stronger than evidence: "cures"') for sig in s.signals)
    assert a.verdict == "partly_supported"
    assert any("stronger effect" in r for r in a.reasons)


def test_remission_evidence_carries_a_cure_claim_further():
    claim = Claim(id="cure2", text="Ketamine cures depression in adults.", quote="", kind="efficacy",
                  population=("adults",), intervention=("ketamine",), outcome=("depression",))
    _, s = _one(claim, "18", "Ketamine for adults with depression: a randomised trial",
                "Ketamine significantly reduced depression, with sustained remission in most adults "
                "(p<0.001).", n=200)
    assert not any(sig.startswith("claim stronger than evidence") for sig in s.signals)


def test_the_stance_encoder_explains_its_reading():
    _, s = _one(KETAMINE_DEPRESSION, "19", "Ketamine for adults with depression: a randomised trial",
                "Ketamine significantly reduced depressive symptoms compared with placebo (p<0.001).",
                n=120, effects=(Effect("other", 0.0, p_value=0.001, p_operator="<", text="p<0.001"),))
    if s.stance != "neutral":  # a side taken: the encoder says so, with the deciding sentence's probability
        assert any(sig.startswith("encoder: ") and "(p=0." in sig for sig in s.signals)
        assert any("stance encoder reads it as" in r for r in s.reasons) and s.rationale_sentences


# --- the claim's outcome decides: other senses, other outcomes, generic praise ---------------

MECHANISM = Claim(
    id="mech", text="Ketamine acts on glutamate signalling and promotes neuroplasticity.", quote="",
    kind="mechanism", intervention=("ketamine",), outcome=("glutamate", "neuroplasticity", "NMDA receptor"))


def test_respiratory_depression_is_not_the_mood_disorder():
    from pipeline.rating.terms import other_senses_masked

    for text in ("Ketamine caused no significant respiratory depression.",
                 "We could not find significant depression of the ventilatory response after ketamine.",
                 "Halothane depressed the hypoxic ventilatory response; ST-segment depression was rare."):
        assert "depress" not in other_senses_masked(text.lower()).replace("_", ""), text
    for text in ("Ketamine reduced depression in response to treatment.",
                 "Depression on the HAM-D fell; depression of moderate severity was common."):
        assert other_senses_masked(text) == text


@pytest.mark.xfail(reason=ENCODER_MISREADS, strict=False)
def test_a_result_about_respiratory_depression_does_not_decide_a_mood_claim():
    _, s = _one(KETAMINE_DEPRESSION, "31", "Ketamine sedation in adults with depression",
                "We could not find significant depression of the hypoxic ventilatory response "
                "after ketamine.", n=40)
    assert s.stance == "neutral"


def test_a_pain_result_does_not_decide_a_mechanism_claim():
    # The abstract names the NMDA receptor, but its result is about pain.
    _, s = _one(MECHANISM, "32", "Ketamine, an NMDA receptor antagonist, after tonsillectomy",
                "This trial did not demonstrate a decrease in pain or analgesic consumption after ketamine.",
                conclusion="Ketamine did not reduce postoperative pain scores.",
                background="Ketamine blocks the NMDA receptor.", n=90)
    assert s.stance == "neutral"


@pytest.mark.xfail(reason=ENCODER_MISREADS, strict=False)
def test_a_pain_cue_next_to_the_outcome_word_still_does_not_decide():
    _, s = _one(MECHANISM, "33", "Ketamine and NMDA receptor blockade in neuropathic pain",
                "Ketamine, an NMDA receptor antagonist, produced no significant pain relief (p=0.40).",
                n=60, effects=(Effect("other", 0.0, p_value=0.4, text="p=0.40"),))
    assert s.stance == "neutral"


def test_a_generic_beneficial_about_another_outcome_does_not_decide():
    claim = Claim(id="anx", text="Ketamine reduces anxiety in adults.", quote="", kind="efficacy",
                  intervention=("ketamine",), outcome=("anxiety",))
    _, s = _one(claim, "34", "Ketamine anaesthesia and anxiety in adults undergoing surgery",
                "Anxiety was measured before surgery. Clonidine premedication was beneficial for "
                "haemodynamic stability during ketamine anaesthesia, and effective in shortening extubation.",
                background="Preoperative anxiety is common.", n=80)
    assert s.stance == "neutral"
    # The same words next to the claim's outcome do decide.
    _, s = _one(claim, "35", "Ketamine and anxiety in adults",
                "Ketamine was beneficial for anxiety in adults.", n=80)
    assert s.stance == "supports"


def test_a_conclusion_decides_through_the_title_but_a_result_sentence_must_name_the_outcome():
    _, s = _one(KETAMINE_DEPRESSION, "36", "Ketamine for depressive symptoms in adults: a randomised trial",
                "Ketamine did not separate from saline on the primary measure.",
                conclusion="Ketamine was not effective in these adults.", n=120)
    assert s.stance == "contradicts"
    assert all(r.section == "CONCLUSIONS" for r in s.rationale_sentences[:1])
    _, s = _one(KETAMINE_DEPRESSION, "37", "Ketamine for depressive symptoms in adults: a randomised trial",
                "Ketamine did not reduce the time to discharge.", n=120)
    assert s.stance != "contradicts"


def test_more_of_the_outcome_supports_a_claim_that_something_causes_it():
    claim = Claim(id="harm", text="Repeated trauma exposure leads to PTSD symptoms in adults.", quote="",
                  kind="population", intervention=("trauma exposure",), outcome=("PTSD symptoms",))
    _, s = _one(claim, "38", "Trauma exposure and PTSD symptoms in adults: a cohort study",
                "PTSD symptoms increased with each additional trauma exposure and worsened over follow-up.",
                design="cohort", n=400)
    assert s.stance == "supports"
    # Less of the outcome after a treatment the claim does not name does not speak against it.
    _, s = _one(claim, "39", "Propranolol for PTSD symptoms in adults",
                "Propranolol reduced PTSD symptoms compared with placebo.", n=60)
    assert s.stance != "contradicts"


# --- sentences that should not decide: another treatment, background --------------------------

def _unstructured(claim: Claim, pmid: str, title: str, text: str):
    """A record whose abstract has no section headings, as many RIS/CSV and older records do."""
    record = Record(source="local", id=f"pmid:{pmid}", title=title, sections=(("", text),), pmid=pmid)
    a = assess(claim, [(record, Finding(record_id=record.id, design="rct", sample_size=60, humans=True))])
    return a, source_of(a, pmid)


@pytest.mark.xfail(reason=ENCODER_MISREADS, strict=False)
def test_another_treatment_named_as_the_subject_does_not_decide():
    _, s = _unstructured(KETAMINE_DEPRESSION, "41", "Ketamine and memory in adults with depression",
                         "Electroconvulsive therapy is effective for depressive symptoms, but it impairs memory. "
                         "In this study we measured memory in 40 adults with depression after ketamine.")
    assert s.stance == "neutral"
    _, s = _unstructured(KETAMINE_DEPRESSION, "43", "Ketamine in adults with depression",
                         "We randomised 60 adults with depression to ketamine, sertraline or placebo. "
                         "Sertraline reduced depressive symptoms more than placebo (p<0.01).")
    assert s.stance == "neutral"
    # The study's own treatment, named by an anaphor, still decides.
    _, s = _unstructured(KETAMINE_DEPRESSION, "44", "Ketamine in adults with depression",
                         "We randomised 60 adults with depression to ketamine or placebo. "
                         "The infusions reduced depressive symptoms more than placebo (p<0.01).")
    assert s.stance == "supports"
    assert s.rationale_sentences[0].text.startswith("The infusions")


def test_other_treatments_are_found_by_stem_class_and_therapy_name_but_not_comparators():
    from pipeline.rating.terms import other_treatments

    names = [n for _, n in other_treatments(
        "electroconvulsive therapy and clonidine premedication, then sleep deprivation and antidepressants",
        ("ketamine",))]
    assert names[:2] == ["electroconvulsive", "clonidine"] and "sleep deprivation" in names
    assert "antidepressants" in names
    for own in ("ketamine treatment reduced symptoms compared with fluoxetine",
                "the treatment had a rapid antidepressant effect", "ketamine-assisted psychotherapy helped"):
        assert other_treatments(own, ("ketamine", "ketamine-assisted psychotherapy")) == [], own


@pytest.mark.xfail(reason=ENCODER_MISREADS, strict=False)
def test_a_background_statement_weighs_less_than_the_result():
    _, s = _unstructured(KETAMINE_DEPRESSION, "42", "Ketamine in adults with depression",
                         "Ketamine is known to reduce depressive symptoms within hours. We randomised 60 adults "
                         "with depression to ketamine or saline. Depressive symptoms did not differ between "
                         "the groups at day 7.")
    assert s.stance == "contradicts"
    assert "did not differ" in s.rationale_sentences[0].text
    # Alone, a background statement still speaks, and says it counts half.
    _, s = _unstructured(KETAMINE_DEPRESSION, "45", "Ketamine in adults with depression",
                         "Ketamine is known to reduce depressive symptoms within hours. We measured its "
                         "blood levels in 60 adults with depression.")
    assert "background statement (counts half)" in s.signals or s.stance == "neutral"


@pytest.mark.xfail(reason=ENCODER_MISREADS, strict=False)
def test_neurophysiological_depression_and_responses_are_not_the_mood_outcome():
    from pipeline.rating.terms import other_senses_masked

    for text in ("The depression at higher doses was greater with ketamine.",
                 "Paired-pulse depression and use-dependent depression were enhanced.",
                 "Long-term depression (LTD) was blocked; cortical spreading depression was not.",
                 "Ketamine depressed the twitch height.", "The tcMEP response and the CMAP response fell."):
        masked = other_senses_masked(text)
        assert "depress" not in masked.replace("_", "").lower() and " response" not in masked, text
    for text in ("Ketamine relieved depression at both doses.", "Depressed patients were randomised.",
                 "Depression at baseline was severe; the response rate was 60%."):
        assert other_senses_masked(text) == text, text
    claim = Claim(id="dep", text="Ketamine reduces depression in adults.", quote="", kind="efficacy",
                  intervention=("ketamine",), outcome=("depression",))
    for pmid, result in (("46", "The depression at higher doses was greater with ketamine than with propofol (p=0.02)."),
                         ("47", "Paired-pulse depression increased after ketamine in these adults (p=0.02).")):
        _, s = _one(claim, pmid, "Ketamine and evoked potentials in adults with depression",
                    result, n=40, effects=(Effect("other", 0.0, p_value=0.02, text="p=0.02"),))
        assert s.stance == "neutral", result


@pytest.mark.xfail(reason=ENCODER_MISREADS, strict=False)
def test_in_a_study_of_another_treatment_only_sentences_naming_the_claims_intervention_speak():
    background = "Ketamine and propranolol have both been proposed for depression."
    _, s = _one(KETAMINE_DEPRESSION, "48", "Effect of propranolol on depressive symptoms in adults",
                "The drug reduced depressive symptoms compared with placebo (p<0.01).", n=80, background=background,
                effects=(Effect("other", 0.0, p_value=0.01, p_operator="<", text="p<0.01"),))
    assert s.stance == "neutral"
    assert "study of another treatment: propranolol" in s.signals
    _, s = _one(KETAMINE_DEPRESSION, "49", "Effect of propranolol on depressive symptoms in adults",
                "Unlike propranolol, ketamine reduced depressive symptoms compared with placebo (p<0.01).", n=80,
                background=background, effects=(Effect("other", 0.0, p_value=0.01, p_operator="<", text="p<0.01"),))
    assert s.stance == "supports"


def test_less_of_a_disease_is_improvement_for_a_claim_of_effective_treatment():
    claim = Claim(id="head", text="Ketamine is an effective treatment for cluster headache.", quote="",
                  kind="efficacy", intervention=("ketamine",), outcome=("cluster headache",))
    _, s = _one(claim, "50", "Ketamine for cluster headache: a randomised trial",
                "Ketamine reduced cluster headache frequency compared with placebo (p<0.01).", n=80,
                background="Cluster headache is disabling.",
                effects=(Effect("other", 0.0, p_value=0.01, p_operator="<", text="p<0.01"),))
    assert s.stance == "supports"
    assert not any(sig.startswith("direction reversed") for sig in s.signals)


def test_normalised_and_restored_are_results_about_the_outcome():
    _, s = _one(MECHANISM, "51", "Ketamine, glutamate and neuroplasticity in stressed adults",
                "A single dose of ketamine normalized glutamate signalling and restored neuroplasticity.", n=40)
    assert s.stance == "supports"
    assert any(sig.startswith("direction: improvement (normalized") for sig in s.signals)


@pytest.mark.xfail(reason=ENCODER_MISREADS, strict=False)
def test_another_treatment_as_subject_decides_nothing_even_when_the_claims_is_named_later():
    _, s = _one(KETAMINE_DEPRESSION, "52", "Clonidine premedication and ketamine in adults with depression",
                "Clonidine reduced the depressive symptoms attributable to ketamine (p<0.01).", n=80,
                effects=(Effect("other", 0.0, p_value=0.01, p_operator="<", text="p<0.01"),))
    assert s.stance == "neutral"
    # The claim's treatment as the subject, another one later, still decides.
    _, s = _one(KETAMINE_DEPRESSION, "53", "Clonidine premedication and ketamine in adults with depression",
                "Ketamine reduced depressive symptoms more than clonidine did (p<0.01).", n=80,
                effects=(Effect("other", 0.0, p_value=0.01, p_operator="<", text="p<0.01"),))
    assert s.stance == "supports"


@pytest.mark.xfail(reason=ENCODER_MISREADS, strict=False)
def test_a_stated_limitation_is_not_a_result():
    _, s = _one(KETAMINE_DEPRESSION, "54", "Ketamine in adults with depression",
                "Because all infusions caused side effects, we cannot rule out an active placebo response "
                "as the cause of the reduction in depressive symptoms.", n=80)
    assert s.stance == "neutral"


def test_in_a_review_of_several_treatments_an_unattributed_improvement_decides_nothing():
    claim = Claim(id="sleep", text="Ketamine improves sleep in adults.", quote="", kind="efficacy",
                  intervention=("ketamine",), outcome=("sleep",))
    background = "We reviewed trials of gabapentin, pregabalin, lidocaine patches and ketamine for neuralgia."
    _, s = _one(claim, "55", "Treatment options for neuralgia and sleep: a review",
                "Sleep, mood and quality of life were significantly improved.", background=background, n=None)
    assert s.stance == "neutral"
    _, s = _one(claim, "56", "Treatment options for neuralgia and sleep: a review",
                "With ketamine, sleep, mood and quality of life were significantly improved.", background=background,
                n=None)
    assert s.stance == "supports"


def test_patients_compared_with_healthy_controls_is_not_a_treatment_effect():
    claim = Claim(id="anx", text="Ketamine reduces anxiety in adults.", quote="", kind="efficacy",
                  intervention=("ketamine",), outcome=("anxiety",))
    _, s = _one(claim, "57", "Ketamine infusions for anxiety in adults with chronic pain",
                "Patients who later responded scored higher on anxiety scales than healthy controls.", n=40)
    assert s.stance == "neutral"


def test_a_definition_of_the_drug_is_background_but_an_unstructured_abstracts_last_sentence_concludes():
    from pipeline.rating.stance import background_spans, split_sentences

    text = ("In this study we measured glutamate receptors in 30 rats after stress. Ketamine is an NMDA "
            "receptor antagonist which is effective for depressive symptoms. Receptor levels were measured "
            "weekly. Ketamine is an effective treatment for depressive symptoms in these rats.")
    record = Record(source="local", id="pmid:58", title="Glutamate receptors in stressed rats", sections=(("", text),))
    sentences = split_sentences(record)
    background = background_spans(sentences)
    assert (sentences[1].start, sentences[1].end) in background
    assert (sentences[-1].start, sentences[-1].end) not in background
