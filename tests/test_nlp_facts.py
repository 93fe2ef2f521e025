"""The sentence gates read once per abstract answer as the same gates read sentence by sentence."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from pipeline.nlp.components import SENTENCE_WORDS
from pipeline.nlp.design import _own_text
from pipeline.nlp.facts import lowered_sentences
from pipeline.nlp.sentences import sentence_spans

facts_of, sentence_facts = SENTENCE_WORDS.facts_of, SENTENCE_WORDS.sentence_facts

# Words that open each gate (number words, people nouns, measure names and abbreviations, result
# words) and their near misses inside longer words ("often", "treatment", "ORAL"), with the
# characters that lower-case to two ("İ") or differently at a word's end ("Σ").
WORDS = ["ten", "often", "Ten", "Forty-one", "men", "treatment", "women", "patients", "OR", "Or",
         "or", "ratio", "HR", "area under", "ρ", "12", "4.5", "İ", "Σ", "ORAL", "(n", "=", ".",
         "Significantly", "indifferent", "show", "reduc"]


def texts(words: list[str], gaps: list[str]) -> st.SearchStrategy[str]:
    """Abstracts of up to 30 of `words`, each followed by one of `gaps`."""
    return st.builds(lambda ws, gs: "".join(w + g for w, g in zip(ws, gs)),
                     st.lists(st.sampled_from(words), max_size=30),
                     st.lists(st.sampled_from(gaps), min_size=30, max_size=30))


@settings(max_examples=300, deadline=None)
@given(text=texts(WORDS, [" ", ". ", ".\n", "\n", "-", "", "  ", ". The "]))
def test_facts_of_the_abstract_are_the_facts_of_each_sentence(text: str) -> None:
    spans = sentence_spans(text)
    assert sentence_facts(text, spans) == [facts_of(text[s:e]) for s, e in spans]


WORDS_CASED = WORDS + ["ΑΣ", "ΣΑ", "Σ.", "K", "ſeven", "É"]


@settings(max_examples=300, deadline=None)
@given(text=texts(WORDS_CASED, [" ", ". ", ".\n", "\n", "-", "", ". The ", "'"]))
def test_sentences_lowered_from_the_abstract_are_each_sentence_lowered(text: str) -> None:
    spans = sentence_spans(text)
    assert lowered_sentences(text, text.lower(), spans) == [text[s:e].lower() for s, e in spans]


def test_a_word_counts_only_inside_its_sentence() -> None:
    text = "We saw ten men. Often treatment helps. OR 2.1 was found."
    facts = sentence_facts(text, sentence_spans(text))
    assert [(f.number_word, f.people, f.measure, f.digit) for f in facts] == [
        (True, True, False, False), (False, False, False, False), (False, False, True, True)]


def test_hedged_sentences_are_found_after_a_sentence_that_lower_cases_longer() -> None:
    # "İ" lower-cases to two characters: the hedge found in the joined lower-cased sentences
    # must still be mapped to its own sentence, not to a later one.
    sentences = [("İ" * 40 + ".", ""), ("Previous work exists.", ""), ("We enrolled 5 men.", "")]
    own = _own_text("title", sentences, [text.lower() for text, _ in sentences])
    assert "previous work" not in own and "we enrolled 5 men." in own
