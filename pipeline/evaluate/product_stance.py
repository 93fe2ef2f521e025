"""`factcheck eval product-stance`: how often the product's per-source stance agrees with gold labels.

`factcheck eval scifact --oracle` measures the learned model alone; this runs each (claim, cited
doc) pair of a SciFact-format file through the product path instead: the abstract is read by the
extraction pipeline, the claim gets the PICO terms `factcheck draft` would guess for it, and
`rating.source.rate_source` (relevance gate, rule cues, outcome gating, the model's vote) decides
supports / contradicts / neutral. Gold SUPPORT and CONTRADICT map to supports and contradicts; a
cited doc that is not evidence should be neutral. Meant for training splits only: the rules are
tuned by looking at its output (`--dump`), so a held-out file would no longer be held out.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from pipeline.draft.pico import Topic, guess_pico
from pipeline.evaluate.scifact import Doc, GoldClaim, load_claims, load_corpus
from pipeline.errors import InputError
from pipeline.nlp import extract_many
from pipeline.rating.source import rate_source
from pipeline.sources.importers import record_from_json
from pipeline.types import Claim, Record

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


def product_claim(claim: GoldClaim) -> Claim:
    """The claim with the PICO terms the drafter guesses from its wording alone."""
    pico = guess_pico(claim.text, Topic())
    return Claim(id=claim.id, text=claim.text, quote=claim.text, kind="efficacy", population=pico.population,
                 intervention=pico.intervention, comparator=pico.comparator, outcome=pico.outcome)


def doc_record(doc: Doc) -> Record:
    """The abstract as the extraction reads it: sections told by SciFact's inline headings."""
    return record_from_json({"doc_id": doc.id, "title": doc.title, "abstract": list(doc.sentences)},
                            f"corpus doc {doc.id}", sections="headings")


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
        out.append(Outcome(claim.id, doc.id, claim.text, gold, sa.stance, sa.signals,
                           tuple(s.text for s in sa.rationale_sentences)))
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
        "per_class": per_class,
        "confusion": {g: {p: sum(1 for o in outcomes if o.gold == g and o.predicted == p) for p in STANCES}
                      for g in STANCES},
        "evidence_read_as_neutral_because": dict(missed.most_common()),
    }


_NEUTRAL_SIGNALS = ("low relevance", "no result language about the claim", "rules and model disagree",
                    "background claim: trial result not applicable")


def _why_neutral(outcome: Outcome) -> str:
    return next((s for s in outcome.signals if s in _NEUTRAL_SIGNALS), "other")


def run(args: argparse.Namespace) -> int:
    if args.every < 1:
        raise InputError(f"--every {args.every}: must be 1 or more", "give --every 1 for all claims")
    started = time.monotonic()
    claims = sample(load_claims(args.claims), args.every)
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
