"""Held-out figures of the encoder and the fit of its abstract-level decision rule.

Sentence level: argmax label of each held-out (claim, sentence) pair, macro-F1 per set and split.
Abstract level: one item per claim and gold abstract; the title and every sentence are scored, and the rule
"max_sentence" labels the abstract from the sentence with the highest max(P(support), P(contradict)):
that label if it is at least `threshold`, else "nothing". The threshold is fitted on the held-out 10% of
the train sets' claim groups (scores of a model that never trained on them), with grouped 5-fold CV
there for an honest figure; Check-COVID dev and Evidence Inference validation are only measured.
Macro-F1 is over the labels the set's gold uses (COVID-Fact and Evidence Inference have no "nothing").
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

import torch

from encoder_data import AbstractItem, Pair
from encoder_model import LABELS
from encoder_train import predict

THRESHOLDS = [round(0.30 + 0.025 * i, 3) for i in range(27)]  # 0.30 .. 0.95
ITEMS_PER_PART = 150  # abstract items scored per (dataset, split): each costs ~10 pair scorings
PAIRS_PER_PART = 1500
FOLDS = 5


def macro_f1(gold: list[str], pred: list[str]) -> float:
    """Mean F1 over the labels that occur in gold."""
    scores = []
    for label in sorted(set(gold)):
        tp = sum(g == label and p == label for g, p in zip(gold, pred))
        fp = sum(g != label and p == label for g, p in zip(gold, pred))
        fn = sum(g == label and p != label for g, p in zip(gold, pred))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores) if scores else float("nan")


def decide(probs: torch.Tensor, threshold: float) -> str:
    """The max_sentence rule on one abstract's [n_sentences, 3] probabilities."""
    strength = probs[:, :2].max(dim=1).values
    best = int(strength.argmax())
    if float(strength[best]) < threshold:
        return "nothing"
    return LABELS[int(probs[best, :2].argmax())]


def _stable(key: str) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)


def _subsample(rows: list, per_part: int, key) -> list:
    """At most per_part rows of each (dataset, split), chosen by a hash of the group (no reading of items)."""
    parts: dict[tuple[str, str], list] = defaultdict(list)
    for row in rows:
        parts[(row.dataset, row.split)].append(row)
    out = []
    for part in parts.values():
        out += sorted(part, key=lambda r: _stable(key(r)))[:per_part]
    return out


def fit_threshold(scored: list[tuple[AbstractItem, torch.Tensor]]) -> float:
    """The threshold with the best mean (over sets) macro-F1 on these items; ties go to the lower one."""
    def score(t: float) -> float:
        by_set: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
        for item, probs in scored:
            by_set[item.dataset][0].append(item.label)
            by_set[item.dataset][1].append(decide(probs, t))
        return sum(macro_f1(g, p) for g, p in by_set.values()) / max(1, len(by_set))
    return max(THRESHOLDS, key=lambda t: (score(t), -t))


def _abstract_f1(scored: list[tuple[AbstractItem, torch.Tensor]], threshold: float) -> dict[tuple[str, str], tuple[float, int]]:
    by_part: dict[tuple[str, str], tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for item, probs in scored:
        by_part[(item.dataset, item.split)][0].append(item.label)
        by_part[(item.dataset, item.split)][1].append(decide(probs, threshold))
    return {part: (macro_f1(g, p), len(g)) for part, (g, p) in by_part.items()}


def measure(model, tokenizer, pairs: list[Pair], items: list[AbstractItem], *, pairs_per_part: int = PAIRS_PER_PART,
            items_per_part: int = ITEMS_PER_PART) -> dict:
    """Sentence- and abstract-level macro-F1 per (dataset, split), the CV figure, and the fitted decision."""
    pairs = _subsample(pairs, pairs_per_part, lambda p: f"{p.group}|{p.claim_id}|{p.sentence}")
    items = _subsample(items, items_per_part, lambda i: f"{i.group}|{i.claim_id}|{i.doc_id}")
    claims = [p.claim for p in pairs]
    texts = [p.sentence for p in pairs]
    spans = []
    for item in items:
        texts_of = ([item.title] if item.title else []) + list(item.sentences)
        spans.append((len(texts), len(texts) + len(texts_of)))
        claims += [item.claim] * len(texts_of)
        texts += texts_of
    probs = predict(model, tokenizer, claims, texts)
    sentence: dict[tuple[str, str], tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for pair, row in zip(pairs, probs[:len(pairs)]):
        sentence[(pair.dataset, pair.split)][0].append(pair.label)
        sentence[(pair.dataset, pair.split)][1].append(LABELS[int(row.argmax())])
    scored = [(item, probs[a:b]) for item, (a, b) in zip(items, spans) if b > a]
    fit_on = [s for s in scored if s[0].split == "heldout"]
    # grouped CV of the threshold on the held-out train groups: each fold's figure from a threshold fitted without it
    cv_pred: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for fold in range(FOLDS):
        inside = [s for s in fit_on if _stable(s[0].group) % FOLDS != fold]
        outside = [s for s in fit_on if _stable(s[0].group) % FOLDS == fold]
        t = fit_threshold(inside)
        for item, p in outside:
            cv_pred[item.dataset][0].append(item.label)
            cv_pred[item.dataset][1].append(decide(p, t))
    threshold = fit_threshold(fit_on)
    return {
        "sentence": {part: (macro_f1(g, p), len(g)) for part, (g, p) in sentence.items()},
        "abstract": _abstract_f1(scored, threshold),
        "abstract_cv": {name: (macro_f1(g, p), len(g)) for name, (g, p) in cv_pred.items()},
        "decision": {"rule": "max_sentence", "threshold": threshold, "score": "max(P(support), P(contradict))",
                     "inputs": "title and each sentence of the abstract, paired with the claim",
                     "label": "argmax of support/contradict at the best sentence if its score >= threshold, else nothing",
                     "fitted_on": "held-out 10% of the train sets' claim groups (scripts/encoder_data.py)"},
        "pairs_scored": len(claims),
    }


def render(report: dict) -> str:
    lines = [f"{'level':10} {'dataset':20} {'split':15} {'macro-F1':>8} {'n':>5}"]
    for level in ("sentence", "abstract"):
        for (dataset, split), (f1, n) in sorted(report[level].items()):
            lines.append(f"{level:10} {dataset:20} {split:15} {f1:8.3f} {n:5}")
    for dataset, (f1, n) in sorted(report["abstract_cv"].items()):
        lines.append(f"{'abstractCV':10} {dataset:20} {'heldout (5-fold)':15} {f1:8.3f} {n:5}")
    lines.append(f"threshold {report['decision']['threshold']} ({report['pairs_scored']} pairs scored)")
    return "\n".join(lines)

