"""A small learned PICO tagger: each word of a sentence is an intervention (I), comparator (C),
outcome (O) or none (N), by an averaged perceptron over word, shape and context features.

Trained on the Evidence Inference train split only (`make train-pico`, scripts/train_pico_tagger.py);
the weights are pipeline/data/pico_tagger.json. Pure Python at run time (no torch, no numpy). The
drafter consults it only for a field its cue rules left empty.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from pipeline.draft.phrases import VERBS, WORD, fit_for_pico

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "pico_tagger.json"
LABELS = ("N", "I", "C", "O")
MAX_WORDS = 6  # a longer run is a clause the tagger swept up, not a term


def shape(token: str) -> str:
    """'Aspirin' -> 'Xx', 'IL-6' -> 'X-d', 'mg' -> 'x': the word's form, runs collapsed."""
    s = re.sub(r"[A-Z]+", "X", token)
    s = re.sub(r"[a-z]+", "x", s)
    return re.sub(r"[0-9]+", "d", s)


def features(tokens: list[str], i: int) -> list[str]:
    """What the tagger sees of word i: itself, its form, and two words either side."""
    def low(j: int) -> str:
        return tokens[j].lower() if 0 <= j < len(tokens) else ("<s>" if j < 0 else "</s>")
    w = low(i)
    out = ["b", "w=" + w, "sh=" + shape(tokens[i]), "suf=" + w[-3:], "pre=" + w[:3],
           "p1=" + low(i - 1), "n1=" + low(i + 1), "p2=" + low(i - 2), "n2=" + low(i + 2),
           "p1w=" + low(i - 1) + "|" + w, "wn1=" + w + "|" + low(i + 1), "p2p1=" + low(i - 2) + "|" + low(i - 1),
           "pos=" + str(min(i, 5)), "cap=" + str(tokens[i][:1].isupper())]
    return out


class Tagger:
    def __init__(self, weights: dict[str, dict[str, float]]) -> None:
        self.weights = weights

    def scores(self, feats: list[str], previous: str) -> dict[str, float]:
        totals = dict.fromkeys(LABELS, 0.0)
        for f in feats + ["prev=" + previous]:
            for label, weight in self.weights.get(f, {}).items():
                totals[label] += weight
        return totals

    def tag(self, tokens: list[str]) -> list[str]:
        """Greedy left to right: each word's label sees the previous word's label."""
        out: list[str] = []
        for i in range(len(tokens)):
            totals = self.scores(features(tokens, i), out[-1] if out else "<s>")
            out.append(max(LABELS, key=lambda label: (totals[label], -LABELS.index(label))))
        return out


def spans(tokens: list[str], labels: list[str], wanted: str) -> list[str]:
    """The runs of words tagged `wanted`, as phrases fit for a PICO field."""
    out: list[str] = []
    run: list[str] = []
    for token, label in zip(tokens + [""], labels + ["N"]):
        if label == wanted and token:
            run.append(token)
            continue
        if run:
            phrase = re.sub(r"\s+([)\]'\u2019-])|([(\[-])\s+", r"\1\2", " ".join(run)).strip(" ,;:.")
            if len(run) <= MAX_WORDS and fit_for_pico(phrase) and phrase.lower() not in (p.lower() for p in out) \
                    and not any(t.lower() in VERBS for t in run):
                out.append(phrase)
            run = []
    return out


@lru_cache(maxsize=1)
def load(path: Path = MODEL_PATH) -> Tagger | None:
    """The trained tagger, or None when no model file is installed (the rules then work alone)."""
    if not path.exists():
        return None
    return Tagger(json.loads(path.read_text(encoding="utf-8"))["weights"])


def tag_sentence(text: str, tagger: Tagger | None = None) -> dict[str, list[str]]:
    """Interventions, comparators and outcomes the tagger finds in a sentence."""
    tagger = tagger or load()
    if tagger is None:
        return {"I": [], "C": [], "O": []}
    tokens = [m.group(0) for m in WORD.finditer(text)]
    labels = tagger.tag(tokens)
    return {label: spans(tokens, labels, label) for label in ("I", "C", "O")}


def train(examples: list[tuple[list[str], list[str]]], epochs: int = 5, seed: int = 0) -> Tagger:
    """Averaged perceptron over (tokens, labels) examples; deterministic for a given seed."""
    import random

    weights: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    stamps: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    step = 0
    order = list(range(len(examples)))
    rng = random.Random(seed)

    def update(feature: str, label: str, delta: float) -> None:
        totals[feature][label] += (step - stamps[feature][label]) * weights[feature][label]
        stamps[feature][label] = step
        weights[feature][label] += delta

    for _ in range(epochs):
        rng.shuffle(order)
        for index in order:
            tokens, gold = examples[index]
            previous = "<s>"
            for i in range(len(tokens)):
                step += 1
                feats = features(tokens, i) + ["prev=" + previous]
                totals_now = dict.fromkeys(LABELS, 0.0)
                for f in feats:
                    for label, weight in weights.get(f, {}).items():
                        totals_now[label] += weight
                guess = max(LABELS, key=lambda label: (totals_now[label], -LABELS.index(label)))
                if guess != gold[i]:
                    for f in feats:
                        update(f, gold[i], 1.0)
                        update(f, guess, -1.0)
                previous = gold[i]  # teacher forcing: the previous word's true label
    averaged: dict[str, dict[str, float]] = {}
    for feature, by_label in weights.items():
        kept = {}
        for label, weight in by_label.items():
            total = totals[feature][label] + (step - stamps[feature][label]) * weight
            value = round(total / step, 3)
            if value:
                kept[label] = value
        if kept:
            averaged[feature] = kept
    return Tagger(averaged)

