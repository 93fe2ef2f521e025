"""Sentence-level (claim, sentence, label) pairs and abstract-level (claim, abstract, label) items from ../shared/data.

Every labelled set there: SciFact, HealthVer and COVID-Fact train (MultiVerS format), Check-COVID train
and dev, Evidence Inference 2.0 train and validation. Rationale sentences are positives; other sentences
of the same abstract, and of the most word-similar other abstract of the same corpus (hard negatives), are
"nothing", capped per positive. Claims of NEI abstracts give "nothing" pairs from that abstract.

Held-out parts (trained on by nothing): Check-COVID dev, the Evidence Inference validation split, and a
fixed 10% of the train sets' claim groups chosen by hash. Claims are grouped by their first cited
abstract, so near-duplicate claims written against one abstract (COVID-Fact's counter-claims, SciFact's
negations) never fall on both sides.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import random
import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

LABEL_INDEX = {"support": 0, "contradict": 1, "nothing": 2}
NOTHING_PER_POSITIVE = 2  # one from the same abstract, one hard negative from another
NOTHING_PER_NEI = 3  # sentences drawn from an abstract that neither supports nor contradicts
HELDOUT_PERCENT = 10
MULTIVERS_SETS = {  # name -> (claims, corpus), relative to the shared data folder
    "scifact": ("scifact/claims_train.jsonl", "scifact/corpus.jsonl"),
    "healthver": ("healthver/multivers_format/claims_train.jsonl", "healthver/multivers_format/corpus.jsonl"),
    "covidfact": ("covidfact/claims_train.jsonl", "covidfact/corpus.jsonl"),
}
_WORD = re.compile(r"[a-z0-9]+")
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\[])")
_STOP = frozenset("the a an of in and or to for with on by is are was were be as at from that this than not "
                  "no can may we our it its these those which who has have had".split())


@dataclass(frozen=True)
class Pair:
    """One sentence-level example; `split` is train, heldout (10% of train groups), checkcovid_dev or ei_validation."""
    dataset: str
    split: str
    group: str
    claim_id: str
    doc_id: str
    claim: str
    sentence: str
    label: str
    kind: str  # rationale, same_abstract, nei_abstract, other_abstract


@dataclass(frozen=True)
class AbstractItem:
    """One abstract-level example: a claim against one gold abstract (its title and sentences)."""
    dataset: str
    split: str
    group: str
    claim_id: str
    doc_id: str
    claim: str
    title: str
    sentences: tuple[str, ...]
    label: str


def heldout(group: str) -> bool:
    """A fixed 10% of groups, by hash (stable across runs and machines)."""
    return int(hashlib.sha256(group.encode()).hexdigest()[:8], 16) % 100 < HELDOUT_PERCENT


def _words(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2)


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


class _Corpus:
    """Abstracts of one set, with a word-overlap look-up of the most similar other abstract (hard negatives)."""

    def __init__(self, docs: dict[str, tuple[str, tuple[str, ...]]]):
        self.docs = docs
        self._words = {doc: _words(" ".join(sents)) for doc, (_, sents) in docs.items()}
        self._index: dict[str, set[str]] = defaultdict(set)
        for doc, words in self._words.items():
            for word in words:
                self._index[word].add(doc)

    def nearest_other(self, claim: str, exclude: set[str]) -> str | None:
        """The abstract sharing most claim words, outside `exclude` (a retrieved, wrong abstract)."""
        scores: Counter[str] = Counter()
        for word in _words(claim):
            hits = self._index.get(word, ())
            if len(hits) > len(self.docs) // 4:  # too common to say anything
                continue
            for doc in hits:
                if doc not in exclude:
                    scores[doc] += 1
        if not scores:
            return None
        return min(scores, key=lambda d: (-scores[d], d))


def _sample(rng: random.Random, items: list, k: int) -> list:
    return rng.sample(items, min(k, len(items)))


def _claim_pairs(rng: random.Random, corpus: _Corpus, meta: dict, doc: str, rationale: dict[int, str],
                 nothing_cap: int) -> list[Pair]:
    """Pairs of one claim against one abstract: each rationale sentence with its label, capped "nothing"."""
    _, sents = corpus.docs[doc]
    out = [Pair(**meta, doc_id=doc, sentence=sents[i], label=label, kind="rationale")
           for i, label in sorted(rationale.items()) if i < len(sents)]
    others = [s for i, s in enumerate(sents) if i not in rationale]
    kind = "same_abstract" if rationale else "nei_abstract"
    out += [Pair(**meta, doc_id=doc, sentence=s, label="nothing", kind=kind) for s in _sample(rng, others, nothing_cap)]
    return out


def _hard_negatives(rng: random.Random, corpus: _Corpus, meta: dict, claim: str, cited: set[str], k: int) -> list[Pair]:
    other = corpus.nearest_other(claim, cited)
    if other is None or k <= 0:
        return []
    _, sents = corpus.docs[other]
    return [Pair(**meta, doc_id=other, sentence=s, label="nothing", kind="other_abstract")
            for s in _sample(rng, list(sents), k)]


def multivers_set(shared: Path, name: str, rng: random.Random) -> tuple[list[Pair], list[AbstractItem]]:
    """SciFact / HealthVer / COVID-Fact train: claims with per-abstract evidence sentences (MultiVerS schema)."""
    claims_file, corpus_file = MULTIVERS_SETS[name]
    docs = {str(d["doc_id"]): (d.get("title", ""), tuple(d["abstract"])) for d in _read_jsonl(shared / corpus_file)}
    corpus = _Corpus(docs)
    pairs: list[Pair] = []
    items: list[AbstractItem] = []
    for row in _read_jsonl(shared / claims_file):
        evidence = {str(k): v for k, v in row.get("evidence", {}).items()}
        cited = [str(d) for d in row.get("cited_doc_ids", row.get("doc_ids", []))]
        cited = list(dict.fromkeys([*cited, *evidence]))
        group = f"{name}:{min(cited, key=lambda d: (len(d), d))}" if cited else f"{name}:claim{row['id']}"
        meta = dict(dataset=name, split="heldout" if heldout(group) else "train", group=group,
                    claim_id=f"{name}:{row['id']}", claim=row["claim"].strip())
        positives = 0
        for doc in cited:
            if doc not in docs:
                continue
            rationale: dict[int, str] = {}
            labels = set()
            for block in evidence.get(doc, []):
                label = block["label"].lower()
                labels.add(label)
                for i in block["sentences"]:
                    rationale[i] = label
            positives += len(rationale)
            cap = NOTHING_PER_POSITIVE // 2 * len(rationale) if rationale else NOTHING_PER_NEI
            pairs += _claim_pairs(rng, corpus, meta, doc, rationale, cap)
            abstract_label = labels.pop() if len(labels) == 1 else ("nothing" if not labels else None)
            if abstract_label is not None:
                title, sents = docs[doc]
                items.append(AbstractItem(**meta, doc_id=doc, title=title, sentences=sents, label=abstract_label))
        pairs += _hard_negatives(rng, corpus, meta, meta["claim"], set(cited), max(positives, 1) * (NOTHING_PER_POSITIVE // 2))
    return pairs, items


def checkcovid(shared: Path, rng: random.Random) -> tuple[list[Pair], list[AbstractItem]]:
    """Check-COVID train (10% of its abstracts held out) and dev (all held out): one abstract per claim."""
    docs = {d["cord_id"]: (d.get("title", ""), tuple(d["abstract"])) for d in _read_jsonl(shared / "checkcovid/corpus.json")}
    corpus = _Corpus(docs)
    label_of = {"SUPPORT": "support", "REFUTE": "contradict", "NOTENOUGHINFO": "nothing"}
    pairs: list[Pair] = []
    items: list[AbstractItem] = []
    for split_file, split in (("covidCheck_train_composed+extracted.json", None), ("covidCheck_dev_composed+extracted.json", "checkcovid_dev")):
        for row in _read_jsonl(shared / "checkcovid" / split_file):
            doc = row["cord_id"]
            if doc not in docs:
                continue
            group = f"checkcovid:{doc}"
            meta = dict(dataset="checkcovid", split=split or ("heldout" if heldout(group) else "train"), group=group,
                        claim_id=f"checkcovid:{row['id']}", claim=row["claim"].strip())
            label = label_of[row["label"]]
            rationale = {} if label == "nothing" else {e["sent_index"]: label for e in row.get("evidence_set", [])}
            cap = NOTHING_PER_POSITIVE // 2 * len(rationale) if rationale else NOTHING_PER_NEI
            pairs += _claim_pairs(rng, corpus, meta, doc, rationale, cap)
            pairs += _hard_negatives(rng, corpus, meta, meta["claim"], {doc}, max(len(rationale), 1) * (NOTHING_PER_POSITIVE // 2))
            title, sents = docs[doc]
            items.append(AbstractItem(**meta, doc_id=doc, title=title, sentences=sents, label=label))
    return pairs, items


def ei_claim(intervention: str, outcome: str, comparator: str) -> str:
    """An Evidence Inference prompt worded as an efficacy claim."""
    return f"{intervention.strip()} increases {outcome.strip()} compared with {comparator.strip()}"


def _ei_label(raw: str) -> str:
    return "support" if raw.startswith("significantly increase") else "contradict"


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _evidence_sentences(sentences: list[str], passage: str) -> set[int]:
    """Sentences of the abstract that the annotated passage covers (found by text: its offsets are the article's)."""
    target = _norm(passage)
    if not target:
        return set()
    hits = {i for i, s in enumerate(sentences) if (n := _norm(s)) and (n in target or target in n)}
    if hits:
        return hits
    words = set(target.split())
    best = max(range(len(sentences)), key=lambda i: len(words & set(_norm(sentences[i]).split())), default=None)
    if best is not None and len(words & set(_norm(sentences[best]).split())) >= 0.6 * len(words):
        return {best}
    return set()


def evidence_inference(shared: Path, rng: random.Random) -> tuple[list[Pair], list[AbstractItem]]:
    """Evidence Inference 2.0: prompts as claims; validation split held out, train split 10% held out by PMCID."""
    folder = shared / "evidence-inference"
    abstracts = {}
    with gzip.open(folder / "abstracts.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            sents = [part.strip() for sec in row["sections"] for part in _SPLIT.split(sec["text"]) if part.strip()]
            abstracts[row["pmcid"].removeprefix("PMC")] = (row["split"], row.get("title", ""), sents)
    with (folder / "prompts.csv").open(encoding="utf-8", newline="") as handle:
        prompts = {r["PromptID"]: r for r in csv.DictReader(handle)}
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    passages: dict[str, list[str]] = defaultdict(list)
    with (folder / "v2_annotations.csv").open(encoding="utf-8", newline="") as handle:
        for r in csv.DictReader(handle):
            if r["Valid Label"] != "True" or r["PromptID"] not in prompts:
                continue
            votes[r["PromptID"]][_ei_label(r["Label"])] += 1
            passages[r["PromptID"]].append(r["Annotations"])
    corpus = _Corpus({k: (t, tuple(s)) for k, (_, t, s) in abstracts.items()})
    pairs: list[Pair] = []
    items: list[AbstractItem] = []
    for pid in sorted(votes, key=int):
        prompt = prompts[pid]
        pmcid = prompt["PMCID"]
        if pmcid not in abstracts:
            continue
        split, title, sents = abstracts[pmcid]
        (label, top), *rest = votes[pid].most_common()
        if rest and rest[0][1] == top:  # annotators split evenly: no label to learn
            continue
        group = f"evidence_inference:{pmcid}"
        meta = dict(dataset="evidence_inference", group=group, claim_id=f"evidence_inference:{pid}",
                    split="ei_validation" if split == "validation" else ("heldout" if heldout(group) else "train"),
                    claim=ei_claim(prompt["Intervention"], prompt["Outcome"], prompt["Comparator"]))
        rationale = {i: label for passage in passages[pid] for i in _evidence_sentences(sents, passage)}
        if not rationale:
            # the passage lies in the article's body, not its abstract: it is still a sentence that decides the claim
            texts = dict.fromkeys(" ".join(t.split()) for t in passages[pid] if len(t.split()) >= 4)
            pairs += [Pair(**meta, doc_id=pmcid, sentence=t, label=label, kind="body_passage") for t in texts]
            pairs += _hard_negatives(rng, corpus, meta, meta["claim"], {pmcid}, len(texts) * (NOTHING_PER_POSITIVE // 2))
            continue
        pairs += _claim_pairs(rng, corpus, meta, pmcid, rationale, NOTHING_PER_POSITIVE // 2 * len(rationale))
        pairs += _hard_negatives(rng, corpus, meta, meta["claim"], {pmcid}, len(rationale) * (NOTHING_PER_POSITIVE // 2))
        items.append(AbstractItem(**meta, doc_id=pmcid, title=title, sentences=tuple(sents), label=label))
    return pairs, items


def cap_nothing(pairs: list[Pair], rng: random.Random, ratio: int = NOTHING_PER_POSITIVE) -> list[Pair]:
    """At most `ratio` "nothing" pairs per positive in each (dataset, split), so no set drowns its positives."""
    by_part: dict[tuple[str, str], list[Pair]] = defaultdict(list)
    for pair in pairs:
        by_part[(pair.dataset, pair.split)].append(pair)
    kept: set[int] = set()
    for part in by_part.values():
        nothing = [id(p) for p in part if p.label == "nothing"]
        positives = len(part) - len(nothing)
        kept.update(id(p) for p in part if p.label != "nothing")
        kept.update(_sample(rng, nothing, ratio * positives) if len(nothing) > ratio * positives else nothing)
    return [p for p in pairs if id(p) in kept]


def cap_per_set(pairs: list[Pair], cap: int, seed: int) -> list[Pair]:
    """At most `cap` pairs of each dataset (a seeded sample), so the largest set does not crowd out the rest."""
    rng = random.Random(seed)
    by_set: dict[str, list[Pair]] = defaultdict(list)
    for pair in pairs:
        by_set[pair.dataset].append(pair)
    keep = {id(p) for part in by_set.values() for p in (_sample(rng, part, cap) if len(part) > cap else part)}
    return [p for p in pairs if id(p) in keep]


def build(shared: Path, seed: int = 13) -> tuple[list[Pair], list[AbstractItem]]:
    """All pairs and abstract items, deterministic for a seed."""
    rng = random.Random(seed)
    pairs: list[Pair] = []
    items: list[AbstractItem] = []
    for name in MULTIVERS_SETS:
        p, i = multivers_set(shared, name, rng)
        pairs += p
        items += i
    for loader in (checkcovid, evidence_inference):
        p, i = loader(shared, rng)
        pairs += p
        items += i
    return cap_nothing(pairs, rng), items


def write_jsonl(path: Path, rows: list) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(asdict(row), ensure_ascii=False) + "\n")


def read_pairs(path: Path) -> list[Pair]:
    return [Pair(**row) for row in _read_jsonl(path)]


def read_items(path: Path) -> list[AbstractItem]:
    return [AbstractItem(**{**row, "sentences": tuple(row["sentences"])}) for row in _read_jsonl(path)]


def counts(pairs: list[Pair]) -> dict[tuple[str, str], Counter[str]]:
    """(dataset, split) -> label counts, for the `data` printout."""
    out: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for pair in pairs:
        out[(pair.dataset, pair.split)][pair.label] += 1
    return out
