"""The cheap per-sentence facts that decide which extraction rules a sentence needs.

Most sentences hold no number, name no people and no effect measure: the rules that need one
are skipped for them. The facts are read once per abstract (one automaton pass over the whole
text for all the gate words), not once per rule and sentence. The words themselves belong to
the rules that need them (number words in numbers.py, people nouns in sample_size.py, measure
names and result words in effects.py): `SentenceWords` is built from them by the pipeline.

    words = SentenceWords(numbers=..., people=..., measure_names=..., measure_abbreviations=..., result=...)
    words.facts_of("We enrolled ten men.") -> SentenceFacts(digit=False, number_word=True, people=True, ...)

A gate only ever skips work: every extractor, given no facts, runs all its rules and finds
the same answers (tests/test_nlp_facts.py).
"""

from __future__ import annotations

import bisect
import re
from typing import Iterable, NamedTuple, Sequence

from pipeline.nlp.word_index import WordIndex

_DIGIT = re.compile(r"\d")


class SentenceFacts(NamedTuple):
    """What the gates found in one sentence."""
    digit: bool  # holds a digit
    number_word: bool  # holds a number word as a whole word ("ten", not "often")
    people: bool  # a people noun follows whitespace ("ten men", not "treatment")
    measure: bool  # names an effect measure ("odds ratio", "OR")
    result_words: bool  # holds a word of the result language (lower-cased)


def shortest_prefixes(words: Iterable[str]) -> frozenset[str]:
    """The words that begin with none of the others ("patient" covers "patients")."""
    kept: list[str] = []
    for word in sorted(words):  # a word sorts just before those it begins
        if not kept or not word.startswith(kept[-1]):
            kept.append(word)
    return frozenset(kept)


def _whole_word(low: str, start: int, word: str) -> bool:
    """Is `word` at low[start:] a whole word (no letter, digit or "_" on either side)?"""
    end = start + len(word)
    before = low[start - 1] if start > 0 else " "
    after = low[end] if end < len(low) else " "
    return not (before.isalnum() or before == "_" or after.isalnum() or after == "_")


def _after_space(low: str, start: int) -> bool:
    """Does whitespace precede `start`, as a people count needs before its noun?"""
    return start > 0 and low[start - 1].isspace()


class SentenceWords:
    """The gate words of the extractors, and the facts they give for a sentence or an abstract.

    `numbers`, `people`, `measure_names` and `result` are lower-case words looked for in
    lower-cased text; `measure_abbreviations` ("OR", "HR") as written."""

    def __init__(self, numbers: Iterable[str], people: Iterable[str], measure_names: Iterable[str],
                 measure_abbreviations: Iterable[str], result: Iterable[str]) -> None:
        self.numbers, self.people = frozenset(numbers), frozenset(people)
        self.measure_names, self.result = frozenset(measure_names), frozenset(result)
        self._lower = WordIndex(self.numbers | self.people | self.measure_names | self.result)
        self._cased = WordIndex(measure_abbreviations)

    def facts_of(self, text: str) -> SentenceFacts:
        """The facts of one sentence, read on their own."""
        low = text.lower()
        positions = self._lower.positions(low)
        return SentenceFacts(
            digit=bool(_DIGIT.search(text)),
            number_word=any(_whole_word(low, start, word)
                            for word in self.numbers.intersection(positions) for start in positions[word]),
            people=any(_after_space(low, start)
                       for word in self.people.intersection(positions) for start in positions[word]),
            measure=bool(self.measure_names.intersection(positions)) or self._cased.occurs_in(text),
            result_words=bool(self.result.intersection(positions)),
        )

    def sentence_facts(self, text: str, spans: Sequence[tuple[int, int]],
                       low: str | None = None) -> list[SentenceFacts]:
        """facts_of(text[start:end]) for every sentence span, from one pass over the whole text.
        The same answers: a word inside a sentence is found in both, a word across its edge in
        neither, and the characters just outside a sentence are whitespace (see
        sentences.sentence_spans), as its edges are to facts_of. `low` is text.lower() when the
        caller has it."""
        low = text.lower() if low is None else low
        if len(low) != len(text):  # lower-casing moved the offsets ("İ" -> "i̇")
            return [self.facts_of(text[start:end]) for start, end in spans]
        starts = [start for start, _ in spans]

        def sentence_of(start: int, size: int) -> int:
            """The sentence that holds text[start:start + size] whole, or -1."""
            i = bisect.bisect_right(starts, start) - 1
            return i if i >= 0 and start + size <= spans[i][1] else -1

        number, people, measure, result = set(), set(), set(), set()
        for word, places in self._lower.positions(low).items():
            is_number, is_person = word in self.numbers, word in self.people
            is_name, is_result = word in self.measure_names, word in self.result
            for start in places:
                number_here = is_number and _whole_word(low, start, word)
                person_here = is_person and _after_space(low, start)
                if not (number_here or person_here or is_name or is_result):
                    continue  # most hits ("men" in "treatment") count for nothing
                i = sentence_of(start, len(word))
                if i < 0:
                    continue
                if number_here:
                    number.add(i)
                if person_here and start > spans[i][0]:  # whitespace inside the sentence
                    people.add(i)
                if is_name:
                    measure.add(i)
                if is_result:
                    result.add(i)
        for word, places in self._cased.positions(text).items():
            measure.update(i for i in (sentence_of(start, len(word)) for start in places) if i >= 0)
        return [SentenceFacts(digit, i in number, i in people, i in measure, i in result)
                for i, digit in enumerate(_DIGIT.search(text, start, end) is not None for start, end in spans)]


def lowered_sentences(text: str, low: str, spans: Sequence[tuple[int, int]]) -> list[str]:
    """text[start:end].lower() for every sentence span, cut from `low` (= text.lower()) when
    that keeps the offsets. The same strings: str.lower maps each character on its own except a
    final sigma, whose context stops at whitespace, and every sentence is bounded by whitespace
    or the text's ends (see sentences.sentence_spans)."""
    if len(low) != len(text) or "\u03a3" in text:
        return [text[start:end].lower() for start, end in spans]
    return [low[start:end] for start, end in spans]


def ascii_lower(text: str) -> str | None:
    """text.lower() for an ASCII text, else None (see may_hold)."""
    return text.lower() if text.isascii() else None


def may_hold(low: str | None, words: Sequence[str]) -> bool:
    """Can a case-insensitive pattern, each of whose matches holds one of `words`, match the
    text lower-cased as `low`? A pattern that must end at the end of a text (`...$`) is tried
    at every place of it, so this `in` test goes first. Exact in ASCII text only, where case
    folding is lower-casing (elsewhere it equates "ſ" with "s" ...): `low` None always may."""
    return low is None or any(word in low for word in words)
