"""What the extraction pipeline knows about one Doc, kept in `doc.user_data` (spaCy's storage
for user data on a Doc) and readable as the extension `doc._.fc`.

Each `doc._` builds a new accessor object, and each value read or written through it walks
spaCy's extension tables (about a microsecond). The tokenizer and the four components pass a
dozen values per abstract, so they share one DocState, which they reach through
`doc.user_data` directly.

    state = doc_state(doc)
    state.spans, state.sentences, state.effects ...
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc

from pipeline.nlp.design import DesignInfo
from pipeline.nlp.facts import SentenceFacts
from pipeline.nlp.sample_size import SampleSize
from pipeline.nlp.sentences import sentence_spans
from pipeline.types import Effect, Record, Sentence

_KEY = "fc_state"
if not Doc.has_extension("fc"):
    Doc.set_extension("fc", getter=lambda doc: doc.user_data.get(_KEY))


@dataclass(slots=True)
class DocState:
    """Filled in pipeline order (so not frozen): the tokenizer's text and sentence spans, the
    record (pipeline.nlp), then each component's answer."""

    text: str  # as given: spaCy rebuilds `doc.text` from every token on each access
    spans: list[tuple[int, int]]  # the sentences (sentences.sentence_spans)
    record: Record | None = None
    sentences: list[Sentence] | None = None
    facts: list[SentenceFacts] | None = None  # one per sentence
    lowered: list[str] | None = None  # each sentence's text lower-cased (facts.lowered_sentences)
    sample_size: SampleSize | None = None
    design: DesignInfo | None = None
    effects: list[Effect] | None = None
    results: list[Sentence] | None = None  # the sentences that report results (fc_effects)


def doc_state(doc: Doc) -> DocState:
    """The Doc's state; a Doc made by another tokenizer gets one on first use."""
    state = doc.user_data.get(_KEY)
    if state is None:
        text = doc.text
        state = doc.user_data[_KEY] = DocState(text, sentence_spans(text))
    return state


def set_doc_state(doc: Doc, state: DocState) -> None:
    doc.user_data[_KEY] = state
