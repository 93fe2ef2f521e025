"""The one stance path, `rating.reading.read_pair`, with a stand-in scorer (the decision logic, not
the model's quality), and the on-disk score cache with a counting encoder."""

from __future__ import annotations

import numpy as np
from test_rating import make

from pipeline.rating.encoder import Decision
from pipeline.rating.reading import read_pair
from pipeline.rating.score_cache import CachedScorer
from pipeline.types import Claim

CLAIM = Claim(id="kd", text="Ketamine reduces depressive symptoms in adults with depression.", quote="",
              kind="efficacy", population=("adults with depression",), intervention=("ketamine",),
              outcome=("depressive symptoms",))


class KeywordScorer:
    """P(support / contradict / nothing) by a word in the sentence: enough to drive the rule."""

    decision = Decision("max_sentence", 0.6)

    def __init__(self) -> None:
        self.asked: list[tuple[str, tuple[str, ...]]] = []

    def __call__(self, claim, sentences):
        self.asked.append((claim, tuple(sentences)))
        rows = [[0.8, 0.1, 0.1] if "reduced" in s else [0.1, 0.7, 0.2] if "did not" in s else [0.2, 0.2, 0.6]
                for s in sentences]
        return np.array(rows, dtype=np.float32).reshape(-1, 3)


def test_the_surest_sentence_decides_and_is_shown_with_its_probabilities():
    record, finding = make("1", "Ketamine in depression", "Ketamine reduced depressive symptoms (p<0.01).")
    scorer = KeywordScorer()
    r = read_pair(CLAIM, record, finding, True, scorer)
    assert r.stance == "supports" and r.label == "support"
    assert [s.text for s in r.rationale] == ["Ketamine reduced depressive symptoms (p<0.01)."]
    assert r.probs == (0.8, 0.1, 0.1)
    assert "encoder: support (p=0.80)" in r.signals
    assert "0.80" in r.reasons[0] and "reduced depressive symptoms" in r.reasons[0]
    # the title and the result sentence were read; the background was not
    assert scorer.asked[0][1] == ("Ketamine in depression", "Ketamine reduced depressive symptoms (p<0.01).")


def test_contradiction_and_nothing():
    record, finding = make("2", "A trial", "Ketamine did not reduce depressive symptoms.")
    assert read_pair(CLAIM, record, finding, True, KeywordScorer()).stance == "contradicts"
    record, finding = make("3", "A trial", "Patients were followed for a year.")
    r = read_pair(CLAIM, record, finding, True, KeywordScorer())
    assert r.stance == "neutral" and r.label == "nothing" and not r.rationale


def test_the_relevance_gate_comes_first_and_asks_the_encoder_nothing():
    record, finding = make("4", "A trial", "Ketamine reduced depressive symptoms.")
    scorer = KeywordScorer()
    r = read_pair(CLAIM, record, finding, False, scorer)
    assert r.stance == "neutral" and "low relevance" in r.signals and not scorer.asked


def test_a_background_claim_is_not_contradicted_by_a_trial_result():
    claim = Claim(id="b", text="Ketamine was first used as an anaesthetic.", quote="", kind="background",
                  intervention=("ketamine",), outcome=("anaesthetic",))
    record, finding = make("5", "A trial", "Ketamine did not reduce depressive symptoms.")
    r = read_pair(claim, record, finding, True, KeywordScorer())
    assert r.stance == "neutral" and "background claim: trial result not applicable" in r.signals


def test_a_cure_claim_supported_by_a_reduction_is_flagged_overstated():
    claim = Claim(id="c", text="Ketamine cures depression.", quote="", kind="efficacy",
                  intervention=("ketamine",), outcome=("depression",))
    record, finding = make("6", "A trial", "Ketamine reduced depressive symptoms.")
    r = read_pair(claim, record, finding, True, KeywordScorer())
    assert r.stance == "supports" and r.signals[0].startswith("claim stronger than evidence")


class CountingEncoder:
    model_hash = "m1"
    decision = Decision("max_sentence", 0.5)

    def __init__(self) -> None:
        self.pairs = 0

    def score(self, pairs):
        self.pairs += len(pairs)
        return np.array([[len(s) % 7 / 10, 0.1, 0.9 - len(s) % 7 / 10] for _, s in pairs], dtype=np.float32)


def test_scores_are_cached_on_disk_by_model_claim_and_sentence(tmp_path):
    db = tmp_path / "stance.sqlite"
    enc = CountingEncoder()
    first = CachedScorer(enc, db)("claim", ["a", "bb", "a"])
    assert enc.pairs == 2
    again = CachedScorer(enc, db)("claim", ["bb", "a"])  # a new process: from the file
    assert enc.pairs == 2 and np.allclose(again, first[[1, 0]])
    CachedScorer(enc, db)("another claim", ["a"])
    assert enc.pairs == 3
    other = CountingEncoder()
    other.model_hash = "m2"
    CachedScorer(other, db)("claim", ["a"])  # another model never reads the first one's scores
    assert other.pairs == 1


def test_without_a_path_scores_stay_in_memory(tmp_path):
    enc = CountingEncoder()
    scorer = CachedScorer(enc, None)
    scorer("c", ["x"])
    scorer("c", ["x"])
    assert enc.pairs == 1 and not list(tmp_path.iterdir())
