"""`factcheck eval pico`: how often the drafter's PICO finder recovers the intervention and the
outcome that medical annotators wrote for a trial's evidence sentence (Evidence Inference 2.0).

Each validation prompt gives a sentence (the annotators' evidence passage; or, with `--input
title`, the trial's title) and the annotators' intervention and outcome. The finder reads the
sentence alone (no article topic). A found phrase matches a gold one under three definitions,
from strict to lenient:

- `exact`: the same content words (lowercase, stopwords and punctuation dropped);
- `f1`: token-overlap F1 of the content words >= 0.5;
- `content`: they share a content word that is not generic ("rate", "group", "mg", ...).

Recall: share of prompts where some found phrase matches the gold phrase. `recall_named` is the
same over the prompts whose sentence contains every content word of the gold phrase (the rest
cannot be found in the sentence at all). Precision: share of found phrases that match some gold
phrase of the same field among all the prompts of that trial (a trial has several prompts).
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

MATCHES = ("exact", "f1", "content")
_STOP = frozenset(
    "a an the and or of in on for to with by from at as is are was were be been this that these those their its "
    "than vs versus after before during between among per who which plus".split())
GENERIC_WORDS = frozenset(
    "rate rates level levels group groups mg kg g ml dose doses day days daily week weeks month months year years "
    "total mean change changes score scores time number patients patient treatment therapy use incidence "
    "proportion percentage risk effect effects control standard care usual baseline".split())


def content_words(phrase: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", phrase.lower()) if w not in _STOP]


def token_f1(found: str, gold: str) -> float:
    f, g = content_words(found), content_words(gold)
    if not f or not g:
        return 0.0
    shared = sum(min(f.count(w), g.count(w)) for w in set(f))
    if not shared:
        return 0.0
    precision, recall = shared / len(f), shared / len(g)
    return 2 * precision * recall / (precision + recall)


def matches(found: str, gold: str, how: str) -> bool:
    """Does a found phrase match a gold one under definition `how` (see the module docstring)?"""
    if how == "exact":
        return bool(content_words(found)) and content_words(found) == content_words(gold)
    if how == "f1":
        return token_f1(found, gold) >= 0.5
    if how == "content":
        return bool(set(content_words(found)) & set(content_words(gold)) - GENERIC_WORDS)
    raise ValueError(how)


def named_in(gold: str, sentence: str) -> bool:
    words = set(content_words(sentence))
    return bool(content_words(gold)) and all(w in words for w in content_words(gold))


@dataclass(frozen=True)
class Item:
    """One prompt as the finder sees it: its sentence, its gold phrase, and its trial's other gold phrases."""

    sentence: str
    gold: str
    trial_gold: frozenset[str]


def score_field(items: Sequence[Item], found: Sequence[Sequence[str]]) -> dict:
    """Recall, recall where the gold phrase is named, and precision, under each match definition."""
    out: dict = {"prompts": len(items), "named_in_sentence": sum(named_in(i.gold, i.sentence) for i in items),
                 "found_phrases": sum(len(f) for f in found),
                 "prompts_with_nothing_found": sum(not f for f in found)}
    for how in MATCHES:
        hits = [any(matches(f, item.gold, how) for f in phrases) for item, phrases in zip(items, found)]
        named = [h for item, h in zip(items, hits) if named_in(item.gold, item.sentence)]
        right = sum(any(matches(f, g, how) for g in item.trial_gold) for item, phrases in zip(items, found) for f in phrases)
        out[how] = {"recall": round(sum(hits) / len(items), 3) if items else 0.0,
                    "recall_named": round(sum(named) / len(named), 3) if named else 0.0,
                    "precision": round(right / out["found_phrases"], 3) if out["found_phrases"] else 0.0}
    return out


def items_of(prompts: Iterable, field: str, text_of: Callable) -> list[Item]:
    prompts = list(prompts)
    by_trial: dict[str, set[str]] = defaultdict(set)
    for p in prompts:
        by_trial[p.pmcid].add(getattr(p, field))
    return [Item(text_of(p), getattr(p, field), frozenset(by_trial[p.pmcid])) for p in prompts]


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from pipeline.draft.pico import Topic, guess_pico
    from pipeline.evaluate.evidence_inference import load_prompts

    prompts = load_prompts(Path(args.data), args.split)
    text_of = (lambda p: p.evidence) if args.input == "evidence" else (lambda p: p.title)
    picos = {}
    for p in prompts:
        text = text_of(p)
        if text not in picos:
            picos[text] = guess_pico(text, Topic(), tagger=not args.rules_only)
    report = {"data": args.data, "split": args.split, "input": args.input, "tagger": not args.rules_only,
              "prompts": len(prompts),
              "trials": len({p.pmcid for p in prompts})}
    for field in ("intervention", "outcome"):
        items = items_of(prompts, field, text_of)
        report[field] = score_field(items, [getattr(picos[i.sentence], field) for i in items])
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0
