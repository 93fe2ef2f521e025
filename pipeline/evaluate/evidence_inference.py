"""Evidence Inference 2.0 prompts located in their abstracts: (sentence, intervention, comparator,
outcome) items for measuring and training the PICO finder. Pure reading; no network.

The folder (../shared/data/evidence-inference, see its PROVENANCE.md) holds the official train and
validation splits only. An item's text is the annotators' evidence passage: the first valid one
found in the abstract (their offsets point into the full article, so it is found by its text),
else the first valid one from the article's body that reads as a sentence (six words or more;
most passages are from the body, and table rows are left out).
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import InputError

SPLITS = ("train", "validation")


@dataclass(frozen=True)
class Prompt:
    prompt_id: str
    pmcid: str
    split: str
    title: str
    evidence: str  # the annotators' passage, as it reads in the abstract
    intervention: str
    comparator: str
    outcome: str


def _space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _require(path: Path) -> Path:
    if not path.exists():
        raise InputError(f"{path}: no such file", "point --data at ../shared/data/evidence-inference")
    return path


def load_prompts(folder: Path, split: str) -> list[Prompt]:
    """Every prompt of `split` whose valid evidence passage is found in its abstract, in file order."""
    if split not in SPLITS:
        raise InputError(f"unknown split '{split}'", f"use one of: {', '.join(SPLITS)}")
    abstracts: dict[str, dict] = {}
    with gzip.open(_require(folder / "abstracts.jsonl.gz"), "rt", encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            abstracts[record["pmcid"].removeprefix("PMC")] = record
    in_abstract: dict[str, str] = {}
    in_body: dict[str, str] = {}
    with open(_require(folder / "v2_annotations.csv"), newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            record = abstracts.get(row["PMCID"])
            passage = _space(row["Annotations"])
            if record is None or row["Valid Label"] != "True" or len(re.findall(r"[A-Za-z]{2,}", passage)) < 6:
                continue
            if passage in _space(" ".join(s["text"] for s in record["sections"])):
                in_abstract.setdefault(row["PromptID"], passage)
            else:
                in_body.setdefault(row["PromptID"], passage)
    passages = {**in_body, **in_abstract}
    out: list[Prompt] = []
    with open(_require(folder / "prompts.csv"), newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            record = abstracts.get(row["PMCID"])
            if record is None or record["split"] != split or row["PromptID"] not in passages:
                continue
            out.append(Prompt(row["PromptID"], row["PMCID"], split, _space(record["title"]), passages[row["PromptID"]],
                              _space(row["Intervention"]), _space(row["Comparator"]), _space(row["Outcome"])))
    return out
