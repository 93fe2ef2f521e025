"""PICO finding in drafts: treatments and outcomes from cue words, what may stand in a field,
the `validate` warning for a claim with no intervention, and `factcheck eval pico`."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from pipeline.claims import parse, warnings
from pipeline.cli import main
from pipeline.draft.article import read_file
from pipeline.draft.drafter import draft
from pipeline.draft.phrases import fit_for_pico, noun_phrase, phrase_before, trim
from pipeline.draft.pico import Topic, guess_pico
from pipeline.draft.tagger import MODEL_PATH, spans, train
from pipeline.draft.treatment_cues import find_treatments
from pipeline.evaluate.evidence_inference import load_prompts
from pipeline.evaluate.pico import Item, matches, score_field, token_f1

from conftest import shared_file

ARTICLES = Path(__file__).resolve().parent / "fixtures" / "articles"
# Hand-made (tests/fixtures/articles/wellness-shelf.txt says so): each study sentence and the
# word its intervention must contain. Written with the article, before the finder was run on it.
WELLNESS_TREATMENTS = {
    "curcumin": "curcumin", "melatonin shortened": "melatonin", "magnesium supplement": "magnesium",
    "collagen powder": "collagen", "amber-tinted": "lenses", "cold water": "cold water",
    "Lactobacillus": "lactobacillus", "combined with creatine": "creatine", "vitamin D": "vitamin d",
}
FORBIDDEN_STARTS = re.compile(r"^(?:you|your|it|they|we|going|of|about|this|that|those)\b|^\d", re.IGNORECASE)


# --- what may stand in a PICO field -----------------------------------------------------------

@pytest.mark.parametrize("phrase", ["you", "going", "of 3", "about 5", "it", "them", "normally", "12", "of the"])
def test_pronouns_verbs_and_number_fragments_are_unfit(phrase):
    assert not fit_for_pico(phrase)


@pytest.mark.parametrize("phrase", ["St John's wort", "CBT", "vitamin D", "daily shower", "ashwagandha extract"])
def test_treatment_names_are_fit(phrase):
    assert fit_for_pico(phrase)


def test_noun_phrase_stops_at_time_words_and_pronouns_but_keeps_an_inner_of():
    text = "took a magnesium supplement every evening"
    assert noun_phrase(text, text.index("a ")) == "magnesium supplement"
    text = "the time it takes"
    assert noun_phrase(text, 0) == "time"
    text = "a daily dose of vitamin D."
    assert noun_phrase(text, 0) == "daily dose of vitamin D"


def test_phrase_before_steps_over_an_adverb_and_a_bracket():
    text = "The estimation error (4.7%) was significantly lower"
    assert phrase_before(text, text.index(" was")) == "estimation error"
    text = "Peak pressure significantly fell"
    assert phrase_before(text, text.index(" fell")) == "Peak pressure"


# --- the finder on sentences -------------------------------------------------------------------

@pytest.mark.parametrize(("sentence", "treatment"), [
    ("In one trial, adults who fasted every other day lost more weight than those on a standard diet.",
     "fasting every other day"),
    ("Ashwagandha extract lowered stress scores in a small trial.", "ashwagandha extract"),
    ("St John's wort worked as well as prescription drugs for mild depression.", "St John's wort"),
    ("Sleeping under a weighted chain blanket reduced insomnia in psychiatric patients.", "weighted chain blanket"),
])
def test_the_issues_treatments_are_named(sentence, treatment):
    pico = guess_pico(sentence, Topic())
    assert pico.intervention[0] == treatment
    assert "drugs" not in pico.intervention  # the vague lexicon word does not stand beside the named one


def test_a_placebo_arm_is_a_comparator_not_an_intervention():
    pico = guess_pico("Adults who took curcumin reported less joint pain than those given a placebo.", Topic())
    assert pico.intervention == ("curcumin",) and pico.comparator == ("placebo",) and pico.outcome == ("joint pain",)


@pytest.mark.parametrize("phrase, trimmed", [
    ("tai chi twice", "tai chi"),
    ("red light helmet three times", "red light helmet"),
    ("a sauna session daily", "a sauna session"),
    ("three times", "three times"),  # nothing else left: the figure stays as said
])
def test_trim_drops_how_often_from_what(phrase, trimmed):
    assert trim(phrase) == trimmed


@pytest.mark.parametrize("sentence, treatment", [
    ("Chondroitin did not slow cartilage loss in a two-year trial.", "Chondroitin"),
    ("In older women a glass of warm milk before sleep shortened sleep latency.", "warm milk"),
    ("Two teaspoons of honey at night eased coughing in children.", "honey"),
])
def test_the_subject_of_an_effect_verb_past_a_negation_or_a_place_or_time(sentence, treatment):
    assert treatment in find_treatments(sentence)


def test_a_who_clause_names_what_follows_its_preposition():
    assert "switching to treadmill desks" in find_treatments("Clerks who switched to treadmill desks walked more.")


def test_a_time_before_an_effect_verb_is_no_treatment():
    assert not any("hours" in t for t in find_treatments("Turning off screens two hours before bed improved sleep."))


def test_a_placebo_found_by_any_rule_goes_to_the_comparator():
    pico = guess_pico("Adults who drank cherry juice slept longer than when they drank a placebo drink.",
                      Topic(), tagger=False)
    assert not any("placebo" in i.lower() for i in pico.intervention)


def test_trial_sentence_subject_is_the_outcome_and_the_arm_the_intervention():
    pico = guess_pico("Peak inspiratory pressure was significantly lower in the PRVC group than in the VC group.", Topic())
    assert pico.outcome[0] == "Peak inspiratory pressure"
    assert pico.intervention[0] == "PRVC"


def test_a_sentence_of_pronouns_and_figures_gets_no_pico():
    pico = guess_pico("You are going to lose about 5 kg in 3 weeks, with an average of 3 meals.", Topic())
    assert pico == type(pico)()


# --- the hand-made article ---------------------------------------------------------------------

def test_drafts_of_our_wellness_article_name_the_treatment():
    article, _ = read_file(ARTICLES / "wellness-shelf.txt")
    claims = draft(article).claims
    studied = [(c, word) for c in claims for key, word in WELLNESS_TREATMENTS.items() if key in c.quote]
    assert len(studied) >= 7, [c.quote for c in claims]
    named = [c.id for c, word in studied if any(word in i.lower() for i in c.pico.intervention)]
    assert len(named) >= 0.9 * len(studied), [(c.quote, c.pico.intervention) for c, _ in studied]
    for claim in claims:
        for field in (claim.pico.population, claim.pico.intervention, claim.pico.comparator, claim.pico.outcome):
            assert not any(FORBIDDEN_STARTS.search(v) for v in field), (claim.quote, field)


def test_every_study_sentence_of_the_article_names_its_treatment():
    text = (ARTICLES / "wellness-shelf.txt").read_text(encoding="utf-8")
    for key, word in WELLNESS_TREATMENTS.items():
        sentence = next(s for s in re.split(r"(?<=\.)\s+", text) if key in s)
        assert any(word in i.lower() for i in guess_pico(sentence, Topic()).intervention), sentence


# --- validate: an efficacy or safety claim with no intervention ----------------------------------

NO_INTERVENTION = """\
article:
  title: A test article
claims:
  - id: bare
    quote: "It lowers blood pressure."
    claim: Something lowers blood pressure.
    kind: efficacy
    outcome: [blood pressure]
  - id: named
    quote: "Beetroot juice lowers blood pressure."
    claim: Beetroot juice lowers blood pressure.
    kind: safety
    intervention: [beetroot juice]
  - id: context
    quote: "Blood pressure rises with age."
    claim: Blood pressure rises with age.
    kind: background
"""


def test_warnings_name_the_claim_its_line_and_the_fix():
    found = warnings(parse(NO_INTERVENTION, "claims.yaml"))
    assert [(w.line, "'bare'" in w.problem) for w in found] == [(4, True)]
    assert "add an intervention" in found[0].hint


def test_validate_warns_but_exits_0(tmp_path, capsys):
    path = tmp_path / "claims.yaml"
    path.write_text(NO_INTERVENTION, encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    err = capsys.readouterr().err
    assert f"{path}:4: warning:" in err and "add an intervention" in err and "'named'" not in err


# --- factcheck eval pico -------------------------------------------------------------------------

def test_match_definitions_on_hand_made_phrases():
    assert token_f1("magnesium sulfate", "intramuscular magnesium sulfate") == pytest.approx(0.8)
    assert matches("the Rates of restenosis", "rates of restenosis", "exact")
    assert not matches("restenosis", "Rates of restenosis at the target site", "f1")
    assert matches("restenosis", "Rates of restenosis at the target site", "content")
    assert not matches("total dose", "dose of heparin", "content")  # generic words alone do not match


def test_score_field_arithmetic():
    items = [Item("aspirin lowered pain", "aspirin", frozenset({"aspirin", "heparin"})),
             Item("the drug worked", "heparin", frozenset({"aspirin", "heparin"}))]
    found = [("aspirin", "pain"), ()]
    score = score_field(items, found)
    assert score["named_in_sentence"] == 1 and score["found_phrases"] == 2 and score["prompts_with_nothing_found"] == 1
    assert score["exact"] == {"recall": 0.5, "recall_named": 1.0, "precision": 0.5}


def _tiny_folder(tmp_path: Path) -> Path:
    sections = [{"label": "RESULTS", "text": "Pain was lower with aspirin than with placebo in this trial of adults."}]
    with gzip.open(tmp_path / "abstracts.jsonl.gz", "wt", encoding="utf-8") as fh:
        for pmcid, split in (("PMC1", "train"), ("PMC2", "validation")):
            fh.write(json.dumps({"pmcid": pmcid, "split": split, "title": "t", "sections": sections}) + "\n")
    (tmp_path / "prompts.csv").write_text(
        "PromptID,PMCID,Outcome,Intervention,Comparator\n1,1,pain,aspirin,placebo\n2,2,pain,aspirin,placebo\n"
        "3,2,nausea,aspirin,placebo\n", encoding="utf-8")
    (tmp_path / "v2_annotations.csv").write_text(
        "UserID,PromptID,PMCID,Valid Label,Valid Reasoning,Label,Annotations,Label Code,In Abstract,Evidence Start,Evidence End\n"
        "0,2,2,True,True,x,Nausea in the body text was rare in both arms of the trial,0,UNK,0,0\n"
        "1,2,2,True,True,x,Pain was lower with aspirin than with placebo,0,UNK,0,0\n"
        "0,3,2,False,True,x,Nausea was rare in both arms of the trial,0,UNK,0,0\n", encoding="utf-8")
    return tmp_path


def test_prompts_of_one_split_with_the_abstracts_passage_first(tmp_path):
    prompts = load_prompts(_tiny_folder(tmp_path), "validation")
    assert [(p.prompt_id, p.evidence) for p in prompts] == [("2", "Pain was lower with aspirin than with placebo")]
    assert load_prompts(tmp_path, "train") == []  # prompt 1 has no valid passage


def test_eval_pico_reports_every_definition(tmp_path, capsys):
    assert main(["eval", "pico", "--data", str(_tiny_folder(tmp_path))]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["prompts"] == 1
    for field in ("intervention", "outcome"):
        assert set(report[field]) >= {"exact", "f1", "content", "named_in_sentence"}


def test_eval_pico_on_a_missing_folder_is_bad_input(tmp_path, capsys):
    assert main(["eval", "pico", "--data", str(tmp_path / "absent")]) == 2
    assert "abstracts.jsonl.gz" in capsys.readouterr().err


def test_eval_pico_on_the_real_train_split(capsys):
    folder = shared_file("evidence-inference")
    assert main(["eval", "pico", "--data", str(folder), "--split", "train"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["prompts"] > 1000
    for field in ("intervention", "outcome"):
        scores = report[field]
        assert 0 <= scores["f1"]["recall"] <= scores["content"]["recall"] <= 1  # lenient >= strict
        assert scores["exact"]["recall"] <= scores["f1"]["recall"]


# --- the learned tagger --------------------------------------------------------------------------

def test_tagger_learns_cue_contexts_from_hand_made_sentences():
    made = [("Pain was lower with aspirin than with placebo", "O N N N I N N C"),
            ("Nausea was lower with ibuprofen than with placebo", "O N N N I N N C"),
            ("Fatigue was lower with caffeine than with water", "O N N N I N N C")]
    model = train([(text.split(), labels.split()) for text, labels in made], epochs=5)
    tokens = "Cough was lower with honey than with placebo".split()
    labels = model.tag(tokens)
    assert spans(tokens, labels, "I") == ["honey"] and spans(tokens, labels, "O") == ["Cough"]


def test_spans_keep_only_phrases_fit_for_a_field():
    tokens = ["you", "took", "vitamin", "D", "of", "3"]
    assert spans(tokens, ["I", "N", "I", "I", "N", "I"], "I") == ["vitamin D"]


def test_installed_tagger_is_small_and_fills_only_empty_fields():
    assert MODEL_PATH.stat().st_size < 2 * 2**20
    sentence = "Peak inspiratory pressure was significantly lower using PRVC than with VC."
    assert guess_pico(sentence, Topic(), tagger=None).intervention == guess_pico(sentence, Topic()).intervention
