"""A fast rule tokenizer for the extraction pipeline: sentences by rule, one token each.

spaCy's default English tokenizer (prefix/suffix/infix regexes per token) took ~5.5 s of CPU
for the 5,183 SciFact abstracts alone, over the whole 5 s budget, and every extraction rule
reads sentence text, not tokens. So the pipeline's tokenizer (spaCy allows replacing
`nlp.tokenizer` with any callable text -> Doc) cuts sentences with one regex pass and makes
each sentence one token; `doc.sents` works as usual and the sentence character spans are
kept on the Doc's state (`doc._.fc.spans`, see state.py) so no component walks tokens in Python.

    sentence_spans("Two arms. We found 3 cases.") -> [(0, 9), (10, 27)]
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator

import numpy
from spacy.attrs import SENT_START
from spacy.tokens import Doc
from spacy.vocab import Vocab

from pipeline.nlp.state import DocState, set_doc_state

# Words whose final dot does not end a sentence ("Fig. 2", "vs. placebo", "et al. (2001)").
ABBREVIATIONS = frozenset((
    "fig", "figs", "i.v", "i.p", "i.m", "s.c", "p.o", "b.i.d", "t.i.d", "q.d", "al", "approx",
    "no", "nos", "vs", "cf", "ca", "e.g", "i.e", "resp", "dr", "prof", "spp", "sp", "ref", "eq",
    "suppl", "vol", "yr", "yrs", "wk", "mo", "inc", "ltd", "co", "u.s", "u.k", "st", "mr", "mrs",
    "ms", "jr", "sr", "dept", "univ", "e.m", "a.m", "p.m", "n.s",
))
# A candidate end: ". ", "? ", "! " (closing quotes/brackets allowed) before a sentence start
# (not a lower-case letter); or any line break. The word before the dot is checked separately.
# (The pattern starts with one character class, not a choice of two, so CPython's re scans
# for that class instead of trying the whole pattern at every position.)
_BOUNDARY = re.compile(r"[.!?\n](?:(?<=[.!?])[\"'\u201d\u2019)\]]*(?P<gap>\s+)(?=[^\s\u2010-\u2015a-z,;:)])"
                       r"|(?<=\n)\s*)")


# Byte 1 for each character a boundary starts with (see _boundaries).
_BOUNDARY_BYTES = bytes(int(chr(b) in ".!?\n") for b in range(256))


def _boundaries(text: str) -> Iterator[re.Match[str]]:
    """_BOUNDARY.finditer(text). Every match starts at one of its four characters: in an ASCII
    text they are marked in one translated byte copy and found with memchr (`bytes.find`),
    and the pattern is matched only there; re would call its character-class test for every
    character of the text."""
    if not text.isascii():
        yield from _BOUNDARY.finditer(text)
        return
    marked = text.encode("ascii").translate(_BOUNDARY_BYTES)
    match = _BOUNDARY.match
    at = marked.find(1)
    while at >= 0:
        m = match(text, at)
        if m:
            yield m
            at = marked.find(1, m.end())  # like finditer, go on after the match
        else:
            at = marked.find(1, at + 1)


def _ends_abbreviation(text: str, end: int) -> bool:
    """Does the text before `end` (just after a dot) end in an abbreviation or an initial?
    (The word is the run of non-space characters before the dot, at most 11 back.)"""
    head = text[max(0, end - 12):end - 1]
    if not head or head[-1].isspace():
        return False
    raw = head.rsplit(None, 1)[-1]  # str.split's spaces are re's \s
    word = raw.lstrip("([\"'").lower()
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha() and raw[0].isupper())


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence, whitespace excluded; line breaks always end one."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _boundaries(text):
        at = m.start()
        gap_start, gap_end = m.span("gap")
        end = at if gap_start < 0 else gap_start
        # (Every abbreviation and initial ends in a letter: "2.", "). " end sentences.)
        if gap_start >= 0 and text[at] == "." and text[at - 1].isalpha() \
                and "\n" not in text[gap_start:gap_end] and _ends_abbreviation(text, at + 1):
            continue
        if start < end:
            piece = text[start:end]
            if not piece.isspace():
                # Only the first sentence can open, and only one before a line break can end,
                # with whitespace: the boundary pattern takes the whitespace after a sentence.
                spans.append(_strip(text, start, end) if piece[0].isspace() or piece[-1].isspace()
                             else (start, end))
        start = m.end()
    if start < len(text) and not text[start:].isspace():
        spans.append(_strip(text, start, len(text.rstrip())))
    return spans


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """(start, end) without the whitespace at either end (the piece holds more than that)."""
    piece = text[start:end]
    return start + len(piece) - len(piece.lstrip()), end - len(piece) + len(piece.rstrip())


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
