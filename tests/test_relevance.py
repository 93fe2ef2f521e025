"""The relevance gate, phrase matching that keeps concepts apart, local search's phrase check, and
a whole run on hand-made claims about treatments no corpus here holds a study of (issue 14)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.phrases import phrase_in, text_positions
from pipeline.queries import build_queries
from pipeline.rating import assess
from pipeline.rating.relevance import gate
from pipeline.sources.fts_query import render
from pipeline.sources.local import LocalIndex, build_index
from pipeline.types import Claim, ClaimNumber, Finding, Query, QueryArm, Record, SearchResult

FIXTURES = Path(__file__).parent / "fixtures"


def record(rid: str, title: str, abstract: str, mesh: tuple[str, ...] = ()) -> Record:
    return Record(source="local", id=rid, title=title, sections=(("", abstract),), mesh=mesh)


def claim(**pico: tuple[str, ...]) -> Claim:
    return Claim(id="c", text=pico.pop("text", ("",))[0], quote="", kind="efficacy", **pico)


# --- phrases -------------------------------------------------------------------------------------


@pytest.mark.parametrize("phrase, text, expected", [
    ("fasting", "Fast foods: are they a risk factor for asthma?", False),
    ("fasting", "Adults fasted every other day for eight weeks.", True),
    ("weighted blankets", "Weight gain and blankets of snow", False),
    ("weighted blankets", "A weighted chain blanket for insomnia", True),
    ("exercise", "Participants exercising three times a week", True),
    ("anesthesia", "under general anaesthesia", True),
    ("tumor size", "tumours were measured in mice", False),
    ("randomized trial", "a randomised trial", True),
    ("alternate-day fasting", "fasting on alternate days for weight loss", True),
    ("vitamin D", "Vitamin C was given to every child in the first of the two trial arms; arm D had none.", False),
    ("vitamin D", "Vitamin D3 (cholecalciferol) or vitamin D", True),
])
def test_a_phrase_matches_as_a_phrase_and_morphology_keeps_concepts_apart(phrase, text, expected):
    assert phrase_in(phrase, text_positions(text.lower())) is expected


# --- the gate ------------------------------------------------------------------------------------

KETAMINE_PTSD = claim(intervention=("ketamine",), outcome=("PTSD symptoms",), population=("first responders",))


def test_a_record_of_another_treatment_does_not_test_the_claim():
    g = gate(KETAMINE_PTSD, record("1", "Propranolol for PTSD symptoms", "Propranolol reduced PTSD symptoms."))
    assert not g.tests_claim and g.reason == "does not study ketamine"


def test_a_record_of_another_outcome_does_not_test_the_claim():
    g = gate(KETAMINE_PTSD, record("2", "Ketamine for pain after surgery", "Ketamine reduced pain scores."))
    assert not g.tests_claim and g.reason == "does not report on PTSD symptoms"


def test_an_abbreviation_or_mesh_heading_and_an_outcome_family_pass_the_gate():
    g = gate(KETAMINE_PTSD, record("3", "Ketamine in veterans", "Posttraumatic stress disorder symptoms fell."))
    assert g.tests_claim and g.population == "unknown"
    weight = claim(intervention=("orlistat",), outcome=("weight",))
    assert gate(weight, record("4", "Orlistat trial", "Orlistat lowered body mass index by 2 units.")).tests_claim
    meshed = Claim(id="m", text="", quote="", kind="efficacy", intervention=("esketamine nasal spray",),
                   outcome=("depression",), mesh=(("intervention", ("Ketamine",)),))
    assert gate(meshed, record("5", "A trial", "Ketamine improved depression.")).tests_claim


def test_the_population_is_recorded_not_required():
    other = gate(KETAMINE_PTSD, record("6", "Ketamine for PTSD symptoms", "Veterans had fewer PTSD symptoms."),
                 other_population="veterans")
    assert other.tests_claim and other.population == "other" and "veterans" in other.population_note
    animal = gate(KETAMINE_PTSD, record("7", "Ketamine and PTSD symptoms in rats", "Rats."), nonclinical=True)
    assert animal.tests_claim and animal.population == "animal"
    same = gate(KETAMINE_PTSD, record("8", "Ketamine for first responders", "PTSD symptoms fell."))
    assert same.population == "same"


def test_pronouns_in_a_pico_field_constrain_nothing():
    c = claim(intervention=("ketamine",), outcome=("you",))
    assert gate(c, record("9", "Ketamine", "Ketamine was given.")).tests_claim


def test_a_claim_without_pico_is_gated_on_its_own_words():
    c = claim(text=("Zinc lozenges shorten colds.",))
    assert gate(c, record("10", "Zinc lozenges and the duration of colds", "Lozenges of zinc.")).tests_claim
    assert not gate(c, record("11", "Statins and cramps", "Statins caused cramps.")).tests_claim


def test_a_comparator_in_the_intervention_field_is_not_the_treatment():
    c = claim(intervention=("tart cherry juice", "placebo"), outcome=("insomnia",))
    trial = record("12", "Melatonin for insomnia", "Melatonin or placebo was given; insomnia improved.")
    g = gate(c, trial)
    assert not g.tests_claim and g.reason == "does not study tart cherry juice"
    cherry = record("13", "Tart cherry juice and insomnia", "Tart cherry juice versus placebo for insomnia.")
    assert gate(c, cherry).tests_claim


def test_an_outcome_alone_does_not_say_what_was_studied():
    c = claim(text=("Glucosamine sulfate did not reduce knee pain more than placebo.",), outcome=("knee pain",))
    other = record("14", "Exercise for knee pain", "An exercise programme reduced knee pain in older adults.")
    assert not gate(c, other).tests_claim
    same = record("15", "Glucosamine sulfate for knee pain", "Glucosamine sulfate did not reduce knee pain more "
                  "than placebo.")
    assert gate(c, same).tests_claim


def _finding(rid: str, n: int = 300) -> Finding:
    return Finding(record_id=rid, design="rct", sample_size=n)


def test_records_failing_the_gate_weigh_nothing_and_make_the_claim_unverifiable():
    recs = [record(str(i), f"Propranolol trial {i}", "Propranolol significantly reduced PTSD symptoms (p<0.001).")
            for i in range(5)]
    search = SearchResult(Query("c"), "q", "local", tuple(r.id for r in recs), 5)
    a = assess(KETAMINE_PTSD, [(r, _finding(r.id)) for r in recs], [search])
    assert a.verdict == "unverifiable"
    assert all(not s.tests_claim and s.weight == 0 and s.stance == "neutral" for s in a.sources)
    assert any("none of the 5 records studies ketamine" in r for r in a.reasons)


def test_a_statistic_no_study_tests_says_so_before_its_figures():
    c = Claim(id="c", text="Tart cherry juice added 84 minutes of sleep.", quote="", kind="statistic",
              intervention=("tart cherry juice",), outcome=("sleep",), numbers=(ClaimNumber(84, "minutes"),))
    rec = record("1", "Melatonin and sleep", "Melatonin added 30 minutes of sleep.")
    a = assess(c, [(rec, _finding(rec.id))], [SearchResult(Query("c"), "q", "local", ("1",), 1)])
    assert a.verdict == "unverifiable"
    assert a.reasons[0].startswith("No study that tests the claim was found") and "tart cherry juice" in a.reasons[0]


def test_high_confidence_needs_an_adequate_direct_study():
    c = claim(intervention=("ketamine",), outcome=("depressive symptoms",), population=("first responders",))
    text = "Ketamine significantly reduced depressive symptoms compared with placebo (p<0.001)."
    other = [record(str(i), "Ketamine for depressive symptoms in veterans: a randomised trial", text + " Veterans.")
             for i in range(4)]
    a = assess(c, [(r, Finding(r.id, "meta_analysis", sample_size=2000, n_studies=20)) for r in other])
    assert all(s.tests_claim and s.population != "same" for s in a.sources)
    assert a.confidence < 0.75


# --- local search ----------------------------------------------------------------------------------


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    rows = [
        {"doc_id": "f1", "title": "Fast foods: are they a risk factor for asthma?", "abstract": "Fast food intake and asthma."},
        {"doc_id": "f2", "title": "Intermittent fasting and body weight", "abstract": "Fasting lowered weight versus a usual diet."},
        {"doc_id": "f3", "title": "Intermittent fasting compared with placebo pills", "abstract": "Fasting lowered weight; placebo did not."},
    ]
    src = tmp_path / "c.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    build_index([src], tmp_path / "c.sqlite")
    return tmp_path / "c.sqlite"


def test_local_search_keeps_fasting_apart_from_fast_food(corpus: Path):
    q = Query("c", arms=(QueryArm("intervention", free_text=("fasting",)),))
    with LocalIndex(corpus) as index:
        result = index.search(q)
    assert set(result.ids) == {"doc:f2", "doc:f3"} and result.count == 2
    assert any("left out" in note for note in result.notes)


def test_the_comparator_ranks_and_never_filters(corpus: Path):
    arms = (QueryArm("intervention", free_text=("fasting",)), QueryArm("comparator", free_text=("placebo",)))
    assert "placebo" not in render(Query("c", arms=arms)).match
    with LocalIndex(corpus) as index:
        result = index.search(Query("c", arms=arms))
    assert result.ids[0] == "doc:f3" and set(result.ids) == {"doc:f2", "doc:f3"}
    with_comparator = claim(intervention=("fasting",), outcome=("weight",), comparator=("usual diet",))
    assert any(a.concept == "comparator" for q in build_queries(with_comparator) for a in q.arms)


# --- a whole run -----------------------------------------------------------------------------------


def test_hand_made_claims_without_studies_are_all_unverifiable(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setenv("FACTCHECK_CACHE", str(tmp_path / "cache.sqlite"))
    db = tmp_path / "corpus.sqlite"
    build_index([FIXTURES / "handmade_unrelated_records.jsonl"], db)
    out = tmp_path / "reports"
    assert main(["run", str(FIXTURES / "handmade_untested_claims.yaml"), "--source", "local",
                 "--corpus", str(db), "--out", str(out)]) == 0
    report = json.loads(next(out.glob("*.json")).read_text())
    assert report["claims"] and {c["verdict"] for c in report["claims"]} == {"unverifiable"}
    assert all(not c["sources"] for c in report["claims"])  # nothing counted for, against or "says nothing"
    assert all(s["weight"] == 0 for c in report["claims"] for s in c["off_topic"])
    assert report["summary"]["untested"] == [c["id"] for c in report["claims"]]
    assert report["searched"] == "a local corpus of 8 records"
    assert all(any("local corpus" in r for r in c["reasons"]) for c in report["claims"])
    # A record that names the treatment but not the outcome is found, and fails the gate.
    gated = [s for c in report["claims"] for s in c["off_topic"]]
    assert gated and all(s["gate_reason"].startswith("does not") and s["stance"] == "neutral" for s in gated)
    err = capsys.readouterr().err
    assert "7 of 7 claims had no study that tests them (searched a local corpus of 8 records)" in err
    html = next(out.glob("*.html")).read_text()
    assert "7 of 7 claims had no study that tests them" in html and "found but not about this claim" in html


def test_an_efficacy_claim_without_intervention_is_not_checked(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setenv("FACTCHECK_CACHE", str(tmp_path / "cache.sqlite"))
    db = tmp_path / "corpus.sqlite"
    build_index([FIXTURES / "handmade_unrelated_records.jsonl"], db)
    claims = tmp_path / "claims.yaml"
    claims.write_text('article:\n  title: "No intervention (hand-made)"\nclaims:\n'
                      '  - id: outcome-only\n    quote: "Sleep comes faster."\n    claim: Sleep comes faster.\n'
                      '    kind: efficacy\n    outcome: [sleep onset latency]\n')
    assert main(["run", str(claims), "--source", "local", "--corpus", str(db), "--out", str(tmp_path / "r")]) == 0
    report = json.loads(next((tmp_path / "r").glob("*.json")).read_text())
    only = report["claims"][0]
    assert not only["checked"] and "no intervention named: add one" in only["error"]
    assert only["queries"] == [] and only["sources"] == [] and only["off_topic"] == []


def test_confidence_does_not_grow_with_records_that_say_nothing():
    def conf(n: int, title: str) -> float:
        recs = [record(str(i), title, "The participants were followed for a year.") for i in range(n)]
        return assess(KETAMINE_PTSD, [(r, _finding(r.id)) for r in recs]).confidence
    assert conf(1, "Propranolol for PTSD symptoms") == conf(20, "Propranolol for PTSD symptoms")
    assert conf(1, "Ketamine and PTSD symptoms") == conf(20, "Ketamine and PTSD symptoms")
