"""Case-insensitive patterns run without re.IGNORECASE, on lower-cased text.

CPython's re folds case character by character under IGNORECASE, which makes the long
case-insensitive extraction patterns up to ~3x slower than their lower-case twins run on
`text.lower()`. Matches (spans and groups) are the same whenever lower-casing keeps every
offset and the text holds none of the few characters IGNORECASE equates with a letter they do
not lower-case to ("ſ" ~ "s", "ϐ" ~ "β" ...): then the twin runs and groups are read from the
original text; otherwise the original pattern runs.

    LABEL = CaseFree(re.compile(r"odds\\s+ratio\\s+(?P<v>\\d+)", re.I))
    [m.group(0) for m in LABEL.finditer("Odds ratio 2")] -> ["Odds ratio 2"]
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

from pipeline.nlp.anchored import Anchored, guarded

try:  # sre's extra case equivalences ("s" ~ "ſ", "β" ~ "ϐ" ...): code -> equivalent codes
    from re._casefix import _EXTRA_CASES
except ImportError:  # pragma: no cover - a future Python: every pattern then folds as before
    _EXTRA_CASES = None


def _odd_folds(lowered_source: str) -> set[str] | None:
    """The characters that IGNORECASE equates with a character of the pattern but that do not
    lower-case to it; "İ" lower-cases to two characters and is caught by the length check.
    None when Python's table is unknown (the folding pattern always runs)."""
    if _EXTRA_CASES is None:
        return None
    odd = set()
    for code, others in _EXTRA_CASES.items():
        members = {chr(code), *map(chr, others)}
        if members & set(lowered_source):
            odd |= {c for c in members if c not in lowered_source}
    odd |= {"\u0131", "\u017f"}  # "ı", "ſ" also match "i", "s" through ranges such as [a-z]
    return odd


def _char_class(chars: set[str]) -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(c) for c in sorted(chars)) + "]")


# The odd characters of every CaseFree pattern made so far (None once one cannot tell). Several
# patterns read each sentence: lowering it and looking for the odd characters of them all is
# done once per text (_lowered), not once per pattern.
_ALL_ODD: set[str] | None = set()
_all_odd: re.Pattern[str] | None = None
_ascii_plain = True  # no odd character is ASCII: then an ASCII text holds none
_ASCII = frozenset(map(chr, range(128)))


def _register_odd(odd: set[str] | None) -> None:
    global _ALL_ODD, _all_odd, _ascii_plain
    _ALL_ODD = None if odd is None or _ALL_ODD is None else _ALL_ODD | odd
    _all_odd = None if _ALL_ODD is None else _char_class(_ALL_ODD)
    _ascii_plain = _ALL_ODD is not None and _ALL_ODD.isdisjoint(_ASCII)
    _lowered.cache_clear()  # a text read before may hold the new pattern's odd characters


@lru_cache(maxsize=256)
def _lowered(text: str) -> tuple[str, bool]:
    """(text.lower(), whether that keeps every offset and `text` holds none of the odd characters
    of any CaseFree pattern: then every pattern's twin finds its matches on it)."""
    low = text.lower()
    if _ascii_plain and text.isascii():
        return low, True  # lower-casing ASCII keeps the length
    return low, _all_odd is not None and len(low) == len(text) and not _all_odd.search(text)


def lower_pattern(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The lower-case twin of a case-insensitive pattern, for lower-cased text."""
    source = pattern.pattern
    # An upper-case escape (\S, \W, \D, \B, \A, \Z) would change meaning when lower-cased.
    assert not re.search(r"\\[SWDBAZNP]", source), source
    lowered = source.lower().replace("(?p<", "(?P<").replace("(?p=", "(?P=")
    return re.compile(lowered, pattern.flags & ~re.IGNORECASE)


class Recased:
    """A match on the lower-cased text whose groups are read from the original text."""

    __slots__ = ("_match", "string")

    def __init__(self, match: re.Match[str], text: str) -> None:
        self._match = match
        self.string = text

    def group(self, name: int | str = 0) -> str | None:
        start, end = self._match.span(name)
        return None if start < 0 else self.string[start:end]

    def start(self, name: int | str = 0) -> int:
        return self._match.start(name)

    def end(self, name: int | str = 0) -> int:
        return self._match.end(name)

    def span(self, name: int | str = 0) -> tuple[int, int]:
        return self._match.span(name)


class CaseFree:
    """A case-insensitive pattern whose finditer runs the lower-case twin where that gives the
    same matches (see the module docstring)."""

    def __init__(self, pattern: re.Pattern[str], anchored: bool = False) -> None:
        """`anchored`: try the twin only where a match can start (see pipeline.nlp.anchored);
        worth it for a pattern that must start with a rare string such as a digit."""
        assert pattern.flags & re.IGNORECASE, pattern.pattern
        self.folding = pattern
        self.lower = lower_pattern(pattern)
        self._finder = Anchored(self.lower) if anchored else guarded(self.lower)
        self.pattern = pattern.pattern
        odd = _odd_folds(self.lower.pattern)
        self._odd = _char_class(odd) if odd is not None else None
        _register_odd(odd)
        # When no odd character is ASCII, an ASCII text (most sentences) needs no search.
        self._ascii_keeps = self._odd is not None and not any(self._odd.match(chr(c)) for c in range(128))

    def keeps_offsets(self, text: str, low: str) -> bool:
        """Do matches on `low` (= text.lower()) fall where the case-insensitive ones on `text` do?"""
        if self._ascii_keeps and text.isascii():
            return True  # lower-casing ASCII keeps the length
        return self._odd is not None and len(low) == len(text) and not self._odd.search(text)

    def folds_apart(self, text: str) -> bool:
        """Can the case-insensitive matches on `text` differ from the twin's on text.lower()?"""
        low, plain = _lowered(text)
        return not (plain or self.keeps_offsets(text, low))

    def finditer(self, text: str, pos: int = 0, endpos: int = 2**62) -> Iterator[re.Match[str] | Recased]:
        low, plain = _lowered(text)  # plain: this pattern's odd characters are absent too
        if not (plain or self.keeps_offsets(text, low)):
            return self.folding.finditer(text, pos, endpos)
        return (Recased(m, text) for m in self._finder.finditer(low, pos, endpos))
