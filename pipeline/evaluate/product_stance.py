"""`factcheck eval stance` (alias `product-stance`): how often the product's per-source stance
agrees with gold labels.

Each (claim, cited doc) pair of a SciFact-format (or MultiVerS-format: HealthVer, COVID-Fact) file
goes through the product path: the abstract is read by the extraction pipeline, the claim gets the
PICO terms `factcheck draft` would guess for it, and `rating.source.rate_source` (the relevance
gate, then `rating.reading.read_pair`: the stance encoder and its decision rule) decides supports /
contradicts / neutral. Gold SUPPORT and CONTRADICT map to supports and contradicts; a cited doc
that is not evidence should be neutral. `macro_f1_sides` averages supports and contradicts only,
for sets without "nothing" labels. Meant for training splits: never tune on a held-out file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from pipeline.evaluate.scifact import Doc, GoldClaim, doc_record, load_claims, load_corpus, product_claim
from pipeline.errors import InputError
from pipeline.nlp.extraction import extract_many
from pipeline.rating.source import rate_source

STANCES = ("supports", "contradicts", "neutral")
_GOLD = {"SUPPORT": "supports", "CONTRADICT": "contradicts"}


@dataclass(frozen=True)
class Outcome:
    """One (claim, cited doc) pair: the gold stance, the product's, and what it showed."""

    claim_id: str
    doc_id: str
    claim: str
    gold: str
    predicted: str
    signals: tuple[str, ...]
    rationale: tuple[str, ...]
    probs: tuple[float, float, float] = (0.0, 0.0, 1.0)  # the encoder's, of the deciding sentence


HELDOUT_PERCENT = 10


def held_out(claim: GoldClaim, dataset: str) -> bool:
    """Whether the encoder's training left this claim's group out (the rule of
    scripts/encoder_data.py: the group is the dataset and the first cited doc, shortest id first;
    a fixed 10% of groups by sha256), so figures on these claims are not fit figures."""
    cited = list(dict.fromkeys([*claim.cited, *claim.evidence]))
    group = f"{dataset}:{min(cited, key=lambda d: (len(d), d))}" if cited else f"{dataset}:claim{claim.id}"
    return int(hashlib.sha256(group.encode()).hexdigest()[:8], 16) % 100 < HELDOUT_PERCENT


def sample(claims: Sequence[GoldClaim], every: int) -> list[GoldClaim]:
    """Every `every`-th claim, a fixed, label-blind sample."""
    return [c for i, c in enumerate(claims) if i % every == 0]


def judge_pairs(claims: Sequence[GoldClaim], corpus: dict[str, Doc]) -> list[Outcome]:
    pairs = [(c, corpus[d]) for c in claims for d in c.cited]
    records = {doc.id: doc_record(doc) for _, doc in pairs}
    findings = dict(zip(records, extract_many(records.values())))
    out = []
    for claim, doc in pairs:
        rated = rate_source(product_claim(claim), records[doc.id], findings[doc.id])
        sa = rated.assessment
        gold = _GOLD.get(claim.evidence.get(doc.id, ("NEI",))[0], "neutral")
        probs = rated.reading.probs if rated.reading else (0.0, 0.0, 1.0)
        out.append(Outcome(claim.id, doc.id, claim.text, gold, sa.stance, sa.signals,
                           tuple(s.text for s in sa.rationale_sentences), probs))
    return out


def metrics(outcomes: Sequence[Outcome]) -> dict[str, object]:
    """Accuracy, macro-F1 over the three stances, the confusion table, and why gold-labelled
    pairs came out neutral (the first signal of the stance decision)."""
    per_class = {}
    for label in STANCES:
        tp = sum(1 for o in outcomes if o.gold == label == o.predicted)
        predicted = sum(1 for o in outcomes if o.predicted == label)
        gold = sum(1 for o in outcomes if o.gold == label)
        p, r = tp / predicted if predicted else 0.0, tp / gold if gold else 0.0
        per_class[label] = {"precision": round(p, 4), "recall": round(r, 4),
                            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}
    missed = Counter(_why_neutral(o) for o in outcomes if o.gold != "neutral" and o.predicted == "neutral")
    return {
        "pairs": len(outcomes),
        "accuracy": round(sum(1 for o in outcomes if o.gold == o.predicted) / len(outcomes), 4) if outcomes else 0.0,
        "macro_f1": round(sum(m["f1"] for m in per_class.values()) / 3, 4),
        "macro_f1_sides": round((per_class["supports"]["f1"] + per_class["contradicts"]["f1"]) / 2, 4),
        "per_class": per_class,
        "confusion": {g: {p: sum(1 for o in outcomes if o.gold == g and o.predicted == p) for p in STANCES}
                      for g in STANCES},
        "evidence_read_as_neutral_because": dict(missed.most_common()),
    }


_NEUTRAL_SIGNALS = ("low relevance", "encoder: says nothing about the claim",
                    "background claim: trial result not applicable")


def _why_neutral(outcome: Outcome) -> str:
    return next((s for s in outcome.signals if s in _NEUTRAL_SIGNALS), "other")


def run(args: argparse.Namespace) -> int:
    if args.every < 1:
        raise InputError(f"--every {args.every}: must be 1 or more", "give --every 1 for all claims")
    started = time.monotonic()
    claims = load_claims(args.claims)
    if args.heldout:
        claims = [c for c in claims if held_out(c, args.heldout)]
    claims = sample(claims, args.every)
    corpus = load_corpus(args.corpus)
    missing = sorted({d for c in claims for d in c.cited} - corpus.keys())
    if missing:
        raise InputError(f"{args.claims}: doc {missing[0]} is not in {args.corpus}",
                         "give the corpus file that belongs to these claims")
    outcomes = judge_pairs(claims, corpus)
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as fh:
            for o in outcomes:
                fh.write(json.dumps(asdict(o)) + "\n")
    out: dict[str, object] = {"claims": len(claims), **metrics(outcomes),
                              "seconds": round(time.monotonic() - started, 2)}
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0
