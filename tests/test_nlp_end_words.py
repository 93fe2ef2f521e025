"""The `in` tests before the patterns that end at a figure or read the text after it
(components._may_hold) never turn down a text the pattern matches: every match holds one of
the listed words."""

from __future__ import annotations

import pytest

from pipeline.nlp import components as c
from pipeline.nlp.tokenizer import sentence_spans
from conftest import shared_file

PAIRS = [
    (c._NOT_OUTCOME_BEFORE, c._NOT_OUTCOME_WORDS), (c._DIFFERENCE_BEFORE, c._DIFFERENCE_WORDS),
    (c._CHANGE_BEFORE, c._CHANGE_WORDS), (c._SUBSET_BEFORE, c._SUBSET_WORDS),
    (c._OUTCOME_BEFORE, c._OUTCOME_WORDS), (c._TOTAL_BEFORE, c._TOTAL_WORDS),
    (c._HYPOTHETICAL_BEFORE, c._HYPOTHETICAL_WORDS), (c._GROUPS_OF, c._GROUPS_WORDS),
    (c._ENROL_BEFORE, c._ENROL_BEFORE_WORDS),
]
# The patterns read on the text after a count (a lazy run, then one of the words).
AFTER_PAIRS = [(c._ENROL_AFTER, c._ENROL_WORDS), (c._WEAK_AFTER, c._WEAK_WORDS)]


@pytest.mark.parametrize("pattern, words", PAIRS + AFTER_PAIRS)
def test_a_text_without_the_words_is_turned_down_and_one_with_them_is_not(pattern, words) -> None:
    assert not c._may_hold("xyz", words)
    assert all(c._may_hold(f"xyz {w} xyz", words) for w in words)
    assert c._may_hold(None, words)  # non-ASCII text: always tried


def test_every_window_a_pattern_matches_in_real_abstracts_holds_one_of_its_words() -> None:
    path = shared_file("scifact", "corpus.jsonl")
    from pipeline.nlp import records_from_jsonl

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
                        assert c._may_hold(c._ascii_lower(before), words), (pattern.pattern, before)
                for pattern, words in AFTER_PAIRS:
                    if pattern.match(after):
                        checked += 1
                        assert c._may_hold(c._ascii_lower(after), words), (pattern.pattern, after)
    assert checked > 100  # the windows did exercise the patterns
