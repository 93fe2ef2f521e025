"""A fast rule tokenizer for the extraction pipeline: sentences by rule, one token each.

spaCy's default English tokenizer (prefix/suffix/infix regexes per token) took ~5.5 s of CPU
for the 5,183 SciFact abstracts alone, over the whole 5 s budget, and every extraction rule
reads sentence text, not tokens. So the pipeline's tokenizer (spaCy allows replacing
`nlp.tokenizer` with any callable text -> Doc) cuts sentences with `sentences.sentence_spans`
and makes each sentence one token; `doc.sents` works as usual and the sentence character spans
are kept on the Doc's state (`doc._.fc.spans`, see state.py) so no component walks tokens in Python.
"""

from __future__ import annotations

from typing import Iterable

import numpy
from spacy.attrs import SENT_START
from spacy.tokens import Doc
from spacy.vocab import Vocab

from pipeline.nlp.sentences import ABBREVIATIONS, sentence_spans
from pipeline.nlp.state import DocState, set_doc_state

__all__ = ["ABBREVIATIONS", "RuleTokenizer", "sentence_spans"]  # the names others import from here


class RuleTokenizer:
    """text -> Doc whose tokens are the sentences of `sentence_spans` (and the whitespace between
    them), each sentence a sentence start.

    One token per sentence, not per word: building a Doc costs about a microsecond per token
    (a vocabulary lookup, a new lexeme for each new string), which for word tokens was a third
    of the extraction time, and every rule reads sentence text, not tokens. `doc.text`,
    `doc.sents` and character offsets are those of the input.
    """

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        spans = sentence_spans(text)
        words: list[str] = []
        spaces: list[bool] = []
        starts: list[int] = []  # 1 at each sentence, -1 on whitespace inside or between
        pos = 0
        for start, end in spans + [(len(text), len(text))]:
            gap = text[pos:start]
            if gap == " " and words:
                spaces[-1] = True  # the usual single space after a sentence
            elif gap:
                words.append(gap)  # leading text or unusual whitespace: one whitespace token
                spaces.append(False)
                starts.append(-1)
            if start < end:
                words.append(text[start:end])
                spaces.append(False)
                starts.append(1)
            pos = end
        if starts:
            starts[0] = 1  # leading whitespace opens the first sentence
        doc = Doc(self.vocab, words=words, spaces=spaces)
        # What Doc(..., sent_starts=...) does, without its per-token copy into a to_array table.
        doc.from_array([SENT_START], numpy.array(starts, dtype=numpy.int32).astype(numpy.uint64))
        set_doc_state(doc, DocState(text, spans))
        return doc

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterable[Doc]:
        for text in texts:
            yield self(text)
