"""`factcheck eval draft --article A --claims C`: how well `factcheck draft` finds an editor's claims.

A hand-written claim is recalled when some drafted quote overlaps its quote: the words they
share cover at least `--overlap` of each (so a long drafted quote cannot swallow a short claim,
and a quote split over two drafted sentences still counts once its larger half is found).
Precision is the share of drafted claims that match a hand-written one.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.text import normalize_quotes

TARGET_RECALL = 0.9
TARGET_RATIO = 2.0  # at most twice as many drafted claims as real ones


def _words(text: str) -> Counter[str]:
    return Counter(re.findall(r"[a-z0-9]+", normalize_quotes(text).lower()))


def overlaps(gold: str, drafted: str, threshold: float = 0.5) -> bool:
    """Do two quotes share enough words: at least `threshold` of each one's words?"""
    g, d = _words(gold), _words(drafted)
    if not g or not d:
        return False
    shared = sum((g & d).values())
    return shared / sum(g.values()) >= threshold and shared / sum(d.values()) >= threshold


@dataclass(frozen=True)
class DraftScore:
    gold: int
    drafted: int
    recalled: int
    matched_drafts: int
    missed: tuple[int, ...]  # indexes of gold quotes no draft overlaps
    extra: tuple[int, ...]  # indexes of drafted quotes that overlap no gold quote

    @property
    def recall(self) -> float:
        return self.recalled / self.gold if self.gold else 0.0

    @property
    def precision(self) -> float:
        return self.matched_drafts / self.drafted if self.drafted else 0.0

    @property
    def ratio(self) -> float:
        return self.drafted / self.gold if self.gold else 0.0


def score_quotes(gold: Sequence[str], drafted: Sequence[str], threshold: float = 0.5) -> DraftScore:
    hits = [[overlaps(g, d, threshold) for d in drafted] for g in gold]
    missed = tuple(i for i, row in enumerate(hits) if not any(row))
    extra = tuple(j for j in range(len(drafted)) if not any(row[j] for row in hits))
    return DraftScore(gold=len(gold), drafted=len(drafted), recalled=len(gold) - len(missed),
                      matched_drafts=len(drafted) - len(extra), missed=missed, extra=extra)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from pipeline.claims import load
    from pipeline.draft.article import read_file
    from pipeline.draft.drafter import draft
    from pipeline.errors import InputError

    if not 0 < args.overlap <= 1:
        raise InputError(f"--overlap {args.overlap} is not a share", "give a number above 0 and at most 1, e.g. 0.5")
    gold = load(args.claims).claims
    article, _ = read_file(Path(args.article))
    drafted = draft(article, min_score=args.min_score).claims
    result = score_quotes([c.quote for c in gold], [c.quote for c in drafted], args.overlap)
    print(json.dumps({
        "article": args.article,
        "claims": args.claims,
        "gold_claims": result.gold,
        "drafted_claims": result.drafted,
        "recalled": result.recalled,
        "recall": round(result.recall, 3),
        "drafted_matching_gold": result.matched_drafts,
        "drafted_not_in_gold": len(result.extra),
        "precision": round(result.precision, 3),
        "drafted_per_gold": round(result.ratio, 2),
        "targets": {f"recall>={TARGET_RECALL}": result.recall >= TARGET_RECALL,
                    f"drafted<={TARGET_RATIO:g}x gold": result.ratio <= TARGET_RATIO},
        "missed": [gold[i].id for i in result.missed],
        "not_in_gold": [drafted[j].quote[:100] for j in result.extra],
    }, indent=2, ensure_ascii=False))
    return 0
