"""`factcheck eval scifact`: stance and retrieval quality on SciFact-format claim/corpus files.

Open setting (default): every claim is searched in the whole corpus with the product's local
FTS5 index (BM25), the top `--candidates` are read by the product's stance path
(`rating.source.rate_source`: relevance gate, then the stance encoder), re-ranked by how surely
their surest sentence takes a side, and the top three that take one are predicted. Abstract-level label-only precision/recall/F1 as SciFact
defines them (a predicted pair is right when the doc is gold evidence with the same label), and
retrieval recall@3/@10 of the gold evidence docs.

Oracle setting (`--oracle`): the same path on each claim against each cited doc (`cited_doc_ids`, or `doc_ids` in
the MultiVerS format of HealthVer/COVID-Fact): SUPPORT / CONTRADICT / NEI accuracy and macro-F1.

Both settings report sentence-level precision/recall of the rationale sentences the model shows
against the gold evidence sentences of gold evidence docs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.draft.pico import Topic, guess_pico
from pipeline.errors import InputError
from pipeline.nlp.extraction import extract_many
from pipeline.rating.source import Rated, rate_source
from pipeline.rating.terms import STOPWORDS
from pipeline.sources.importers import read_jsonl, record_from_json
from pipeline.types import Claim, Finding, Query, Record, Sentence

CANDIDATES = 20  # BM25 candidates re-ranked per claim
LABELS = ("SUPPORT", "CONTRADICT", "NEI")
GOLD_LABEL = {"support": "SUPPORT", "contradict": "CONTRADICT", "nothing": "NEI"}
MAX_PAIRS = 3  # SciFact allows at most three predicted abstracts per claim


@dataclass(frozen=True)
class Doc:
    id: str
    title: str
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class GoldClaim:
    id: str
    text: str
    evidence: dict[str, tuple[str, frozenset[int]]]  # doc id -> (label, rationale sentence indices)
    cited: tuple[str, ...]


def _read_objects(path: Path, what: str, shape: str) -> Iterator[tuple[str, dict]]:
    """("file:line", object) for each line of a JSON Lines file (the project's one reader)."""
    for where, data in read_jsonl(path, what, shape):
        if not isinstance(data, dict):
            raise InputError(f"{where}: expected a JSON object", f"each line must be one JSON object {shape}")
        yield where, data


def load_corpus(path: Path) -> dict[str, Doc]:
    """doc_id -> Doc from a SciFact-format corpus (title, abstract as a list of sentences)."""
    docs = {}
    for where, data in _read_objects(Path(path), "--corpus", "{doc_id, title, abstract}"):
        abstract = data.get("abstract")
        if "doc_id" not in data or not isinstance(abstract, list):
            raise InputError(f"{where}: not a SciFact corpus line",
                             'expected {"doc_id": ..., "title": "...", "abstract": ["sentence", ...]}')
        docs[str(data["doc_id"])] = Doc(str(data["doc_id"]), str(data.get("title") or ""),
                                        tuple(str(s) for s in abstract))
    return docs


def load_claims(path: Path) -> list[GoldClaim]:
    """Claims with evidence {doc_id: [{sentences, label}]} and cited_doc_ids (or doc_ids)."""
    claims = []
    for where, data in _read_objects(Path(path), "--claims", "{id, claim, evidence, cited_doc_ids}"):
        hint = ('expected {"id": ..., "claim": "...", "evidence": {doc_id: [{"sentences": [...], '
                '"label": "SUPPORT|CONTRADICT"}]}, "cited_doc_ids": [...]}')
        if "claim" not in data or not isinstance(data.get("evidence", {}), dict):
            raise InputError(f"{where}: not a SciFact claim line", hint)
        evidence = {}
        for doc_id, sets in (data.get("evidence") or {}).items():
            labels = {s.get("label") for s in sets}
            if not sets or not labels <= {"SUPPORT", "CONTRADICT"}:
                raise InputError(f"{where}: evidence for doc {doc_id} needs SUPPORT or CONTRADICT", hint)
            evidence[str(doc_id)] = (sorted(labels)[0] if len(labels) == 1 else "SUPPORT",
                                     frozenset(i for s in sets for i in s.get("sentences", ())))
        cited = data.get("cited_doc_ids", data.get("doc_ids", []))
        claims.append(GoldClaim(str(data.get("id", where.rsplit(":", 1)[-1])), str(data["claim"]).strip(), evidence,
                                tuple(dict.fromkeys(str(d) for d in cited))))
    return claims


# --- retrieval ------------------------------------------------------------------------------


def open_index(corpus: Path, cache: Path = Path(".cache/eval")):
    """The product's local FTS5 index of `corpus`, built once per corpus content."""
    from pipeline.sources.local import LocalIndex, build_index

    digest = hashlib.sha256(Path(corpus).read_bytes()).hexdigest()[:16]
    db = cache / f"{Path(corpus).stem}-{digest}.sqlite"
    if not db.is_file():
        build_index([Path(corpus)], db)
    return LocalIndex(db)


def claim_query(claim: GoldClaim) -> Query:
    """The claim's content words ORed: BM25 ranks abstracts by how many (and how rare) they share."""
    words = []
    for raw in claim.text.replace("/", " ").split():
        word = raw.strip(".,;:()[]{}\"'?!").lower()
        if len(word) > 1 and word not in STOPWORDS and any(ch.isalnum() for ch in word):
            words.append(word.replace('"', ""))
    return Query(claim_id=claim.id, raw=" OR ".join(dict.fromkeys(words)) or claim.text)


def retrieve(index, claim: GoldClaim, limit: int = CANDIDATES) -> list[str]:
    """BM25 candidate doc ids (corpus doc_id strings), best first."""
    result = index.search(claim_query(claim), limit=limit)
    return [i.removeprefix("doc:") for i in result.ids]


# --- prediction -------------------------------------------------------------------------------


def product_claim(claim: GoldClaim) -> Claim:
    """The claim with the PICO terms the drafter guesses from its wording alone."""
    pico = guess_pico(claim.text, Topic())
    return Claim(id=claim.id, text=claim.text, quote=claim.text, kind="efficacy", population=pico.population,
                 intervention=pico.intervention, comparator=pico.comparator, outcome=pico.outcome)


def doc_record(doc: Doc) -> Record:
    """The abstract as the extraction reads it: sections told by SciFact's inline headings."""
    return record_from_json({"doc_id": doc.id, "title": doc.title, "abstract": list(doc.sentences)},
                            f"corpus doc {doc.id}", sections="headings")


class Reader:
    """Each corpus doc read once by the extraction; each (claim, doc) rated by the product path."""

    def __init__(self, corpus: dict[str, Doc]) -> None:
        self.corpus = corpus
        self._read: dict[str, tuple[Record, Finding]] = {}

    def prepare(self, doc_ids: Sequence[str]) -> None:
        """Extract the docs not read yet, in one batch (spaCy is much faster on many at once)."""
        todo = [d for d in dict.fromkeys(doc_ids) if d not in self._read and d in self.corpus]
        records = [doc_record(self.corpus[d]) for d in todo]
        for d, record, finding in zip(todo, records, extract_many(records)):
            self._read[d] = (record, finding)

    def rate(self, claim: GoldClaim, doc_id: str) -> Rated:
        self.prepare([doc_id])
        record, finding = self._read[doc_id]
        return rate_source(product_claim(claim), record, finding)


@dataclass(frozen=True)
class Prediction:
    claim_id: str
    doc_id: str
    label: str  # SUPPORT | CONTRADICT | NEI
    rationale: tuple[int, ...]
    score: float  # how surely some sentence takes a side: the open setting's ranking


def _indices(shown: Sequence[Sentence], doc: Doc) -> tuple[int, ...]:
    """The doc's sentence indices of the sentences the product shows (the title has none)."""
    out = []
    for s in shown:
        text = " ".join(s.text.split())
        hit = next((i for i, d in enumerate(doc.sentences)
                    if d.strip() and (" ".join(d.split()) in text or text in " ".join(d.split()))), None)
        if hit is not None and hit not in out:
            out.append(hit)
    return tuple(out)


def predict(claim: GoldClaim, doc_id: str, rated: Rated, corpus: dict[str, Doc]) -> Prediction:
    reading = rated.reading
    if reading is None:  # retracted
        return Prediction(claim.id, doc_id, "NEI", (), 0.0)
    sided = max((p[0] + p[1] for p in reading.sentence_probs), default=0.0)
    return Prediction(claim.id, doc_id, GOLD_LABEL[reading.label], _indices(reading.rationale, corpus[doc_id]),
                      round(sided, 4))


def predict_oracle(reader: Reader, claims: Sequence[GoldClaim]) -> list[Prediction]:
    reader.prepare([d for c in claims for d in c.cited])
    return [predict(c, d, reader.rate(c, d), reader.corpus) for c in claims for d in c.cited if d in reader.corpus]


def rank_open(reader: Reader, claim: GoldClaim, candidates: Sequence[str]) -> list[Prediction]:
    """BM25's candidates re-ranked by the encoder: how surely their surest sentence takes a side."""
    preds = [predict(claim, d, reader.rate(claim, d), reader.corpus) for d in candidates if d in reader.corpus]
    return sorted(preds, key=lambda p: (-p.score, candidates.index(p.doc_id)))


# --- metrics ----------------------------------------------------------------------------------


def _prf(correct: int, predicted: int, gold: int) -> dict[str, float]:
    p = correct / predicted if predicted else 0.0
    r = correct / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def abstract_metrics(claims: Sequence[GoldClaim], preds: Sequence[Prediction]) -> dict[str, float]:
    """SciFact abstract-level label-only: a (doc, label) pair is right if the doc is gold with that label."""
    gold = {c.id: c.evidence for c in claims}
    labelled = [p for p in preds if p.label != "NEI"]
    correct = sum(1 for p in labelled if gold.get(p.claim_id, {}).get(p.doc_id, ("",))[0] == p.label)
    return _prf(correct, len(labelled), sum(len(c.evidence) for c in claims))


def sentence_metrics(claims: Sequence[GoldClaim], preds: Sequence[Prediction]) -> dict[str, float]:
    """Shown rationale sentences against gold evidence sentences (predicted evidence docs only)."""
    gold = {c.id: c.evidence for c in claims}
    shown = [p for p in preds if p.label != "NEI"]
    n_shown = sum(len(p.rationale) for p in shown)
    hit = sum(len(set(p.rationale) & gold.get(p.claim_id, {}).get(p.doc_id, ("", frozenset()))[1])
              for p in shown)
    n_gold = sum(len(s) for c in claims for _, s in c.evidence.values())
    out = _prf(hit, n_shown, n_gold)
    docs = [p for p in shown if p.doc_id in gold.get(p.claim_id, {})]
    out["docs_with_a_gold_sentence"] = round(
        sum(1 for p in docs if set(p.rationale) & gold[p.claim_id][p.doc_id][1]) / len(docs), 4) if docs else 0.0
    return out


def oracle_metrics(claims: Sequence[GoldClaim], preds: Sequence[Prediction]) -> dict[str, object]:
    """Accuracy and macro-F1 over SUPPORT / CONTRADICT / NEI for every (claim, cited doc)."""
    gold = {c.id: c.evidence for c in claims}
    pairs = [(gold[p.claim_id].get(p.doc_id, ("NEI",))[0], p.label) for p in preds]
    per_class = {}
    for label in LABELS:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        per_class[label] = _prf(tp, sum(1 for _, p in pairs if p == label),
                                sum(1 for g, _ in pairs if g == label))
    return {
        "pairs": len(pairs),
        "accuracy": round(sum(1 for g, p in pairs if g == p) / len(pairs), 4) if pairs else 0.0,
        "macro_f1": round(sum(m["f1"] for m in per_class.values()) / 3, 4),
        "per_class": per_class,
        "confusion": {g: {p: sum(1 for a, b in pairs if a == g and b == p) for p in LABELS} for g in LABELS},
    }


def recall_at(claims: Sequence[GoldClaim], rankings: dict[str, Sequence[str]], k: int) -> float:
    gold = [(c.id, d) for c in claims for d in c.evidence]
    if not gold:
        return 0.0
    return round(sum(1 for cid, d in gold if d in list(rankings.get(cid, ()))[:k]) / len(gold), 4)


def evaluate_open(reader: Reader, claims: Sequence[GoldClaim], index, candidates: int) -> dict[str, object]:
    preds: list[Prediction] = []
    bm25: dict[str, list[str]] = {}
    reranked: dict[str, list[str]] = {}
    for claim in claims:
        bm25[claim.id] = retrieve(index, claim)
    reader.prepare([d for c in claims for d in bm25[c.id][:candidates]])
    for claim in claims:
        ranked = rank_open(reader, claim, bm25[claim.id][:candidates])
        reranked[claim.id] = [p.doc_id for p in ranked]
        preds.extend(p for p in ranked[:MAX_PAIRS] if p.label != "NEI")
    return {
        "abstract_label_only": abstract_metrics(claims, preds),
        "retrieval": {"recall@3": recall_at(claims, reranked, 3), "recall@10": recall_at(claims, reranked, 10),
                      "bm25_recall@3": recall_at(claims, bm25, 3), "bm25_recall@10": recall_at(claims, bm25, 10),
                      "bm25_recall@20": recall_at(claims, bm25, 20), "reranked_candidates": candidates},
        "sentence_level": sentence_metrics(claims, preds),
        "predicted_pairs": len(preds),
    }


def evaluate_oracle(reader: Reader, claims: Sequence[GoldClaim]) -> dict[str, object]:
    preds = predict_oracle(reader, claims)
    out = oracle_metrics(claims, preds)
    out["sentence_level"] = sentence_metrics(claims, preds)
    return out


# --- command ----------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    if args.every < 1 or args.candidates < 1:
        raise InputError(f"--every {args.every} --candidates {args.candidates}: both must be 1 or more",
                         "give --every 1 for all claims")
    claims = [c for i, c in enumerate(load_claims(args.claims)) if i % args.every == 0]
    corpus = load_corpus(args.corpus)
    missing = sorted({d for c in claims for d in (*c.cited, *c.evidence)} - corpus.keys())
    if missing:
        raise InputError(f"{args.claims}: {len(missing)} doc ids are not in {args.corpus} (e.g. {missing[0]})",
                         "give the corpus file that belongs to these claims")
    out: dict[str, object] = {"claims": len(claims), "corpus": len(corpus),
                              "setting": "oracle" if args.oracle else "open"}
    reader = Reader(corpus)
    if args.oracle:
        out.update(evaluate_oracle(reader, claims))
    else:
        index_started = time.monotonic()
        with open_index(args.corpus, args.cache) as index:
            out["index_seconds"] = round(time.monotonic() - index_started, 2)
            out.update(evaluate_open(reader, claims, index, args.candidates))
    out["seconds"] = round(time.monotonic() - started, 2)
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0
