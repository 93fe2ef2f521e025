"""The extraction pipeline's spaCy components: thin wrappers over the pure extractors.

  fc_sentences    sections.doc_sentences, facts.SentenceWords.sentence_facts
  fc_sample_size  sample_size.find_sample_size
  fc_design       design.classify_design
  fc_effects      effects.find_effects, effects.is_result_sentence

Each component reads what the tokenizer and the earlier components left on the Doc's state
(`doc._.fc`, see state.py), runs its pure function on sentence text and keeps the answer there;
`pipeline.nlp` assembles the answers into a Finding.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.nlp.design import classify_design, names_a_review
from pipeline.nlp.effects import (
    MEASURE_ABBREVIATIONS, MEASURE_NAME_WORDS, RESULT_WORDS, find_effects, is_result_sentence,
)
from pipeline.nlp.facts import SentenceWords, lowered_sentences
from pipeline.nlp.numbers import NUMBER_WORDS, p_values
from pipeline.nlp.sample_size import PEOPLE_GATES, find_sample_size
from pipeline.nlp.sections import doc_sentences, inline_heading, section_kind
from pipeline.nlp.state import doc_state
from pipeline.types import Effect, Sentence

__all__ = ["SENTENCE_WORDS", "inline_heading", "section_kind"]  # (the old import path of the two)

# The gate words of every extractor, read once per abstract by fc_sentences.
SENTENCE_WORDS = SentenceWords(numbers=NUMBER_WORDS, people=PEOPLE_GATES, measure_names=MEASURE_NAME_WORDS,
                               measure_abbreviations=MEASURE_ABBREVIATIONS, result=RESULT_WORDS)


@Language.factory("fc_sentences")
def make_sentences(nlp: Language, name: str):  # noqa: ANN201 - spaCy factory signature
    def component(doc: Doc) -> Doc:
        state = doc_state(doc)
        text, spans, record = state.text, state.spans, state.record
        sections = record.sections if record is not None else (("", text),)
        state.sentences = doc_sentences(text, spans, sections)
        low = text.lower()  # once per abstract: the sentence gates and the design texts share it
        state.facts = SENTENCE_WORDS.sentence_facts(text, spans, low)  # one per sentence
        state.lowered = lowered_sentences(text, low, spans)
        return doc
    return component


@Language.factory("fc_effects")
def make_effects(nlp: Language, name: str):  # noqa: ANN201
    def component(doc: Doc) -> Doc:
        effects: list[Effect] = []
        results: list[Sentence] = []
        state = doc_state(doc)
        for sent, facts in zip(state.sentences or (), state.facts or ()):
            text, kind = sent.text, section_kind(sent.section)
            found: list[Effect] = []
            # Every estimate holds a digit or a number word; background and methods report
            # estimates only beside a p-value.
            if (facts.digit or facts.number_word) and (kind not in ("background", "methods") or p_values(text)):
                found = find_effects(text, sent.start, percentages=is_result_sentence(
                    text, kind, False, facts.result_words) or kind == "", facts=facts)
                effects.extend(found)
            # Results and conclusions report results with or without figures: no p-value search.
            if kind in ("results", "conclusions") or is_result_sentence(
                    text, kind, bool(found) or bool(p_values(text)), facts.result_words):
                results.append(sent)
        state.effects, state.results = effects, results
        return doc
    return component


@Language.factory("fc_sample_size")
def make_sample_size(nlp: Language, name: str):  # noqa: ANN201
    def component(doc: Doc) -> Doc:
        state = doc_state(doc)
        sents = [(s.text, s.start, section_kind(s.section)) for s in state.sentences or ()]
        title = state.record.title.lower() if state.record else ""
        # The sentences outside the background joined by a character no pattern matches, so
        # no match spans two sentences (the same as one search each).
        own = "\x00".join([low for low, (_, _, k) in zip(state.lowered or (), sents) if k != "background"])
        state.sample_size = find_sample_size(sents, state.text, meta=names_a_review(title, own), facts=state.facts)
        return doc
    return component


@Language.factory("fc_design")
def make_design(nlp: Language, name: str):  # noqa: ANN201
    def component(doc: Doc) -> Doc:
        state = doc_state(doc)
        record = state.record
        sents = [(s.text, section_kind(s.section)) for s in state.sentences or ()]
        size = state.sample_size
        state.design = classify_design(
            record.title if record else "", sents, record.pub_types if record else (),
            has_human_count=bool(size and size.n), lowered=state.lowered,
        )
        return doc
    return component
