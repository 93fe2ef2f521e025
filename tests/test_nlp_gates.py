"""The gates only skip work: on real abstracts every extractor finds the same with its gates
(the sentence facts, the design cues' gate words) as without them."""

from __future__ import annotations

import itertools

import pytest

from pipeline.nlp.extraction import records_from_jsonl
from pipeline.nlp.components import SENTENCE_WORDS
from pipeline.nlp.design import _ANIMAL, _COMPARED, _CUES, _HEDGE, _HUMAN, _IN_VITRO, _LAB
from pipeline.nlp.effects import find_effects
from pipeline.nlp.sample_size import find_sample_size
from pipeline.nlp.sentences import sentence_spans
from conftest import shared_file


@pytest.fixture(scope="module")
def abstracts() -> list[str]:
    path = shared_file("scifact", "corpus.jsonl")
    return [record.abstract for record in itertools.islice(records_from_jsonl(path), 0, 5183, 7)]


def test_effects_and_counts_are_the_same_with_the_sentence_facts_as_without(abstracts: list[str]) -> None:
    found = 0
    for text in abstracts:
        spans = sentence_spans(text)
        facts = SENTENCE_WORDS.sentence_facts(text, spans)
        for (start, end), fact in zip(spans, facts):
            sentence = text[start:end]
            gated = find_effects(sentence, start, facts=fact)
            assert gated == find_effects(sentence, start), sentence
            found += len(gated)
        sentences = [(text[s:e], s, "") for s, e in spans]
        assert find_sample_size(sentences, text, facts=facts) == find_sample_size(sentences, text)
    assert found > 100  # the sample did exercise the rules


def test_a_design_pattern_is_never_turned_down_by_its_gate_words(abstracts: list[str]) -> None:
    gated = [*_CUES.values(), _HEDGE, _ANIMAL, _IN_VITRO, _HUMAN, _LAB, _COMPARED]
    hits = 0
    for text in abstracts:
        low = text.lower()
        for pattern in gated:
            expected = [m.span() for m in pattern.pattern.finditer(low)]
            assert [m.span() for m in pattern.finditer(low)] == expected, pattern.pattern.pattern
            hits += bool(expected)
    assert hits > 100
