"""WordIndex finds the words the plain automaton finds, at the same character offsets."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from pipeline.nlp.word_index import WordIndex


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
