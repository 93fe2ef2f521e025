"""`factcheck eval extraction`: extraction measured against gold lines (see the annotation guide).

    factcheck eval extraction --gold ../shared/data/gold/extraction_dev.jsonl [--corpus corpus.jsonl] [--half tune|check]
    factcheck eval extraction --ebm-nlp ../shared/data/ebm-nlp/p2_p_fulltext_dev_noperiod.txt.gz

Gold lines have the fields of `factcheck extract` output; the abstract comes from the line or,
by doc_id, from --corpus. The metrics (pure functions below, JSON on stdout):

- sample size: accuracy (exact, over gold lines with a number), precision (over predicted
  numbers), false-positive rate (a number predicted where gold has null);
- design: accuracy and macro-F1 on the fine labels and on families;
- effects: precision, recall, F1 of one-to-one matches on (measure family, value, CI), values
  and bounds equal up to rounding; also how often the CI is right once the value matched.

With --evidence-inference, effects alone are checked on the evidence passages of Evidence
Inference 2.0 (trial abstracts; see evidence_inference_metrics): how many labelled CIs in them
an extracted effect carries. Also data no rule was tuned on.

With --ebm-nlp, sample size alone is compared, loosely, with the crowd-labelled sample-size
tokens of EBM-NLP (RCT abstracts; see loose_sample_size_metrics): data no rule was tuned on.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from pipeline.designs import DESIGNS
from pipeline.errors import InputError


# Extraction is measured on these coarse families (the gold guide's), from the one design table.
DESIGN_FAMILY = {key: design.family for key, design in DESIGNS.items()}
# Effect measures that a reader treats as the same kind of figure.
MEASURE_FAMILY = {
    "OR": "ratio", "RR": "ratio", "HR": "ratio", "IRR": "ratio",
    "RD": "difference", "MD": "difference", "SMD": "standardized",
    "NNT": "nnt", "r": "correlation", "AUC": "auc",
    "percent": "percent", "percent_change": "percent_change", "other": "other",
}


def design_family(label: str | None) -> str:
    return DESIGN_FAMILY.get(label or "other", "other")


def measure_family(measure: str | None) -> str:
    return MEASURE_FAMILY.get(measure or "other", "other")


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


# --- sample size ------------------------------------------------------------------------------


def sample_size_metrics(pairs: Sequence[tuple[int | None, int | None]]) -> dict[str, Any]:
    """(gold, predicted) sample sizes -> accuracy, precision, false-positive rate and counts."""
    with_number = [(g, p) for g, p in pairs if g is not None]
    without = [(g, p) for g, p in pairs if g is None]
    predicted = [(g, p) for g, p in pairs if p is not None]
    return {
        "accuracy": _ratio(sum(g == p for g, p in with_number), len(with_number)),
        "precision": _ratio(sum(g == p for g, p in predicted), len(predicted)),
        "false_positive_rate": _ratio(sum(p is not None for _, p in without), len(without)),
        "gold_numbers": len(with_number),
        "gold_nulls": len(without),
        "predicted_numbers": len(predicted),
    }


# --- design -----------------------------------------------------------------------------------


def macro_f1(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Mean F1 over every label seen in gold or predictions (a label never right scores 0)."""
    labels = sorted({g for g, _ in pairs} | {p for _, p in pairs})
    if not labels:
        return None
    scores = []
    for label in labels:
        tp = sum(g == label and p == label for g, p in pairs)
        fp = sum(g != label and p == label for g, p in pairs)
        fn = sum(g == label and p != label for g, p in pairs)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return round(sum(scores) / len(scores), 4)


def design_metrics(pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """(gold, predicted) designs -> accuracy and macro-F1, fine and by family."""
    families = [(design_family(g), design_family(p)) for g, p in pairs]
    return {
        "accuracy": _ratio(sum(g == p for g, p in pairs), len(pairs)),
        "macro_f1": macro_f1(pairs),
        "family_accuracy": _ratio(sum(g == p for g, p in families), len(families)),
        "family_macro_f1": macro_f1(families),
        "n": len(pairs),
    }


# --- effects ----------------------------------------------------------------------------------


def _decimals(value: float) -> int:
    text = repr(float(value))
    if "e" in text:
        return 6
    return len(text.split(".")[1].rstrip("0")) if "." in text else 0


def numbers_agree(gold: float | None, pred: float | None) -> bool:
    """Equal up to rounding: the less precise of the two sets the tolerance ("2.3" = "2.31")."""
    if gold is None or pred is None:
        return gold is None and pred is None
    places = min(_decimals(gold), _decimals(pred))
    return abs(float(gold) - float(pred)) <= 0.5 * 10 ** -places + 1e-9


def effects_agree(gold: Mapping[str, Any], pred: Mapping[str, Any], with_ci: bool = True) -> bool:
    """Same measure family and value (and, `with_ci`, the same CI bounds or both without one)."""
    if measure_family(gold.get("measure")) != measure_family(pred.get("measure")):
        return False
    if not numbers_agree(gold.get("value"), pred.get("value")):
        return False
    if not with_ci:
        return True
    return (numbers_agree(gold.get("ci_low"), pred.get("ci_low"))
            and numbers_agree(gold.get("ci_high"), pred.get("ci_high")))


def match_effects(gold: Sequence[Mapping[str, Any]], pred: Sequence[Mapping[str, Any]],
                  with_ci: bool = True) -> list[tuple[int, int]]:
    """One-to-one (gold index, predicted index) matches, each gold effect taking the first
    unused prediction that agrees with it."""
    used: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            if pi not in used and effects_agree(g, p, with_ci):
                used.add(pi)
                pairs.append((gi, pi))
                break
    return pairs


def effect_metrics(docs: Sequence[tuple[Sequence[Mapping[str, Any]], Sequence[Mapping[str, Any]]]]
                   ) -> dict[str, Any]:
    """(gold effects, predicted effects) per abstract -> precision, recall, F1 (with CI), the
    same without the CI, and the share of value matches whose CI is also right."""
    n_gold = sum(len(g) for g, _ in docs)
    n_pred = sum(len(p) for _, p in docs)

    def prf(matched: int) -> dict[str, float | None]:
        precision, recall = _ratio(matched, n_pred), _ratio(matched, n_gold)
        f1 = (round(2 * precision * recall / (precision + recall), 4)
              if precision and recall else (0.0 if n_gold and n_pred else None))
        return {"precision": precision, "recall": recall, "f1": f1}

    strict = sum(len(match_effects(g, p)) for g, p in docs)
    loose = sum(len(match_effects(g, p, with_ci=False)) for g, p in docs)
    gold_ci = sum(1 for g, _ in docs for e in g if e.get("ci_low") is not None)
    return {
        **prf(strict),
        "value_only": prf(loose),
        "ci_right_when_value_matched": _ratio(strict, loose),
        "gold": n_gold, "predicted": n_pred, "matched": strict, "gold_with_ci": gold_ci,
    }


# --- halves -----------------------------------------------------------------------------------

HALVES = ("tune", "check")


def half_of(doc_id: Any) -> str:
    """"tune" or "check", fixed by a hash of the doc id: rules are developed on the tune half
    of a gold file and only measured on the check half, so its figure estimates unseen abstracts."""
    digest = hashlib.sha256(str(doc_id).encode("utf-8")).digest()
    return HALVES[digest[0] % 2]


# --- all --------------------------------------------------------------------------------------


def evaluate(gold: Sequence[Mapping[str, Any]], predicted: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Gold lines and the extractor's lines for the same abstracts, in the same order."""
    return {
        "abstracts": len(gold),
        "sample_size": sample_size_metrics([(g.get("sample_size"), p.get("sample_size"))
                                            for g, p in zip(gold, predicted)]),
        "design": design_metrics([(g.get("design") or "other", p.get("design") or "other")
                                  for g, p in zip(gold, predicted)]),
        "effects": effect_metrics([(g.get("effects") or [], p.get("effects") or [])
                                   for g, p in zip(gold, predicted)]),
    }


def disagreements(gold: Sequence[Mapping[str, Any]], predicted: Sequence[Mapping[str, Any]]
                  ) -> Iterable[dict[str, Any]]:
    """Per abstract, what differs from gold (for reading failures, not for scoring)."""
    for g, p in zip(gold, predicted):
        out: dict[str, Any] = {"doc_id": g.get("doc_id")}
        if g.get("sample_size") != p.get("sample_size"):
            out["sample_size"] = {"gold": g.get("sample_size"), "gold_text": g.get("sample_size_text"),
                                  "predicted": p.get("sample_size"), "text": p.get("sample_size_text")}
        if g.get("design") != p.get("design"):
            out["design"] = {"gold": g.get("design"), "predicted": p.get("design"),
                             "reason": p.get("design_reason")}
        ge, pe = g.get("effects") or [], p.get("effects") or []
        matched = match_effects(ge, pe)
        missed = [ge[i] for i in range(len(ge)) if i not in {gi for gi, _ in matched}]
        extra = [pe[i] for i in range(len(pe)) if i not in {pi for _, pi in matched}]
        keep = ("measure", "value", "ci_low", "ci_high", "text")
        if missed:
            out["effects_missed"] = [{k: e.get(k) for k in keep} for e in missed]
        if extra:
            out["effects_extra"] = [{k: e.get(k) for k in keep} for e in extra]
        if len(out) > 1:
            yield out


# --- EBM-NLP crowd sample-size tokens ---------------------------------------------------------


def ebm_documents(lines: Iterable[str]) -> Iterator[tuple[str, str, list[str]]]:
    """(PMID, text, [sample-size spans]) from EBM-NLP CoNLL lines ("TOKEN POS LABEL", a blank
    line between sentences, "-DOCSTART- -X- O O <PMID>" before each abstract); the spans are
    runs of tokens labelled 3_p ("Eighty-three", "360")."""
    pmid, tokens, labels = None, [], []

    def done() -> tuple[str, str, list[str]]:
        spans, run = [], []
        for token, label in zip(tokens + [""], labels + ["O"]):
            if label == "3_p":
                run.append(token)
            elif run:
                spans.append(" ".join(run))
                run = []
        text = " ".join(tokens).replace(" \n ", "\n").strip()
        return str(pmid), text, spans

    for line in lines:
        parts = line.split()
        if parts and parts[0] == "-DOCSTART-":
            if pmid is not None:
                yield done()
            pmid, tokens, labels = parts[-1], [], []
        elif parts and pmid is not None:
            tokens.append(parts[0])
            labels.append(parts[-1])
        elif tokens and tokens[-1] != "\n":
            tokens.append("\n")  # a sentence break
            labels.append("O")
    if pmid is not None:
        yield done()


def labelled_numbers(spans: Iterable[str]) -> list[int]:
    """Whole numbers written in sample-size spans: "360", "1,204", "Eighty-three", "Two hundred"."""
    from pipeline.nlp.numbers import NUMBER_WORDS_RE, parse_number

    out = []
    for span in spans:
        for m in re.finditer(rf"\d[\d,]*|{NUMBER_WORDS_RE}", span, re.IGNORECASE):
            value = parse_number(m.group(0))
            if value is not None and value > 0 and value == int(value):
                out.append(int(value))
    return out


def loose_sample_size_metrics(pairs: Sequence[tuple[list[int], int | None]]) -> dict[str, Any]:
    """(labelled numbers, predicted size) per abstract. Crowd spans mark numbers, not the total,
    so a prediction counts as right when it is the first, the largest or the sum of them."""
    labelled = [(nums, p) for nums, p in pairs if nums]
    predicted = [(nums, p) for nums, p in labelled if p is not None]
    right = sum(p in (nums[0], max(nums), sum(nums)) for nums, p in predicted)
    return {
        "loose_accuracy": _ratio(right, len(labelled)),
        "loose_precision": _ratio(right, len(predicted)),
        "precision_any_labelled_number": _ratio(sum(p in nums or p == sum(nums) for nums, p in predicted),
                                                len(predicted)),
        "abstracts_with_size_tokens": len(labelled),
        "predicted_numbers": len(predicted),
    }


def _run_ebm(path: str) -> dict[str, Any]:
    import gzip

    from pipeline.nlp.extraction import extract_many
    from pipeline.types import Record

    try:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as handle:
            docs = list(ebm_documents(handle))
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read EBM-NLP tokens ({exc})",
                         "pass a p2_p_*.txt(.gz) file from ../shared/data/ebm-nlp") from exc
    if not docs:
        raise InputError(f"{path}: no -DOCSTART- lines", "pass an EBM-NLP CoNLL file (TOKEN POS LABEL)")
    records = [Record(source="ebm-nlp", id=pmid, title="", sections=(("", text),)) for pmid, text, _ in docs]
    sizes = [f.sample_size for f in extract_many(records)]
    pairs = [(labelled_numbers(spans), size) for (_, _, spans), size in zip(docs, sizes)]
    return {"ebm_nlp": path, "abstracts": len(docs), "sample_size": loose_sample_size_metrics(pairs)}


# --- Evidence Inference evidence passages -----------------------------------------------------


def evidence_passages(rows: Iterable[Mapping[str, str]], splits: Mapping[str, str], split: str) -> list[str]:
    """The distinct evidence passages of valid annotations whose article is in `split`
    (`splits`: PMC id -> split, the annotation rows carry the bare number)."""
    seen: dict[str, None] = {}
    for row in rows:
        if row.get("Valid Label") == "True" and splits.get(f"PMC{row.get('PMCID')}") == split:
            passage = (row.get("Annotations") or "").strip()
            if passage:
                seen.setdefault(passage)
    return list(seen)


def evidence_inference_metrics(found: Sequence[tuple[int, int, int]]) -> dict[str, Any]:
    """(labelled CIs, CIs carried by an extracted effect, effects) per passage -> how many of the
    passages' CIs the effects carry (a recall of effect estimates with their CIs)."""
    cis = sum(n for n, _, _ in found)
    carried = sum(min(c, n) for n, c, _ in found)
    return {
        "passages": len(found),
        "passages_with_ci": sum(1 for n, _, _ in found if n),
        "labelled_cis": cis,
        "cis_carried_by_an_effect": carried,
        "ci_recall": _ratio(carried, cis),
        "passages_with_an_effect": sum(1 for _, _, e in found if e),
    }


def _run_evidence_inference(folder: str, split: str) -> dict[str, Any]:
    import csv
    import gzip

    from pipeline.nlp.effects import find_effects
    from pipeline.nlp.numbers import find_cis

    root = Path(folder)
    try:
        with gzip.open(root / "abstracts.jsonl.gz", "rt", encoding="utf-8") as handle:
            splits = {d["pmcid"]: d["split"] for d in map(json.loads, handle)}
        with open(root / "v2_annotations.csv", encoding="utf-8", newline="") as handle:
            passages = evidence_passages(csv.DictReader(handle), splits, split)
    except (OSError, EOFError, ValueError, KeyError) as exc:
        raise InputError(f"{root}: cannot read Evidence Inference ({exc})",
                         "pass the folder ../shared/data/evidence-inference (abstracts.jsonl.gz, v2_annotations.csv)") from exc
    found = []
    for passage in passages:
        effects = find_effects(passage)
        found.append((len(find_cis(passage)), sum(e.ci_low is not None for e in effects), len(effects)))
    return {"evidence_inference": folder, "split": split, "effects": evidence_inference_metrics(found)}


# --- I/O --------------------------------------------------------------------------------------


def _load_gold(path: str, corpus: str | None) -> tuple[list[dict[str, Any]], list[Any]]:
    from pipeline.sources.importers import read_jsonl, record_from_json

    def record_from(data: Any, where: str) -> Any:
        return record_from_json(data, where, sections="headings")

    lines = list(read_jsonl(path, "--gold"))
    needed = {str(d.get("doc_id")) for _, d in lines if isinstance(d, dict) and not d.get("abstract")}
    texts: dict[str, Any] = {}
    if needed and corpus:
        for where, data in read_jsonl(corpus, "--corpus"):
            if isinstance(data, dict) and str(data.get("doc_id")) in needed:
                texts[str(data["doc_id"])] = record_from(data, where)
    gold, records = [], []
    for where, data in lines:
        if not isinstance(data, dict) or "doc_id" not in data:
            raise InputError(f"{where}: expected a gold object with a doc_id",
                             "each gold line is one JSON object with the fields of `factcheck extract` output")
        if data.get("abstract"):
            records.append(record_from(data, where))
        elif str(data["doc_id"]) in texts:
            records.append(texts[str(data["doc_id"])])
        else:
            raise InputError(f"{where}: no abstract for doc_id {data['doc_id']}",
                             "give the abstract in the gold line or pass --corpus with that doc_id")
        gold.append(data)
    if not gold:
        raise InputError(f"{path}: no gold lines", "pass a JSON Lines file with one gold object per line")
    return gold, records


def run(args: argparse.Namespace) -> int:
    from pipeline.nlp.extraction import extract_many, finding_to_json

    if args.ebm_nlp or args.evidence_inference:
        result = _run_ebm(args.ebm_nlp) if args.ebm_nlp else _run_evidence_inference(args.evidence_inference, args.split)
        json.dump(result, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    gold, records = _load_gold(args.gold, args.corpus)
    if args.half:
        kept = [(g, r) for g, r in zip(gold, records) if half_of(g["doc_id"]) == args.half]
        gold, records = [g for g, _ in kept], [r for _, r in kept]
    predicted = [finding_to_json(f) for f in extract_many(records)]
    metrics = {"gold": str(Path(args.gold)), "half": args.half or "all", **evaluate(gold, predicted)}
    if args.errors:
        with open(args.errors, "w", encoding="utf-8") as out:
            for row in disagreements(gold, predicted):
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    json.dump(metrics, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0
