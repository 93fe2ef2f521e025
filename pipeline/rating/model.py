"""The learned stance model: load the committed weights and apply them, pure Python, no network.

Three small linear models over the named features of `features.py`, trained by
`scripts/train_stance.py` on the SciFact training split (HealthVer or COVID-Fact rows lowered its
cross-validated scores):

  selector  P(sentence is a rationale for the claim)          -> which sentences decide
  labeler   P(SUPPORT), P(CONTRADICT), P(NEI) from those sentences -> the stance
  reranker  P(abstract is evidence for the claim), from BM25 rank and overlap (open retrieval)

The file also holds the thresholds chosen by cross-validation on the training data (the open
setting's cut-off and pairs per claim).

Frozen sentence embeddings were measured as extra features and left out: all-MiniLM-L6-v2 cosines
(claim vs sentence, title, abstract), u*v and |u-v| vectors (raw or PCA-projected) and the claim
vector, on the same grouped folds, moved oracle macro-F1 by -0.06..+0.014 and open F1 by at most
+0.016 (recall@3 0.826 -> 0.858), below the +0.03 that would pay for encoding ~33 sentences/s.

Fine-tuning that model as a cross-encoder was measured too and left out: claim [SEP] the sentences
this selector picks (<= 96 tokens; for training also the gold rationale sentences), mean-pooled,
3-way head, LoRA r=8 on every linear layer (333k weights, balanced class weights, seeded and
deterministic), trained and tested on the same grouped folds as this labeller. Held-out oracle
macro-F1, fold 1 of 5 (201 pairs; this labeller 0.643): 0.501-0.521 alone, 0.602-0.620 stacked
with this labeller's log-probs (a softmax over both, fitted by inner CV; over this labeller's alone
0.640), whether SciFact only (1.1k pairs, 3-4 epochs), with 2.4k HealthVer + COVID-Fact pairs
added (CONTRADICT F1 fell to 0.29), or every weight fine-tuned. Folds 1-2 pooled (405 pairs):
0.479 alone, 0.603 stacked, against 0.646: far below the +0.03 gate. It confuses SUPPORT and
CONTRADICT more often than this model (36 pairs against 27 on fold 1), and would cost ~2 s per
training step of 16 pairs and ~75 ms per 128-token pair applied (torch, one thread).

Non-linear learners over these same features were measured and left out: LightGBM 4.7 (<= 200
trees, depth 2-4, L2 5-30, rounds by early stopping on the inner grouped folds, one thread,
seeded), on the same rows and grouped folds as `make train` (linear: oracle macro-F1 0.614, open F1
0.450). Labeller: boosted 0.562-0.591 (every feature or only the non-lexical ones), averaged with
this one 0.580-0.604, boosting this one's residual logits 0.602; HealthVer and/or COVID-Fact rows
added 0.476-0.550 (0.594 averaged). Pairwise crosses of the non-lexical features fed to this
fitter: 0.593-0.611. Selector: boosted or averaged, its top sentence is a gold rationale more often
(0.626 -> 0.672) yet the labeller built on it fell (oracle 0.592, open 0.441-0.458). Re-ranker:
boosted, open F1 0.459-0.465 (averaged 0.459-0.462, HealthVer/COVID-Fact rows 0.455-0.464, crosses
0.450-0.453), recall@3 0.816-0.835: all below the +0.02 gate. `features.py` already crosses the
claim's direction, negation and cues with the evidence's, likely why the trees found little to add.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.errors import InputError
from pipeline.rating.features import (
    ClaimView, Features, SentenceView, claim_view, coverage, doc_features, label_features,
    sentence_features, sentence_view,
)

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "stance_model.json"
LABELS = ("SUPPORT", "CONTRADICT", "NEI")


@dataclass(frozen=True)
class Linear:
    """A softmax-linear model: one weight per (feature name, class)."""

    classes: tuple[str, ...]
    weights: Mapping[str, tuple[float, ...]]

    def logits(self, features: Features) -> list[float]:
        out = [0.0] * len(self.classes)
        for name, value in features.items():
            w = self.weights.get(name)
            if w is not None and value:
                for k, wk in enumerate(w):
                    out[k] += wk * value
        return out

    def probs(self, features: Features) -> list[float]:
        z = self.logits(features)
        top = max(z)
        e = [math.exp(v - top) for v in z]
        s = sum(e)
        return [v / s for v in e]

    def contributions(self, features: Features, cls: int) -> list[tuple[str, float]]:
        """Each feature's push towards class `cls` against the others' mean, largest first."""
        out = []
        n = len(self.classes)
        for name, value in features.items():
            w = self.weights.get(name)
            if w is None or not value:
                continue
            push = value * (w[cls] - (sum(w) - w[cls]) / (n - 1))
            out.append((name, push))
        return sorted(out, key=lambda x: -x[1])

    def to_json(self) -> dict:
        return {"classes": list(self.classes),
                "weights": {k: [round(x, 5) for x in v] for k, v in sorted(self.weights.items())}}

    @classmethod
    def from_json(cls, data: Mapping) -> Linear:
        return cls(tuple(data["classes"]), {k: tuple(v) for k, v in data["weights"].items()})


@dataclass(frozen=True)
class Judgement:
    """The model's reading of one abstract for one claim."""

    label: str  # SUPPORT | CONTRADICT | NEI
    probs: tuple[float, float, float]  # in LABELS order
    rationale: tuple[int, ...]  # sentence indices, best first
    selector: tuple[float, ...]  # P(rationale) per sentence, in abstract order
    reasons: tuple[tuple[str, float], ...]  # features that pushed the label, strongest first


@dataclass(frozen=True)
class StanceModel:
    selector: Linear
    labeler: Linear
    reranker: Linear
    thresholds: Mapping[str, float]
    meta: Mapping[str, object]

    @property
    def rationale_k(self) -> int:
        return int(self.thresholds.get("rationale_k", 2))

    def select(self, claim: ClaimView, sents: Sequence[SentenceView]) -> tuple[float, ...]:
        """P(rationale) for every sentence of an abstract."""
        if not sents:
            return ()
        covs = [coverage(claim, s) for s in sents]
        best = max(covs)
        return tuple(self.selector.probs(sentence_features(claim, s, i, len(sents), best))[1]
                     for i, s in enumerate(sents))

    def rationale(self, selector: Sequence[float]) -> tuple[int, ...]:
        """The best sentence, plus the next ones while they are likely rationales themselves."""
        order = sorted(range(len(selector)), key=lambda i: (-selector[i], i))
        keep_at = self.thresholds.get("rationale_min", 0.5)
        return tuple(order[:1]) + tuple(i for i in order[1:self.rationale_k] if selector[i] >= keep_at)

    def judge(self, claim_text: str, sentences: Sequence[str]) -> Judgement:
        """Label one abstract (its sentences in order) for a claim."""
        claim = claim_view(claim_text)
        sents = [sentence_view(s) for s in sentences]
        sel = self.select(claim, sents)
        chosen = self.rationale(sel)
        feats = label_features(claim, tuple(sents[i] for i in chosen), tuple(sel[i] for i in chosen))
        probs = self.labeler.probs(feats)
        k = max(range(3), key=lambda i: probs[i])
        return Judgement(LABELS[k], (probs[0], probs[1], probs[2]), chosen, sel,
                         tuple(self.labeler.contributions(feats, k)[:6]))

    def rerank(self, claim_text: str, title: str, sentences: Sequence[str], rank: int,
               selector: Sequence[float]) -> float:
        """P(this retrieved abstract is evidence for the claim)."""
        claim = claim_view(claim_text)
        sents = [sentence_view(s) for s in sentences]
        best_cov = max((coverage(claim, s) for s in sents), default=0.0)
        feats = doc_features(claim, sentence_view(title), rank, max(selector, default=0.0), best_cov,
                             sentence_view(" ".join(sentences)))
        return self.reranker.probs(feats)[1]

    def to_json(self) -> dict:
        return {"meta": dict(self.meta), "thresholds": dict(self.thresholds),
                "selector": self.selector.to_json(), "labeler": self.labeler.to_json(),
                "reranker": self.reranker.to_json()}

    @classmethod
    def from_json(cls, data: Mapping) -> StanceModel:
        return cls(Linear.from_json(data["selector"]), Linear.from_json(data["labeler"]),
                   Linear.from_json(data["reranker"]), dict(data["thresholds"]),
                   dict(data.get("meta", {})))


def load_model(path: Path | None = None) -> StanceModel:
    """The committed model (or one at `path`); a typed error when it is missing or malformed."""
    return _load(str(path or MODEL_PATH))


@lru_cache(maxsize=4)
def _load(path: str) -> StanceModel:
    try:
        with open(path, encoding="utf-8") as fh:
            return StanceModel.from_json(json.load(fh))
    except FileNotFoundError:
        raise InputError(f"{path}: the stance model file is missing",
                         "run `make train` to build it from ../shared/data") from None
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{path}: not a stance model file ({exc})",
                         "run `make train` to rebuild it") from None
