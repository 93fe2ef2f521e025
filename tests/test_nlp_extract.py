"""Extraction: hand-written sentences for each rule, then real abstracts for robustness."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest
from lxml import etree

from pipeline.errors import InputError
from pipeline.nlp.extraction import (
    build_nlp,
    extract,
    extract_many,
    finding_to_json,
    records_from_jsonl,
)
from pipeline.nlp.design import classify_design
from pipeline.nlp.effects import find_effects
from pipeline.nlp.sample_size import find_sample_size
from pipeline.nlp.sections import inline_heading, section_kind
from pipeline.types import Finding, Record
from conftest import shared_file

RATIOS = {"OR", "RR", "HR", "IRR"}


@pytest.fixture(scope="module")
def nlp():
    return build_nlp()


def record(*sections: tuple[str, str], title: str = "A study", pub_types: tuple[str, ...] = ()) -> Record:
    return Record(source="test", id="t1", title=title, sections=tuple(sections), pub_types=pub_types)


def one(text: str, title: str = "A study", pub_types: tuple[str, ...] = (), nlp=None) -> Finding:
    return extract(record(("", text), title=title, pub_types=pub_types), nlp)


def assert_spans(rec: Record, finding: Finding) -> None:
    abstract = rec.abstract
    for e in finding.effects:
        assert abstract[e.span[0]:e.span[1]] == e.text
    for s in finding.sentences + finding.result_sentences:
        assert abstract[s.start:s.end] == s.text
    if finding.sample_size_text is not None:  # groups counted apart are joined with " | "
        assert all(part in abstract for part in finding.sample_size_text.split(" | "))


# --- effects ----------------------------------------------------------------------------


def test_odds_ratio_with_ci_and_p() -> None:
    text = "Exposure raised the risk of asthma (OR 2.3, 95% CI 1.4-3.8; P < .001)."
    [e] = find_effects(text)
    assert (e.measure, e.value, e.ci_low, e.ci_high) == ("OR", 2.3, 1.4, 3.8)
    assert (e.p_value, e.p_operator) == (0.001, "<")
    assert text[e.span[0]:e.span[1]] == e.text and e.text.startswith("OR 2.3")


@pytest.mark.parametrize("text, measure, value, low, high", [
    ("hazard ratio 0.75 (95% CI: 0.55 to 0.92)", "HR", 0.75, 0.55, 0.92),
    ("the effect was large (d=1.13, 95% CI=0.36, 1.91)", "SMD", 1.13, 0.36, 1.91),
    ("relative risk, 0.80 (95% CI, 0.70–0.91)", "RR", 0.80, 0.70, 0.91),
    ("adjusted odds ratio [OR], 1.9; 95% confidence interval [CI], 1.2 to 3.0", "OR", 1.9, 1.2, 3.0),
    ("the incidence rate ratio was 1.5 (1.1-2.0)", "IRR", 1.5, 1.1, 2.0),
    ("mean difference −2.3 points (95% CI −3.1 to −1.5)", "MD", -2.3, -3.1, -1.5),
    ("Hedges' g = 0.41 (95% CI 0.20 to 0.62)", "SMD", 0.41, 0.20, 0.62),
    ("an AUC of 0.81 (95% CI 0.77-0.85)", "AUC", 0.81, 0.77, 0.85),
    ("SMD -0.35 [-0.52, -0.18]", "SMD", -0.35, -0.52, -0.18),
])
def test_labelled_effects(text: str, measure: str, value: float, low: float, high: float) -> None:
    effects = [e for e in find_effects(text) if e.measure != "percent"]
    assert len(effects) == 1
    e = effects[0]
    assert (e.measure, e.value, e.ci_low, e.ci_high) == pytest.approx((measure, value, low, high))


def test_correlation_needs_equals_and_range() -> None:
    assert [(e.measure, e.value) for e in find_effects("correlated (r = 0.45, p = 0.002)")] == [("r", 0.45)]
    assert find_effects("r 12 was the variable") == []


def test_second_estimate_inherits_the_measure() -> None:
    text = ("the rate ratio was 0.36 (95% CI, 0.27 to 0.49) for A versus B and 0.83 "
            "(95% CI, 0.59 to 1.16) for A versus C")
    effects = find_effects(text)
    assert [(e.measure, e.value, e.ci_low, e.ci_high) for e in effects] == [
        ("IRR", 0.36, 0.27, 0.49), ("IRR", 0.83, 0.59, 1.16)]


def test_ci_that_does_not_contain_the_value_is_not_attached() -> None:
    [e] = find_effects("MD 5.0 (95% CI 1.0 to 3.0)")
    assert e.ci_low is None and e.ci_high is None


def test_percent_share_and_change() -> None:
    text = "67% of the ketamine group responded; mortality was reduced by 30% and costs increased by 12%."
    got = [(e.measure, e.value) for e in find_effects(text)]
    assert got == [("percent", 67.0), ("percent_change", -30.0), ("percent_change", 12.0)]


def test_ci_level_and_baseline_percentages_are_not_effects() -> None:
    text = "Participants (55% women, aged 40) had OR 1.5 (95% CI 1.1-2.0); 80% power was planned."
    assert [e.measure for e in find_effects(text)] == ["OR"]


def test_percentage_points_are_a_risk_difference() -> None:
    [e] = find_effects("an absolute gain of 8 percentage points in remission")
    assert (e.measure, e.value) == ("RD", 8.0)


def test_lower_case_or_is_a_word() -> None:
    assert find_effects("two or 3 sessions") == []


# --- sample size ------------------------------------------------------------------------


def size(*sentences: str, kind: str = "", meta: bool = False):
    offset, items = 0, []
    for s in sentences:
        items.append((s, offset, kind))
        offset += len(s) + 1
    return find_sample_size(items, " ".join(sentences), meta=meta)


@pytest.mark.parametrize("sentences, expected", [
    (("Forty-one patients were enrolled.",), 41),
    (("We studied a total of 1,204 participants.",), 1204),
    (("Overall, n = 120 adults took part.",), 120),
    (("In this trial, 250 patients were randomized; 230 patients were analysed.",), 250),
    (("Patients with psoriasis (n = 30) and healthy controls (n = 20) were compared.",), 50),
    (("We recruited 300 women and 200 men.",), 500),
    (("We examined 120 eyes of 60 patients with glaucoma.",), 60),
    (("Of 500 patients screened, 120 patients were enrolled.",), 120),
    (("The sample comprised 697 men and 649 women aged 16-47.",), 1346),
    (("Patients were randomly assigned to drug A (n = 167) or drug B (n = 160).",), 327),
    (("11 506 patients with hypertension were randomly assigned to two drugs.",), 11506),
    (("Of 3106 eligible patients, 286 were excluded, leaving 2820 patients.",), 3106),
    (("The 9,844 participants underwent detailed evaluations.",
      "In total, 469 participants had AD and 127 had VaD."), 9844),
    (("A trial enrolled 12,894 women with early breast cancer who had completed 5 years of "
      "treatment and were randomly allocated to continue or stop.",
      "Mortality was 3428 women in one arm against 3418 women in the other."), 12894),
    (("23 Patients aged 21-52 with diabetes (seven with neuropathy, nine without) and, from the same "
      "clinic over two years, 10 controls with a similar age distribution were studied.",), 33),
    (("We examined alveolar macrophages from 11 patients with tuberculosis.",
      "Cells from five clinically normal subjects served for comparison."), 16),
    (("A total of 6110 residents aged 65 years or older were enrolled.",
      "Control patients (n=4888) were matched to case patients for age and sex."), 6110),
    (("We studied liver biopsy specimens of 2 groups of 58 patients infected by HCV.",), 116),
    (("The study included 376 male recruits from camp A (intervention group) and 105 male recruits "
      "from camp B (control group).",), 481),
    (("Participants were adolescents (aged 12-19 years; n = 3110) and adults (aged 20-49 years; "
      "n = 2205) free from CVD.",), 5315),
    # Cohorts listed "A, B, and C" are summed like two arms.
    (("Participants were 500 women from the first study (1984-2008), 400 women from the second "
      "study (1991-2009), and 300 men from the third study who were free of disease at baseline.",), 1200),
    # The authors' own cases beside cases from the literature.
    (("Data on 10 of our own cases and 132 cases from literature are presented.",), 142),
    # A number word inside another word ("often", "weight") is not one; "ten" is.
    (("Often, ten patients were enrolled in the weight-loss arm.",), 10),
])
def test_sample_size(sentences: tuple[str, ...], expected: int) -> None:
    got = size(*sentences)
    assert got.n == expected
    assert got.text is not None and got.span is not None


@pytest.mark.parametrize("sentence", [
    "We examined 300 eyes and 450 samples over 12 years.",
    "Cells were treated for 24 hours in 96 wells.",
    "Depression affects about 1.5 million adults.",
])
def test_no_sample_size_when_no_people_are_counted(sentence: str) -> None:
    assert size(sentence).n is None


@pytest.mark.parametrize("sentence", [
    "Expression was consistent among 30 representative specimen pairs.",
    "We identified two families whose seizures suggested ADLTE.",
])
def test_specimens_and_families_are_not_participants(sentence: str) -> None:
    assert size(sentence).n is None


def test_meta_analysis_without_a_stated_total_has_no_sample_size() -> None:
    got = size("We included studies that were large (> or = 5000 participants).",
               "If 21 of 100 consecutive patients have the condition, 2 will be missed.", meta=True)
    assert got.n is None


def test_background_counts_do_not_win() -> None:
    got = find_sample_size([("Asthma affects 300 million people worldwide.", 0, "background"),
                            ("We enrolled 85 children.", 46, "methods")])
    assert got.n == 85


@pytest.mark.parametrize("first, second, expected", [
    ("We conducted a genome-wide association study of 2,032 cases.",
     "Markers were examined in a replication cohort of 3,978 cases.", None),
    ("We conducted a case-control study of 2,032 cases.",
     "Markers were examined in a further series of 3,978 cases.", 2032),
])
def test_a_study_in_stages_gives_no_single_sample_size(first: str, second: str, expected: int | None) -> None:
    assert size(first, second).n == expected


def test_meta_analysis_studies_and_participants() -> None:
    got = size("We included 25 randomized trials involving 12,345 participants.", meta=True)
    assert (got.n_studies, got.n) == (25, 12345)


# --- design -----------------------------------------------------------------------------


@pytest.mark.parametrize("title, text, pub_types, design", [
    ("Ketamine for depression: a randomized, double-blind, placebo-controlled trial",
     "Sixty patients were randomly assigned to ketamine or midazolam.", (), "rct"),
    ("Ketamine for depression", "An open-label, single-arm study of 20 patients.",
     ("Clinical Trial",), "nonrandomized_trial"),
    ("Ketamine for depression: a meta-analysis", "We pooled 9 trials.", ("Review",), "meta_analysis"),
    ("Exercise and mood", "We performed a systematic review of the literature.", (), "systematic_review"),
    ("Statins and dementia", "In this population-based cohort of 4,000 adults followed for 10 years.",
     (), "cohort"),
    ("Smoking and bladder cancer", "A case-control study of 300 cases and 600 controls.", (), "case_control"),
    ("Burnout in nurses", "A cross-sectional survey of 500 nurses.", (), "cross_sectional"),
    ("An unusual rash", "We report the case of a 45-year-old woman with a rash.", (), "case_report"),
    ("Variants in FTO", "A genome-wide association study in 5,000 adults.", (), "genetic_association"),
    ("Ketamine and synapses", "Mice received ketamine; in these mice, spine density rose.", (), "animal"),
    ("Drug X kills tumour cells", "In vitro, drug X killed HeLa cells and two other cell lines.", (),
     "in_vitro"),
    ("Cost of screening", "A Markov model estimated the cost-effectiveness of screening.", (), "modeling"),
    ("Asthma treatment", "This review summarises current treatments.", ("Review",), "narrative_review"),
    ("Notes", "Some words without any cue.", (), "other"),
    ("Nanog in lung cancer", "In total, 100 patients with lung cancer were included in the present study.",
     (), "cross_sectional"),
    ("Fat intake in Norway", "The 5-month intervention study included 376 male recruits.", (),
     "nonrandomized_trial"),
    ("Replication and meta-analysis of variants on 4q25 associated with atrial fibrillation",
     "We combined 12 cohorts in a meta-analysis.", (), "genetic_association"),
    ("Malaria transmission", "We developed an individual-based simulation model; prevalence fell.", (),
     "modeling"),
    ("Bezafibrate and diabetes", "The sample comprised 303 patients who received either bezafibrate "
     "(156 patients) or placebo (147 patients).", (), "rct"),
    ("HER-2 and chemotherapy", "Records of 115 patients were reviewed to find predictors of response "
     "to chemotherapy.", (), "cohort"),
    ("Gall stones with octreotide", "Stone composition was investigated in 14 octreotide treated "
     "acromegalic patients with gall stones.", (), "case_series"),
    ("Gall stones with octreotide", "Stones were compared in 14 treated patients and 20 healthy "
     "volunteers.", (), "case_control"),
    ("Lateral temporal epilepsy: two families with novel mutations in LGI1",
     "We identified two families whose seizures suggested the syndrome.", (), "case_series"),
])
def test_design(title: str, text: str, pub_types: tuple[str, ...], design: str, nlp) -> None:
    finding = one(text, title=title, pub_types=pub_types, nlp=nlp)
    assert finding.design == design, finding.design_reason
    assert finding.design_reason


def test_uncounted_text_without_a_study_is_a_narrative_review(nlp) -> None:
    text = " ".join(["Vitamin D is made in the skin and hydroxylated in the liver and kidney."] * 6)
    finding = one(text, title="Vitamin D status: measurement and interpretation", nlp=nlp)
    assert finding.design == "narrative_review", finding.design_reason
    assert finding.sample_size is None


def test_uncounted_laboratory_work_is_in_vitro(nlp) -> None:
    text = ("We examined whether fractions modulate secretion of the cytokine from mononuclear cells. "
            "We found that expression of the receptor rose, and mRNA levels of the enzyme doubled.")
    assert one(text, title="Flavonols and TGF-beta", nlp=nlp).design == "in_vitro"


def test_randomized_pt_survives_open_label_randomized(nlp) -> None:
    finding = one("An open-label randomized trial of 200 patients.", pub_types=("Clinical Trial",), nlp=nlp)
    assert finding.design == "rct"


def test_background_randomized_trials_do_not_make_an_rct() -> None:
    info = classify_design("Statin use and fractures", [
        ("Previous randomized trials have shown no benefit.", "background"),
        ("We followed a cohort of 3,000 women for 8 years.", "methods"),
    ], has_human_count=True)
    assert info.design == "cohort"


def test_animal_study_has_no_humans_and_no_sample_size(nlp) -> None:
    finding = one("Adult male rats (n = 24) were given ketamine. In rats, ketamine reduced immobility "
                  "by 40% (P < 0.01).", title="Ketamine in a rat model of depression", nlp=nlp)
    assert finding.design == "animal"
    assert finding.humans is False
    assert finding.sample_size is None


def test_human_trial_has_humans(nlp) -> None:
    finding = one("We randomly assigned 120 patients with depression to ketamine or placebo.", nlp=nlp)
    assert finding.humans is True and finding.sample_size == 120


# --- sections, sentences, findings ---------------------------------------------------------


def test_section_kinds_and_inline_headings() -> None:
    assert section_kind("RESULTS") == "results"
    assert section_kind("Methods and Findings") == "results"
    assert section_kind("BACKGROUND") == "background"
    assert section_kind("") == ""
    assert inline_heading("RESULTS We found 12 cases.") == "RESULTS"
    assert inline_heading("METHODS AND FINDINGS In 2001 we ...") == "METHODS AND FINDINGS"
    assert inline_heading("HIV infection is common.") == ""
    assert inline_heading("RT-PCR was used.") == ""


def test_structured_record_offsets_and_result_sentences(nlp) -> None:
    rec = record(
        ("BACKGROUND", "Ketamine may relieve depression (Fig. 1 shows why)."),
        ("METHODS", "We randomly assigned 60 adults given ketamine i.v. over 40 min to two arms."),
        ("RESULTS", "Response was 67% with ketamine vs. 20% with placebo (P = 0.002). OR 8.1 (2.4-27)."),
        ("CONCLUSIONS", "Ketamine works quickly."),
    )
    finding = extract(rec, nlp)
    assert_spans(rec, finding)
    assert [s.section for s in finding.sentences] == ["BACKGROUND", "METHODS", "RESULTS", "RESULTS",
                                                     "CONCLUSIONS"]
    assert {s.section for s in finding.result_sentences} == {"RESULTS", "CONCLUSIONS"}
    assert [(e.measure, e.value) for e in finding.effects] == [("percent", 67), ("percent", 20), ("OR", 8.1)]
    assert finding.effects[1].p_value == 0.002
    assert finding.sample_size == 60 and finding.design == "rct"


def test_extract_many_matches_extract(nlp) -> None:
    records = [record(("", f"We enrolled {n} patients. Pain fell by {n}% (p = 0.01).")) for n in (11, 22, 33)]
    assert list(extract_many(records, nlp)) == [extract(r, nlp) for r in records]


def test_finding_to_json_shape(nlp) -> None:
    rec = Record(source="jsonl", id="42", title="t", sections=(("", "OR 2.0 (95% CI 1.5-2.7) in 99 adults."),))
    out = finding_to_json(extract(rec, nlp))
    assert out["doc_id"] == 42
    assert set(out) >= {"doc_id", "humans", "design", "sample_size", "sample_size_text", "n_studies",
                        "effects", "result_sentences"}
    [effect] = out["effects"]
    assert set(effect) >= {"measure", "value", "ci_low", "ci_high", "p_value", "text", "start", "end"}
    assert rec.abstract[effect["start"]:effect["end"]] == effect["text"]
    json.dumps(out)


# --- JSONL input ---------------------------------------------------------------------------


def test_records_from_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(
        json.dumps({"doc_id": 7, "title": "T", "abstract": ["BACKGROUND Old idea.", "It matters.",
                                                              "RESULTS We found 3 cases."]}) + "\n\n"
        + json.dumps({"doc_id": "x9", "title": "U", "abstract": "Plain text.",
                      "pub_types": ["Review"]}) + "\n",
        encoding="utf-8")
    first, second = records_from_jsonl(path)
    assert first.id == "doc:7" and finding_to_json(extract(first))["doc_id"] == 7
    assert first.sections == (("BACKGROUND", "BACKGROUND Old idea. It matters."),
                              ("RESULTS", "RESULTS We found 3 cases."))
    assert second.sections == (("", "Plain text."),) and second.pub_types == ("Review",)


@pytest.mark.parametrize("line", ['{"doc_id": 1, "abstract": 5}', "not json", '["a"]',
                                  '{"title": "no id", "abstract": "x"}'])
def test_records_from_jsonl_bad_line(tmp_path: Path, line: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"doc_id": 1, "title": "ok", "abstract": "fine"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        list(records_from_jsonl(path))
    assert f"{path}:2" in str(err.value)


def test_records_from_jsonl_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        list(records_from_jsonl(tmp_path / "absent.jsonl"))


# --- real abstracts -------------------------------------------------------------------------


def test_nejm_rct_record(nlp) -> None:
    """PROVENANCE.md: a structured RCT abstract with counts, percentages, rate ratios and CIs."""
    tree = etree.parse(str(shared_file("pubmed-xml", "pubmed-29768149.xml")))
    sections = tuple((a.get("Label") or "", " ".join("".join(a.itertext()).split()))
                     for a in tree.iter("AbstractText"))
    rec = Record(source="pubmed", id="pmid:29768149", title=tree.findtext(".//ArticleTitle"),
                 sections=sections, pub_types=tuple(p.text for p in tree.iter("PublicationType")))
    finding = extract(rec, nlp)
    assert_spans(rec, finding)
    assert finding.design == "rct" and finding.humans is True
    # The total is the count the abstract says was randomised, read here with a plain regex.
    randomised = re.search(r"total of (\d+) patients underwent randomization", rec.abstract)
    assert randomised and finding.sample_size == int(randomised.group(1))
    rate_ratios = [e for e in finding.effects if e.measure == "IRR"]
    assert rate_ratios and all(e.ci_low is not None for e in rate_ratios)
    assert all(s.section in ("RESULTS", "CONCLUSIONS") for s in finding.result_sentences)


def test_scifact_smoke(nlp) -> None:
    path = shared_file("scifact", "corpus.jsonl")
    records = list(itertools.islice(records_from_jsonl(path), 300))
    findings = list(extract_many(records, nlp))
    assert len(findings) == len(records)
    for rec, finding in zip(records, findings):
        assert finding.record_id == rec.id
        assert_spans(rec, finding)
        for e in finding.effects:
            if e.ci_low is not None and e.ci_high is not None:
                tol = 0.011 if e.measure in RATIOS else 0.0
                assert e.ci_low - tol <= e.value <= e.ci_high + tol, e
        if finding.design == "animal":
            assert finding.humans is False and finding.sample_size is None
        if finding.sample_size is not None:
            assert finding.sample_size > 0
    assert any(f.effects for f in findings) and any(f.sample_size for f in findings)


def test_bare_intervals_take_the_measure_named_earlier() -> None:
    text = ("Hazard ratios (HR) and 95% CI for AD were 1.23 (0.97–1.55) and 1.57 (1.23–2.01) "
            "for borderline and high cholesterol; the RR for death was lower, 0·75 [0·62–0·90].")
    got = [(e.measure, e.value, e.ci_low, e.ci_high) for e in find_effects(text)]
    assert ("HR", 1.23, 0.97, 1.55) in got and ("HR", 1.57, 1.23, 2.01) in got
    assert ("RR", 0.75, 0.62, 0.90) in got


def test_bare_interval_without_a_measure_name_is_not_an_effect() -> None:
    assert find_effects("Mean age was 54 (40-60) years in the cohort.") == []


@pytest.mark.parametrize("sentences, expected", [
    # a trial's control arm is inside the randomised total, not a group beside it
    (("We randomised 120 patients to exercise or usual care.",
      "The control group (n = 60) received leaflets."), 120),
    # a count that is the sum of the others is the whole, not one more arm
    (("352 subjects were stratified into stratum I (235 subjects) and stratum II (117 subjects).",), 352),
    # "24 h than controls" is not a count of controls
    (("We studied 200 patients with poisoning.",
      "They needed less atropine during the first 24 h than controls."), 200),
])
def test_groups_that_are_not_added(sentences: tuple[str, ...], expected: int) -> None:
    assert size(*sentences).n == expected


@pytest.mark.parametrize("text, expected", [
    ("Thirty-four per cent of the subjects overused analgesics.", ("percent", 34.0)),
    ("Eighty percent of children reported daily play.", ("percent", 80.0)),
    ("SSBs provided 8.0% ± 0.4% of energy in youth.", ("percent", 8.0)),
    ("The absolute mortality reduction was 2·8%.", ("RD", 2.8)),
])
def test_percentage_notations(text: str, expected: tuple[str, float]) -> None:
    got = [(e.measure, e.value) for e in find_effects(text)]
    assert got == [expected]


def test_hypothetical_counts_are_not_a_sample() -> None:
    assert size("Sixty practices took part, with the potential to recruit 2,408 patients.").n is None


@pytest.mark.parametrize("sentences, expected", [
    (("A group of 27 Italian patients was screened for mutations.",
      "Mutations were found in 18 patients, with 28 alleles identified."), 27),
    (("Blood samples from 13 patients and 44 healthy individuals were screened.",
      "Mycoplasmas were detected in six patients and in two healthy individuals."), 57),
])
def test_outcome_counts_do_not_replace_the_study(sentences: tuple[str, ...], expected: int) -> None:
    assert size(*sentences).n == expected


def test_gates_never_hide_a_design_cue() -> None:
    """Each cue's substring gates must let through every text its pattern matches."""
    from pipeline.nlp.design import _CUES
    texts = [
        "a randomised, double-blind trial", "patients were randomly allocated", "an rct of 40 adults",
        "placebo or drug", "sham-controlled", "an open-label single-arm phase ii study", "pre-post design",
        "a before-and-after study", "a pilot trial", "dose-escalation", "a quasi-experimental study",
        "we report the case of a 45-year-old woman", "a case series of 12", "we describe 14 patients",
        "chart review", "two kindreds", "a genome-wide association study", "gwas", "linkage analysis",
        "snps were associated with", "mendelian randomization", "a case-control study",
        "cases and matched controls", "healthy volunteers", "a prospective cohort", "followed for 5 years",
        "register-based", "person-years", "incidence of stroke", "predictors of survival",
        "prognostic value", "a cross-sectional survey", "questionnaire", "prevalence of",
        "diagnostic accuracy", "a markov model", "cost-effectiveness", "we modelled transmission",
        "a simulation", "in this review we discuss", "an overview of", "a meta-analysis",
        "pooled analysis of 12 trials", "a systematic review", "a scoping review", "meta-regression",
    ]
    for name, gated in _CUES.items():
        for text in texts:
            assert bool(gated.search(text)) == bool(gated.pattern.search(text)), (name, text)


@pytest.mark.parametrize("sentence, expected", [
    ("The intervention reduced pain by -1.3 points (95% CI -2.38 to -0.22) compared with usual care.",
     ("MD", -1.3, -2.38, -0.22, "points")),
    ("The between-group difference was \u22122.1 mm Hg (95% CI, \u22123.5 to \u22120.7).",
     ("MD", -2.1, -3.5, -0.7, "mm Hg")),
    ("Scores improved by 4.2 units (95% CI, 1.1 to 7.3; P = .01) more than with placebo.",
     ("MD", 4.2, 1.1, 7.3, "units")),
    ("HbA1c fell by 0.5 percentage points (95% CI 0.3 to 0.7).", ("RD", 0.5, 0.3, 0.7, "percentage points")),
    ("Weight fell in the intervention group (+0.5 kg, 95% CI -0.42 to 1.42).", ("MD", 0.5, -0.42, 1.42, "kg")),
    ("The treatment effect was 5.7 points, 95% CI \u2212 2.9 to 14.3.", ("MD", 5.7, -2.9, 14.3, "points")),
])
def test_a_difference_in_units_takes_its_negative_value_and_ci(sentence: str, expected: tuple) -> None:
    (effect,) = find_effects(sentence)
    assert (effect.measure, effect.value, effect.ci_low, effect.ci_high, effect.unit) == expected


@pytest.mark.parametrize("sentence", [
    "Median survival was 23 months (95% CI, 20-29).",
    "Mean height was 162.4 cm [95% CI 162.1-162.7] in the cohort.",
])
def test_a_mean_or_median_with_its_ci_is_not_an_effect(sentence: str) -> None:
    assert find_effects(sentence) == []


@pytest.mark.parametrize("sentence, expected", [
    ("Data sources: 2008 adults surveys were pooled.", None),
    ("In 2008 adults aged 40 years or older were surveyed.", None),
    ("Between 1999 and 2004 patients were enrolled.", None),
    ("We enrolled 2008 adults in the trial.", 2008),
    ("A total of 1998 patients took part.", 1998),
])
def test_a_year_is_a_count_only_where_a_count_is_cued_before_it(sentence: str, expected: int | None) -> None:
    assert find_sample_size([(sentence, 0, "methods")], sentence).n == expected
