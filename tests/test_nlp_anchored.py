"""Anchored patterns find exactly what the plain pattern finds, only faster."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from pipeline.nlp.anchored import Anchored, WordIndex, guarded, match_starts

PATTERNS = [
    r"\b(?:mice|mouse|rats?|c\.\s?elegans|guinea\s+pigs?)\b",
    r"(?<![\w.,%-])(?P<num>\d{1,3}(?:,\d{3})+|\d+|\b(?:one|two|twenty)\b)\s+(?:patients|men)\b",
    r"\bwe\s+(?:report|describe)\s+(?:a|an)\s+case|\brandomi[sz]ed(?<!nonrandomized)\s+trial",
    r"(?:ab|bcd)+x?",  # starts that overlap: "ab" inside "xabcd", "bcd" inside "abcd"
    r"[αβ]-?blocker",
    # short heads found from the word after their space: "in" from "vitro", "a" from a digit
    r"\bin\s+(?:vitro|silico)\b|\ba\s+\d+-year|\b(?:is|are)\s+(?:unknown|needed)",
    # ... and before optional whitespace: "p<.05", "p < .05", "c.elegans", "c. elegans"
    r"\bp\s*[<=>]\s*0?\.\d|\bc\.\s?elegans",
    # ... and before one whitespace character or another: "c index", "c-index"
    r"(?<![\w-])(?:c[\s-]index|c[\s-]statistics?|(?:ahr|hr)s?)(?![\w-])",
]
TEXT = st.text(alphabet="abcdx .,-%0123456789αβ\nmicerstwopanlguy", max_size=80)


def _spans(matches) -> list[tuple[int, int]]:
    return [m.span() for m in matches]


@pytest.mark.parametrize("source", PATTERNS)
@settings(max_examples=60, deadline=None)
@given(words=st.lists(st.sampled_from(
    ["mice", "rats", "rate", "c. elegans", "guinea pigs", "12 patients", "1,204 men", "twenty men",
     "we report a case", "randomized trial", "nonrandomized trial", "abcd", "xabcdab", "β-blocker",
     "4.5 patients", "x", "-", ".", " ", "\n", "in vitro", "in \t\u2009silico", "xin vitro", "in",
     "vitro", "a 45-year", "a\n3-year", "is needed", "are  unknown", "is", "p < .05", "p<0.1",
     "xp = .3", "p  >\n.2", "c.elegans", "c.  elegans", "c index", "c-index", "c\tstatistic",
     "c  index", "xc index", "c\u2009statistics", "ahrs", "hr", "-hr"]), max_size=12), noise=TEXT)
def test_same_matches_as_the_plain_pattern(source: str, words: list[str], noise: str) -> None:
    pattern = re.compile(source)
    anchored = Anchored(pattern)
    text = " ".join(words) + noise
    assert _spans(anchored.finditer(text)) == _spans(pattern.finditer(text))
    plain = pattern.search(text)
    found = anchored.search(text)
    assert (found and found.span()) == (plain and plain.span())
    assert anchored.count(text) == len(pattern.findall(text))
    guard = guarded(pattern)
    assert [(m.span(), m.groups()) for m in guard.finditer(text)] == [(m.span(), m.groups()) for m in pattern.finditer(text)]
    for pos, endpos in ((3, len(text)), (1, max(1, len(text) - 4))):
        assert _spans(anchored.finditer(text, pos, endpos)) == _spans(pattern.finditer(text, pos, endpos))


def test_match_starts_reads_the_literals_a_match_begins_with() -> None:
    assert match_starts(re.compile(r"\b(?:mice|rats?)\b")) == {"mice", "rat"}
    # any digit; "n" then "=" with or without whitespace between
    assert match_starts(re.compile(r"(?<!\w)(?:n\s*=\s*)?\d+")) == {"n=", "n\ue001=", "\ue000"}
    assert match_starts(re.compile(r"\w+ing")) is None  # could start anywhere: run as it is
    assert match_starts(re.compile(r"(?i)mice")) is None  # case folding is not read
    # A short head is read with the word after its whitespace ("in" + space + "vitro").
    assert match_starts(re.compile(r"\bin\s+vitro|\ba\s+\d")) == {"in\ue001vitro", "a\ue001\ue000"}


def test_guarded_adds_the_start_strings_as_a_lookahead_after_a_leading_assertion() -> None:
    # The first characters' class, then the strings (one test turns most places down).
    assert guarded(re.compile(r"\b(?:mice|rats?)\b")).pattern == r"\b(?=[mr])(?=mice|rat)(?:mice|rats?)\b"
    assert guarded(re.compile(r"(?<![\w.])\d+%")).pattern == r"(?<![\w.])(?=[\d])\d+%"
    assert guarded(re.compile(r"\w+ing")).pattern == r"\w+ing"  # can start anywhere: as it is
    folding = re.compile(r"mice", re.IGNORECASE)
    assert guarded(folding) is folding


def test_word_index_finds_every_occurrence_in_one_pass() -> None:
    words = WordIndex(["meta", "pooled", "random"])
    assert words.positions("a pooled meta-analysis, pooled") == {"pooled": [2, 24], "meta": [9]}
    assert words.present("nothing here") == frozenset()
    with pytest.raises(RuntimeError):
        words.add(["late"])  # the automaton is built: a new word would be missed silently


def test_patterns_sharing_an_index_find_what_each_finds_alone() -> None:
    shared = WordIndex()
    rats, mice = (Anchored(re.compile(p), shared) for p in (r"\brats?\b", r"\bmice\b"))
    text = "rats, mice and a rate of 3 rats"
    assert [m.span() for m in rats.finditer(text)] == [m.span() for m in re.finditer(r"\brats?\b", text)]
    assert mice.count(text) == 1


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet="abrat ratioβρ\u0130é\n-x", max_size=60))
def test_word_matches_are_the_str_automatons(text: str) -> None:
    """ASCII texts are searched as bytes: the same words at the same character offsets as the
    str automaton finds, overlapping or not, in ASCII and other text alike."""
    from ahocorasick_rs import AhoCorasick

    words = ["rat", "ratio", "at", "β", "βρ", "é", "a b", "i\u0307"]
    index = WordIndex(words)
    plain = AhoCorasick(sorted(words))
    for overlapping in (True, False):
        assert index.matches(text, overlapping) == plain.find_matches_as_indexes(text, overlapping=overlapping)
    assert index.matches(text.encode("ascii", "ignore").decode()) == \
        plain.find_matches_as_indexes(text.encode("ascii", "ignore").decode())


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet="ab 1x9.\n٣é0", max_size=40), cuts=st.lists(st.integers(0, 40), max_size=6))
def test_holds_digit_is_a_digit_search_in_each_span(text: str, cuts: list[int]) -> None:
    """ASCII texts are read through a translated copy: the same answer as re's \\d per span."""
    from pipeline.nlp.anchored import holds_digit

    bounds = sorted({0, len(text), *(min(c, len(text)) for c in cuts)})
    spans = list(zip(bounds, bounds[1:]))
    for sample in (text, text.encode("ascii", "ignore").decode()):
        assert holds_digit(sample, spans) == [re.search(r"\d", sample[s:e]) is not None for s, e in spans]


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="a1 9_.,-x0(", max_size=40), pos=st.integers(0, 45), endpos=st.integers(0, 45))
def test_number_starts_are_the_first_digit_patterns_matches(text: str, pos: int, endpos: int) -> None:
    from pipeline.nlp.anchored import _ASCII_FIRST_DIGITS, number_starts

    assert number_starts(text, pos, endpos) == [m.start() for m in _ASCII_FIRST_DIGITS.finditer(text, pos, endpos)]
    assert number_starts(text) == [m.start() for m in _ASCII_FIRST_DIGITS.finditer(text)]
