"""Sentences by rule: the character spans of an abstract's sentences, pure text (no spaCy).

One regex pass finds candidate ends (". ", "? ", "! " before a sentence start, or a line
break); a dot after an abbreviation or an initial ("Fig. 2", "vs. placebo", "J. Smith") ends
none.

    sentence_spans("Two arms. We found 3 cases.") -> [(0, 9), (10, 27)]
"""

from __future__ import annotations

import re

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
    for m in _BOUNDARY.finditer(text):
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
