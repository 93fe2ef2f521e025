"""The `in` tests before the patterns that end at a figure or read the text after it
(facts.may_hold) never turn down a text the pattern matches: every match holds one of
the listed words."""

from __future__ import annotations

import pytest

from pipeline.nlp import effects as e, sample_size as s
from pipeline.nlp.facts import ascii_lower, may_hold
from pipeline.nlp.sentences import sentence_spans
from conftest import shared_file

PAIRS = [
    (e._NOT_OUTCOME_BEFORE, e._NOT_OUTCOME_WORDS), (e._DIFFERENCE_BEFORE, e._DIFFERENCE_WORDS),
    (e._CHANGE_BEFORE, e._CHANGE_WORDS), (s._SUBSET_BEFORE, s._SUBSET_WORDS),
    (s._OUTCOME_BEFORE, s._OUTCOME_WORDS), (s._TOTAL_BEFORE, s._TOTAL_WORDS),
    (s._HYPOTHETICAL_BEFORE, s._HYPOTHETICAL_WORDS), (s._GROUPS_OF, s._GROUPS_WORDS),
    (s._ENROL_BEFORE, s._ENROL_BEFORE_WORDS),
]
# The patterns read on the text after a count (a lazy run, then one of the words).
AFTER_PAIRS = [(s._ENROL_AFTER, s._ENROL_WORDS), (s._WEAK_AFTER, s._WEAK_WORDS)]


@pytest.mark.parametrize("pattern, words", PAIRS + AFTER_PAIRS)
def test_a_text_without_the_words_is_turned_down_and_one_with_them_is_not(pattern, words) -> None:
    assert not may_hold("xyz", words)
    assert all(may_hold(f"xyz {w} xyz", words) for w in words)
    assert may_hold(None, words)  # non-ASCII text: always tried


def test_every_window_a_pattern_matches_in_real_abstracts_holds_one_of_its_words() -> None:
    path = shared_file("scifact", "corpus.jsonl")
    from pipeline.nlp.extraction import records_from_jsonl

    checked = 0
    for record in list(records_from_jsonl(path))[:400]:
        for start, end in sentence_spans(record.abstract):
            sentence = record.abstract[start:end]
            if not sentence.isascii():
                continue
            for cut in range(0, len(sentence), 7):
                before, after = sentence[max(0, cut - 60):cut], sentence[cut:cut + 60]
                for pattern, words in PAIRS:
                    if pattern.search(before):
                        checked += 1
                        assert may_hold(ascii_lower(before), words), (pattern.pattern, before)
                for pattern, words in AFTER_PAIRS:
                    if pattern.match(after):
                        checked += 1
                        assert may_hold(ascii_lower(after), words), (pattern.pattern, after)
    assert checked > 100  # the windows did exercise the patterns
