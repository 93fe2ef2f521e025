"""Where many words occur in a text, found in one automaton pass for all of them.

The extraction rules are gated by words (a design cue is tried only when one of its gate
words occurs; see design.Gated and facts.SentenceWords): one Aho-Corasick pass (ahocorasick_rs,
in Rust) answers for every gate at once instead of one `in` test each.

    WordIndex(["rat", "mice"]).positions("rats and mice") -> {"rat": [0], "mice": [9]}
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable

from ahocorasick_rs import AhoCorasick, BytesAhoCorasick, Implementation


class WordIndex:
    """Where many words occur in a text, found in one automaton pass for all of them (instead
    of one `in` test or one pass each). Several rules read the same text in a row, so the
    last few texts' answers are kept. Words may be added until the first look-up.

    An ASCII text (most abstracts) is searched as bytes: the str automaton first maps every
    UTF-8 byte offset of the text to a character offset, a table as long as the text built
    on each call, and in ASCII the two offsets are the same."""

    def __init__(self, words: Iterable[str] = ()) -> None:
        self._words = set(words)
        self._automaton: AhoCorasick | None = None
        self._bytes: BytesAhoCorasick | None = None
        self._patterns: list[str] = []
        self.positions = lru_cache(maxsize=8)(self._positions)

    def add(self, words: Iterable[str]) -> None:
        if self._automaton is not None:
            raise RuntimeError("WordIndex.add after the first look-up")
        self._words.update(words)

    def _build(self) -> None:
        if self._automaton is None:
            self._patterns = sorted(self._words)
            # A DFA: larger to build (once), fastest to run (~1.5x the default NFA here).
            self._automaton = AhoCorasick(self._patterns, implementation=Implementation.DFA)
            # (A word with other characters cannot occur in ASCII text, nor its bytes.)
            self._bytes = BytesAhoCorasick([p.encode() for p in self._patterns], implementation=Implementation.DFA)

    def matches(self, text: str, overlapping: bool = False) -> list[tuple[int, int, int]]:
        """(word index, start, end) of the words in `text`, as AhoCorasick.find_matches_as_indexes."""
        self._build()
        if text.isascii():
            return self._bytes.find_matches_as_indexes(text.encode("ascii"), overlapping=overlapping)
        return self._automaton.find_matches_as_indexes(text, overlapping=overlapping)

    def _positions(self, text: str) -> dict[str, list[int]]:
        """{word: every position where it starts} for the words that occur in `text`."""
        found: dict[str, list[int]] = {}
        matches = self.matches(text, overlapping=True)
        patterns = self._patterns  # (built with the automaton by the first look-up)
        for index, start, _ in matches:
            places = found.get(patterns[index])
            if places is None:
                found[patterns[index]] = [start]
            else:
                places.append(start)
        return found

    def present(self, text: str) -> frozenset[str]:
        return frozenset(self.positions(text))

    def occurs_in(self, text: str) -> bool:
        """Does any of the words occur in `text`? (One pass that keeps no positions.)"""
        return bool(self.matches(text))
