"""`factcheck eval scifact`: stance and retrieval quality on SciFact-format claim/corpus files.

Open setting (default): every claim is searched in the whole corpus with the product's local
FTS5 index (BM25), the top candidates are re-ranked and labelled by the stance model, and at most
three (doc, label) pairs are predicted. Abstract-level label-only precision/recall/F1 as SciFact
defines them (a predicted pair is right when the doc is gold evidence with the same label), and
retrieval recall@3/@10 of the gold evidence docs.

Oracle setting (`--oracle`): each claim against each cited doc (`cited_doc_ids`, or `doc_ids` in
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

from pipeline.errors import InputError
from pipeline.rating.model import LABELS, StanceModel, load_model
from pipeline.rating.terms import STOPWORDS
from pipeline.sources.importers import read_jsonl
from pipeline.types import Query

CANDIDATES = 20  # BM25 candidates re-ranked per claim
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


@dataclass(frozen=True)
class Prediction:
    claim_id: str
    doc_id: str
    label: str  # SUPPORT | CONTRADICT | NEI
    rationale: tuple[int, ...]
    score: float  # P(evidence) x P(label), for the open setting's cut-off


def predict_oracle(model: StanceModel, claims: Sequence[GoldClaim], corpus: dict[str, Doc]) -> list[Prediction]:
    out = []
    for claim in claims:
        for doc_id in claim.cited:
            doc = corpus.get(doc_id)
            if doc is None:
                continue
            j = model.judge(claim.text, doc.sentences)
            out.append(Prediction(claim.id, doc_id, j.label, j.rationale, max(j.probs)))
    return out


def rank_open(model: StanceModel, claim: GoldClaim, candidates: Sequence[str],
              corpus: dict[str, Doc]) -> list[tuple[float, str, object]]:
    """Candidates re-ranked by P(evidence), each with its judgement."""
    ranked = []
    for rank, doc_id in enumerate(candidates):
        doc = corpus.get(doc_id)
        if doc is None:
            continue
        j = model.judge(claim.text, doc.sentences)
        p = model.rerank(claim.text, doc.title, doc.sentences, rank, j.selector)
        ranked.append((p, doc_id, j))
    ranked.sort(key=lambda x: (-x[0], candidates.index(x[1])))
    return ranked


def predict_open(ranked: Sequence[tuple[float, str, object]], claim_id: str, cut: float,
                 pairs: int = MAX_PAIRS) -> list[Prediction]:
    """At most `pairs` (doc, label) pairs whose P(evidence) x P(label) clears the cut-off."""
    out = []
    for p, doc_id, j in ranked[:min(pairs, MAX_PAIRS)]:
        k = 0 if j.probs[0] >= j.probs[1] else 1
        score = p * j.probs[k] / max(1e-9, j.probs[0] + j.probs[1]) * (1 - j.probs[2])
        if score >= cut:
            out.append(Prediction(claim_id, doc_id, LABELS[k], j.rationale, score))
    return out


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


def evaluate_open(model: StanceModel, claims: Sequence[GoldClaim], corpus: dict[str, Doc], index) -> dict[str, object]:
    cut = model.thresholds.get("open_min_score", 0.5)
    pairs = int(model.thresholds.get("open_max_pairs", MAX_PAIRS))
    preds: list[Prediction] = []
    bm25: dict[str, list[str]] = {}
    reranked: dict[str, list[str]] = {}
    for claim in claims:
        bm25[claim.id] = retrieve(index, claim)
        ranked = rank_open(model, claim, bm25[claim.id], corpus)
        reranked[claim.id] = [d for _, d, _ in ranked]
        preds.extend(predict_open(ranked, claim.id, cut, pairs))
    return {
        "abstract_label_only": abstract_metrics(claims, preds),
        "retrieval": {"recall@3": recall_at(claims, reranked, 3), "recall@10": recall_at(claims, reranked, 10),
                      "bm25_recall@3": recall_at(claims, bm25, 3), "bm25_recall@10": recall_at(claims, bm25, 10),
                      "bm25_recall@20": recall_at(claims, bm25, 20)},
        "sentence_level": sentence_metrics(claims, preds),
        "predicted_pairs": len([p for p in preds if p.label != "NEI"]),
    }


def evaluate_oracle(model: StanceModel, claims: Sequence[GoldClaim], corpus: dict[str, Doc]) -> dict[str, object]:
    preds = predict_oracle(model, claims, corpus)
    out = oracle_metrics(claims, preds)
    out["sentence_level"] = sentence_metrics(claims, preds)
    return out


# --- command ----------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    model = load_model(args.model)
    claims = load_claims(args.claims)
    corpus = load_corpus(args.corpus)
    missing = sorted({d for c in claims for d in (*c.cited, *c.evidence)} - corpus.keys())
    if missing:
        raise InputError(f"{args.claims}: {len(missing)} doc ids are not in {args.corpus} (e.g. {missing[0]})",
                         "give the corpus file that belongs to these claims")
    out: dict[str, object] = {"claims": len(claims), "corpus": len(corpus),
                              "setting": "oracle" if args.oracle else "open"}
    if args.oracle:
        out.update(evaluate_oracle(model, claims, corpus))
    else:
        index_started = time.monotonic()
        with open_index(args.corpus, args.cache) as index:
            out["index_seconds"] = round(time.monotonic() - index_started, 2)
            out.update(evaluate_open(model, claims, corpus, index))
    out["seconds"] = round(time.monotonic() - started, 2)
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0
