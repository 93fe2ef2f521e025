"""Patterns tried only where a match can start: the same matches, found without a full scan.

CPython's re tries a pattern at every position of the text unless the pattern starts with a
literal or a character set; the extraction rules mostly start with a word boundary or a
lookbehind (`\\b(?:mice|rats?|...)`, `(?<![\\w.])(?P<num>...)`), so each search walks the text
one position at a time (~30 ns a character). Here the literal strings every match must start
with are read from the parsed pattern, an Aho-Corasick automaton (ahocorasick_rs, in Rust) finds
where they occur, and the pattern is matched only at those positions. A match of the pattern
starts with one of the literals by construction, so search/finditer return what the pattern's
own methods return; a pattern whose matches can start anywhere is simply run as it is.

    ANIMAL = Anchored(re.compile(r"\\b(?:mice|rats?)\\b"))   # starts: "mice", "rat"
    ANIMAL.count("rats and mice, not rates") -> 2
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from typing import Iterable, Iterator

from ahocorasick_rs import AhoCorasick, BytesAhoCorasick, Implementation

try:  # the parser of the re module (Python 3.11+); sre_parse before
    from re import _constants as _c, _parser as _sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _c
    import sre_parse as _sre_parse

# Any digit (\d, [0-9]) as the first character: its positions come from a digit pattern.
_DIGIT_START = "\ue000"
_DIGITS = re.compile(r"\d")
# Digits that begin a number (no word character before them): the only places a match can
# start at a digit when the pattern opens with \b or a lookbehind that rules out a word
# character.
# (The digit comes first and the look back after it, so that re scans for digits.)
_FIRST_DIGITS = re.compile(r"\d(?<!\w\d)")
# The same in an ASCII text, where \d is [0-9]: re tests a range there instead of looking
# every character up in Unicode's tables (str.isascii is a flag read, not a scan).
_ASCII_DIGITS = re.compile(r"[0-9]")
_ASCII_FIRST_DIGITS = re.compile(r"[0-9](?<!\w\d)")
# Byte 1 for an ASCII digit, 2 for another word character, 0 for the rest (see number_starts).
_WORD_BYTES = bytes(1 if 48 <= b <= 57 else 2 if 65 <= b <= 90 or 97 <= b <= 122 or b == 95 else 0
                    for b in range(256))


def number_starts(text: str, pos: int = 0, endpos: int = sys.maxsize) -> list[int]:
    """[m.start() for m in _ASCII_FIRST_DIGITS.finditer(text, pos, endpos)] for an ASCII text:
    a digit after a non-word byte, found by memchr-like searches in a translated byte copy
    instead of re's class test at every character. (The look back may see before `pos`, as
    re's lookbehind does.)"""
    marked = text.encode("ascii").translate(_WORD_BYTES)
    endpos = min(endpos, len(text))
    out = [0] if pos == 0 < endpos and marked[0] == 1 else []
    at = marked.find(b"\x00\x01", max(pos - 1, 0), endpos)
    while at >= 0:
        out.append(at + 1)
        at = marked.find(b"\x00\x01", at + 1, endpos)
    return out


# Where a number after a run of whitespace starts (in ASCII text: [0-9], as above).
_DIGITS_AFTER_SPACE = re.compile(r"\d(?<=\s\d)")
_ASCII_DIGITS_AFTER_SPACE = re.compile(r"[0-9](?<=\s[0-9])")
# "in" + _GAP + "vitro": the word "in", a run of whitespace, then "vitro". A start word this
# short ("in", "we", "is") occurs everywhere, so such a match is found from the word after
# the space, walking back over the space (see Anchored.candidates).
_GAP = "\ue001"
_SHORT = 4
_SPACE = [(_c.IN, [(_c.CATEGORY, _c.CATEGORY_SPACE)])]
_MAX_LEN = 6  # a longer literal only narrows the candidates slightly
_MAX_STARTS = 600
_MIN_LEN = 2  # "a" starts a match almost anywhere: then the plain scan is faster ("β" is rare)
_ZERO_WIDTH = (_c.AT, _c.ASSERT, _c.ASSERT_NOT)
_REPEATS = tuple(op for op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)) if op)


def _class_chars(items: list) -> list[str] | None:
    """The characters of a small set such as [ab] or [sz], or None."""
    chars: list[str] = []
    for op, av in items:
        if op is _c.LITERAL:
            chars.append(chr(av))
        elif op is _c.RANGE and av[1] - av[0] < 16:
            chars.extend(chr(c) for c in range(av[0], av[1] + 1))
        else:
            return None
    return chars


def _is_digit_class(items: list) -> bool:
    """\\d, [0-9] or a set of ASCII digits such as [1-9]: its positions are among the digits'
    (every candidate is checked by the pattern, so a wider set of positions is harmless, and
    a digit scan is far cheaper than nine automaton words that match everywhere)."""
    if items == [(_c.CATEGORY, _c.CATEGORY_DIGIT)]:
        return True
    return all(op is _c.LITERAL and 48 <= av <= 57 or op is _c.RANGE and 48 <= av[0] <= av[1] <= 57
               for op, av in items)


def _starts(items: list, i: int, acc: str) -> set[str]:
    """Literal prefixes one of which begins every match of items[i:], given `acc` matched."""
    if len(acc) >= _MAX_LEN or i == len(items):
        return {acc}
    op, av = items[i]
    rest = items[i + 1:]
    if op in _ZERO_WIDTH:  # consumes nothing: the text starts with what follows
        return _starts(items, i + 1, acc)
    if op is _c.LITERAL:
        return _starts(items, i + 1, acc + chr(av))
    if op is _c.SUBPATTERN:
        add_flags = av[1]
        if add_flags & re.IGNORECASE:
            return {acc}
        return _starts(list(av[-1]) + rest, 0, acc)
    if op is _c.BRANCH:
        out: set[str] = set()
        for alternative in av[1]:
            out |= _starts(list(alternative) + rest, 0, acc)
        return out
    if op is _c.IN:
        if not acc and _is_digit_class(av):
            return {_DIGIT_START}
        if (_c.CATEGORY, _c.CATEGORY_SPACE) in av and len(av) > 1 and 0 < len(acc) < _SHORT and _GAP not in acc:
            # One whitespace character or one of a few others after a short head ("c[\s-]index"):
            # the whitespace as a run of one (see the repeats below), the others as literals.
            others = _class_chars([x for x in av if x != (_c.CATEGORY, _c.CATEGORY_SPACE)])
            spaced = _starts([(_c.MAX_REPEAT, (1, 1, _SPACE))] + rest, 0, acc)
            if others is not None and all(_GAP in t for t in spaced):
                return spaced.union(*(_starts(items, i + 1, acc + c) for c in others))
        chars = _class_chars(av)
        if chars is None:
            return {acc}
        out = set()
        for char in chars:
            out |= _starts(items, i + 1, acc + char)
        return out
    if op in _REPEATS:
        low, _, item = av
        if 0 < len(acc) < _SHORT and _GAP not in acc and list(item) == _SPACE:
            tails = _starts(items, i + 1, "")  # what follows the run of whitespace
            # A tail is a number, a word of three letters or more, or a sign ("p < .05").
            if all(t == _DIGIT_START or t and (len(t) >= _SHORT - 1 or not t.isalnum())
                   and _DIGIT_START not in t and _GAP not in t and not t[0].isspace() for t in tails):
                indirect = {acc + _GAP + t for t in tails}
                # \s* may also match no space at all: then the head runs on into the tail.
                return indirect if low >= 1 else indirect | _starts(items, i + 1, acc)
        once = _starts(list(item), 0, acc)  # the first repetition, then stop reading
        return once | _starts(items, i + 1, acc) if low == 0 else once
    return {acc}  # any character, a class such as \w or \s, a back-reference: stop here


def _after_non_word(items: list) -> bool:
    """Does every match begin with \\b or with a lookbehind that rules out a word character
    before it?"""
    if not items:
        return False
    op, av = items[0]
    if op is _c.AT:
        return av is _c.AT_BOUNDARY
    if op is _c.ASSERT_NOT and av[0] == -1:  # (?<![\w...])
        behind = list(av[1])
        return len(behind) == 1 and behind[0][0] is _c.IN and (_c.NEGATE, None) not in behind[0][1] \
            and (_c.CATEGORY, _c.CATEGORY_WORD) in behind[0][1]
    if op is _c.SUBPATTERN:
        return _after_non_word(list(av[-1]) + items[1:])
    if op is _c.BRANCH:
        return all(_after_non_word(list(alternative) + items[1:]) for alternative in av[1])
    return False


def match_starts(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Strings one of which every match of `pattern` starts with (`_DIGIT_START` for any
    digit), or None when a match can start with anything."""
    if pattern.flags & re.IGNORECASE:
        return None
    starts = _starts(list(_sre_parse.parse(pattern.pattern, pattern.flags)), 0, "")
    if "" in starts:
        return None
    starts = _shortest(starts)  # "rat" already finds every place "rats" starts
    return None if len(starts) > _MAX_STARTS else starts


def _shortest(starts: Iterable[str]) -> frozenset[str]:
    """The strings that begin with none of the others."""
    kept: list[str] = []
    for s in sorted(starts):  # a string sorts just before those it begins
        if not kept or not s.startswith(kept[-1]):
            kept.append(s)
    return frozenset(kept)


# A leading lookbehind on a character class, or \b: the guard goes after it, so that a place
# inside a word is still turned down by it first.
_LEADING_ASSERTION = re.compile(r"\(\?<!\[(?:\\.|[^\]])*\]\)|\\b")
_MAX_GUARD = 80


def guarded(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The same pattern with a lookahead up front that lets re turn a place down at once
    unless one of the strings a match must start with begins there (see match_starts).

    CPython's re tries a pattern that opens with a lookbehind or \\b at every position in
    full: with a long choice of names ("odds ratio|hazard ratio|...") that costs ~1 µs a word.
    A lookahead of plain strings is checked a character at a time, and as every match starts
    with one of them, the matches (and their groups) are the pattern's own."""
    if pattern.flags & re.IGNORECASE or re.match(r"\(\?[aiLmsux]", pattern.pattern):
        return pattern  # case folding is not read; inline flags must stay first
    starts = _starts(list(_sre_parse.parse(pattern.pattern, pattern.flags)), 0, "")
    heads = _shortest({start.split(_GAP)[0][:_MAX_LEN] for start in starts})  # the text before a space run
    if "" in heads or len(heads) > _MAX_GUARD:
        return pattern
    choices = "|".join(r"\d" if h == _DIGIT_START else re.escape(h) for h in sorted(heads, key=lambda h: (-len(h), h)))
    # The first characters as one class before the choice: re tries a choice's strings one
    # after another at each place, a class is one test.
    first = "".join(sorted({r"\d" if h == _DIGIT_START else re.escape(h[0]) for h in heads}))
    guard = f"(?=[{first}])" + ("" if all(h == _DIGIT_START or len(h) == 1 for h in heads) else f"(?={choices})")
    lead = _LEADING_ASSERTION.match(pattern.pattern)
    cut = lead.end() if lead else 0
    return re.compile(f"{pattern.pattern[:cut]}{guard}{pattern.pattern[cut:]}", pattern.flags)


# Byte 1 for an ASCII digit, 0 for any other byte (see holds_digit).
_DIGIT_BYTES = bytes(int(48 <= b <= 57) for b in range(256))


def holds_digit(text: str, spans: Iterable[tuple[int, int]]) -> list[bool]:
    """Does text[start:end] hold a digit (re's \\d), for each span? In an ASCII text the digits
    are marked in one translate and each span is one memchr (`bytes.find`); re would call its
    character-class test once for every character of the text."""
    if text.isascii():
        marked = text.encode("ascii").translate(_DIGIT_BYTES)
        return [marked.find(1, start, end) >= 0 for start, end in spans]
    return [_DIGITS.search(text, start, end) is not None for start, end in spans]


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


_START = re.Match.start  # m.start() for map(), which runs no Python frame per match


class Anchored:
    """A pattern matched only where one of its start strings occurs (see the module docstring).
    search/finditer/count behave as the pattern's own search/finditer/len(findall).

    Patterns read on the same texts can share one `WordIndex`: one automaton pass a text
    then finds the start strings of them all."""

    def __init__(self, pattern: re.Pattern[str], index: WordIndex | None = None) -> None:
        self.pattern = pattern
        self._scan = guarded(pattern)  # for a pattern that cannot be anchored
        starts = match_starts(pattern)
        starts = starts or frozenset()
        words = {w for w in starts if w != _DIGIT_START and _GAP not in w}
        indirect = [tuple(w.split(_GAP)) for w in starts if _GAP in w]
        self._anchored = bool(starts) and not any(len(w) < _MIN_LEN and w.isascii() and w.isalpha() for w in words)
        self._digits = self._anchored and _DIGIT_START in starts
        # A digit right after a letter or digit cannot start a match that needs a non-word
        # character before it: such patterns are tried only where a number begins.
        self._digit_starts = (_FIRST_DIGITS, _ASCII_FIRST_DIGITS) if self._digits and _after_non_word(
            list(_sre_parse.parse(pattern.pattern, pattern.flags))) else (_DIGITS, _ASCII_DIGITS)
        self._words = frozenset(words) if self._anchored else frozenset()
        self._indirect = sorted(indirect) if self._anchored else []  # (head, tail)
        self._index = index or WordIndex()
        self._index.add(self._words | {tail for _, tail in self._indirect if tail != _DIGIT_START})

    def candidates(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> list[int]:
        """Every position in [pos, endpos) where a match could start, in order."""
        size = len(text)
        if endpos > size:
            endpos = size
        found: set[int] = set()
        if (self._words or self._indirect) and pos < endpos:
            positions = self._index.positions(text)
            if pos == 0 and endpos == size:  # the usual case: every place counts
                for word in self._words.intersection(positions):  # the few that occur
                    found.update(positions[word])
            else:
                for word in self._words.intersection(positions):
                    found.update(p for p in positions[word] if pos <= p and p + len(word) <= endpos)
            for head, tail in self._indirect:
                after = map(_START, (_ASCII_DIGITS_AFTER_SPACE if text.isascii() else _DIGITS_AFTER_SPACE).finditer(
                    text, pos, endpos)) if tail == _DIGIT_START else positions.get(tail, ())
                for p in after:
                    gap = p
                    while gap > 0 and text[gap - 1].isspace():
                        gap -= 1
                    start = gap - len(head)
                    if gap < p and start >= pos and text.startswith(head, start) and p + len(tail) <= endpos:
                        found.add(start)
        if self._digits:
            if self._digit_starts[1] is _ASCII_FIRST_DIGITS and text.isascii():
                found.update(number_starts(text, pos, endpos))
            else:
                digits = self._digit_starts[text.isascii()]
                found.update(map(_START, digits.finditer(text, pos, endpos)))
        return sorted(found)

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        if not self._anchored:
            return self._scan.search(text, pos, endpos)
        match = self.pattern.match
        for start in self.candidates(text, pos, endpos):
            m = match(text, start, endpos)
            if m:
                return m
        return None

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        if not self._anchored:
            yield from self._scan.finditer(text, pos, endpos)
            return
        match = self.pattern.match
        resume = pos  # like re, the next match is looked for after the last one
        for start in self.candidates(text, pos, endpos):
            if start < resume:
                continue
            m = match(text, start, endpos)
            if m:
                yield m
                resume = m.end()  # never empty: every match starts with a start string

    def count(self, text: str) -> int:
        """len(pattern.findall(text))."""
        return len(list(self.finditer(text)))
