"""Extraction: a record's abstract -> Finding (design, participants, effects, result sentences).

A spaCy pipeline on spacy.blank("en") (no model download exists here): the rule tokenizer of
`pipeline.nlp.tokenizer` (one token per sentence), then rule components from
`pipeline.nlp.components`. Spans in a Finding are character offsets
into Record.abstract (the sections joined with "\\n").

    nlp = build_nlp()
    finding = extract(record, nlp)
    for finding in extract_many(records_from_jsonl("corpus.jsonl"), nlp): ...
"""

from __future__ import annotations

import itertools
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.errors import InputError
import pipeline.nlp.components  # noqa: F401 - importing it registers the factories
from pipeline.nlp.state import DocState, doc_state
from pipeline.nlp.tokenizer import RuleTokenizer
from pipeline.types import Finding, Record

__all__ = [
    "build_nlp", "default_nlp", "extract", "extract_many", "finding_to_json",
    "records_from_jsonl", "records_from_path", "finding_from_doc",
]

PIPE_NAMES = ("fc_sentences", "fc_sample_size", "fc_design", "fc_effects")


def build_nlp() -> Language:
    """A fresh extraction pipeline: blank English with the rule tokenizer, and the rule components."""
    nlp = spacy.blank("en")
    # No lexical attributes: each new token (here a sentence) otherwise runs ~20 Python getters
    # (lower, norm, shape, like_url ...) and stores their strings; no rule reads them.
    nlp.vocab.lex_attr_getters = {}
    nlp.tokenizer = RuleTokenizer(nlp.vocab)
    for name in PIPE_NAMES:
        nlp.add_pipe(name)
    return nlp


@lru_cache(maxsize=1)
def default_nlp() -> Language:
    """The pipeline shared by calls that pass none (built once per process)."""
    return build_nlp()


def _make_doc(nlp: Language, record: Record) -> Doc:
    doc = nlp.make_doc(record.abstract)
    doc_state(doc).record = record
    return doc


def finding_from_doc(doc: Doc, state: DocState | None = None) -> Finding:
    """Assemble the Finding from a Doc the pipeline has processed (`state` is its
    doc_state when the caller has it)."""
    state = state or doc_state(doc)
    record: Record | None = state.record
    size = state.sample_size
    design = state.design
    counts_people = design.design not in ("animal", "in_vitro")
    meta = design.design in ("meta_analysis", "systematic_review")
    return Finding(
        record_id=record.id if record else "",
        design=design.design,
        sample_size=size.n if counts_people else None,
        sample_size_text=size.text if counts_people else None,
        n_studies=size.n_studies if meta else None,
        humans=design.humans,
        effects=tuple(state.effects or ()),
        result_sentences=tuple(state.results or ()),
        sentences=tuple(state.sentences or ()),
        design_reason=design.reason,
    )


def extract(record: Record, nlp: Language | None = None) -> Finding:
    """Read one record's abstract."""
    nlp = nlp or default_nlp()
    doc = _make_doc(nlp, record)
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    return finding_from_doc(doc)


def extract_many(records: Iterable[Record], nlp: Language | None = None,
                 batch_size: int = 256) -> Iterator[Finding]:
    """Read many records through nlp.pipe (single process: faster for this workload).

    Each batch runs in a spaCy memory zone: the strings of its sentences (each sentence is
    a token, see tokenizer.py) leave the vocabulary with the batch instead of piling up in it.
    A Finding holds no spaCy object, so nothing outlives its zone."""
    nlp = nlp or default_nlp()
    pending = iter(records)
    while batch := list(itertools.islice(pending, batch_size)):
        with nlp.memory_zone():
            for doc in nlp.pipe((_make_doc(nlp, r) for r in batch), batch_size=batch_size):
                state = doc_state(doc)
                yield finding_from_doc(doc, state)
                state.record = None  # let the Record go with the Doc


def _doc_id(record_id: str) -> Any:
    """The doc_id a record was read with: JSONL records are "doc:<doc_id>", PubMed ones the PMID."""
    doc_id = record_id.removeprefix("doc:")
    return int(doc_id) if doc_id.isdigit() else doc_id


def finding_to_json(finding: Finding) -> dict[str, Any]:
    """One line of `factcheck extract` output."""
    return {
        "doc_id": _doc_id(finding.record_id),
        "humans": finding.humans,
        "design": finding.design,
        "design_reason": finding.design_reason,
        "sample_size": finding.sample_size,
        "sample_size_text": finding.sample_size_text,
        "n_studies": finding.n_studies,
        "effects": [
            {"measure": e.measure, "value": e.value, "ci_low": e.ci_low, "ci_high": e.ci_high,
             "p_value": e.p_value, "p_operator": e.p_operator, "unit": e.unit,
             "text": e.text, "start": e.span[0], "end": e.span[1]}
            for e in finding.effects
        ],
        "result_sentences": [
            {"text": s.text, "start": s.start, "end": s.end, "section": s.section}
            for s in finding.result_sentences
        ],
    }


def records_from_jsonl(path: str | Path) -> Iterator[Record]:
    """Records from JSON Lines {doc_id, title, abstract (string or list of sentences), pub_types?},
    sections by inline heading (see pipeline.sources.importers.record_from_json)."""
    from pipeline.sources.importers import iter_jsonl

    return iter_jsonl(Path(path), sections="headings", what="--input")


def records_from_path(path: str | Path) -> Iterator[Record]:
    """Records from JSON Lines or PubMed XML (.xml / .xml.gz); PubMed records keep their PMID as id."""
    import dataclasses
    import gzip

    from pipeline.errors import ParseError
    from pipeline.sources.pubmed import iter_pubmed_xml

    path = Path(path)
    if not path.name.endswith((".xml", ".xml.gz")):
        yield from records_from_jsonl(path)
        return
    try:
        with (gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")) as stream:
            for record in iter_pubmed_xml(stream, what=str(path)):
                yield dataclasses.replace(record, id=record.pmid or record.id)
    except (OSError, EOFError, ParseError) as exc:
        raise InputError(f"{path}: cannot read PubMed XML ({exc})", "check that the file is complete PubMed XML") from exc
