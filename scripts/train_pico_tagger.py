"""Train the PICO tagger (pipeline/draft/tagger.py) on the Evidence Inference TRAIN split only.

    .venv/bin/python scripts/train_pico_tagger.py [--data ../shared/data/evidence-inference]
        [--out pipeline/data/pico_tagger.json] [--holdout]

Labels are distant: a word of an evidence passage (or of the trial's title) is I, C or O when it is
a content word of the annotators' intervention, comparator or outcome for that trial (a word in
two of them is left N; a single function word between two words of one label takes that label).
--holdout trains on 80% of the train trials and prints `factcheck eval pico` figures on the other
20% (rules alone, then rules with the tagger as fallback), to choose without the validation split.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import zlib
from collections import defaultdict
from pathlib import Path

from pipeline.draft.phrases import WORD
from pipeline.draft.tagger import MODEL_PATH, train
from pipeline.evaluate.evidence_inference import load_prompts
from pipeline.evaluate.pico import GENERIC_WORDS, content_words, items_of, score_field

MIN_WEIGHT = 1.0  # smaller averaged weights are dropped: the model file stays under 1 MB


def label_sentence(text: str, arms: dict[str, set[str]]) -> tuple[list[str], list[str]]:
    tokens = [m.group(0) for m in WORD.finditer(text)]
    labels = []
    for token in tokens:
        low = token.lower()
        hits = [label for label, words_ in arms.items() if low in words_ and low not in GENERIC_WORDS]
        labels.append(hits[0] if len(hits) == 1 else "N")
    for i in range(1, len(tokens) - 1):  # "rates of restenosis": a lone function word joins its label's run
        if labels[i] == "N" and labels[i - 1] == labels[i + 1] != "N" and not content_words(tokens[i]):
            labels[i] = labels[i - 1]
    return tokens, labels


def examples(prompts: list) -> list[tuple[list[str], list[str]]]:
    by_text: dict[str, dict[str, set[str]]] = defaultdict(lambda: {"I": set(), "C": set(), "O": set()})
    by_trial: dict[str, dict[str, set[str]]] = defaultdict(lambda: {"I": set(), "C": set(), "O": set()})
    titles: dict[str, str] = {}
    for p in prompts:
        for arms in (by_text[p.evidence], by_trial[p.pmcid]):
            arms["I"].update(content_words(p.intervention))
            arms["C"].update(content_words(p.comparator))
            arms["O"].update(content_words(p.outcome))
        titles[p.pmcid] = p.title
    out = [label_sentence(text, arms) for text, arms in sorted(by_text.items())]
    out += [label_sentence(titles[pmcid], arms) for pmcid, arms in sorted(by_trial.items())]
    return [(tokens, labels) for tokens, labels in out if tokens]


def pruned(weights: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    out = {}
    for feature, by_label in sorted(weights.items()):
        kept = {label: round(w, 2) for label, w in by_label.items() if abs(w) >= MIN_WEIGHT}
        if kept:
            out[feature] = kept
    return out


def holdout(prompts: list) -> None:
    from pipeline.draft import pico, tagger as tagger_module

    def in_dev(pmcid: str) -> bool:
        return zlib.crc32(pmcid.encode()) % 5 == 0
    fit_on = [p for p in prompts if not in_dev(p.pmcid)]
    dev = [p for p in prompts if in_dev(p.pmcid)]
    model = tagger_module.Tagger(pruned(train(examples(fit_on)).weights))
    for name in ("rules", "rules+tagger"):
        for source in ("evidence", "title"):
            text_of = (lambda p: p.evidence) if source == "evidence" else (lambda p: p.title)
            found = {}
            for p in dev:
                text = text_of(p)
                found[text] = pico.guess_pico(text, pico.Topic(), tagger=model if name == "rules+tagger" else None)
            row = {}
            for field in ("intervention", "outcome"):
                items = items_of(dev, field, text_of)
                score = score_field(items, [getattr(found[i.sentence], field) for i in items])
                row[field] = {how: score[how] for how in ("exact", "f1", "content")}
            print(json.dumps({"setting": name, "input": source, "dev_prompts": len(dev), **row}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/data/evidence-inference")
    parser.add_argument("--out", default=str(MODEL_PATH))
    parser.add_argument("--holdout", action="store_true", help="measure on 20%% of the train trials instead")
    args = parser.parse_args(argv)
    prompts = load_prompts(Path(args.data), "train")  # the validation split is never read here
    if args.holdout:
        holdout(prompts)
        return 0
    data = examples(prompts)
    weights = pruned(train(data).weights)
    Path(args.out).write_text(json.dumps({"trained_on": "evidence-inference train split", "sentences": len(data),
                                          "weights": weights}, separators=(",", ":")), encoding="utf-8")
    print(f"{args.out}: {len(weights)} features from {len(data)} sentences "
          f"({Path(args.out).stat().st_size / 2**20:.2f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
