"""The rule tokenizer: sentence spans by rule, one token per sentence, text kept exactly."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st
from spacy.attrs import SENT_START
from spacy.tokens import Doc

from pipeline.nlp.extraction import build_nlp
from pipeline.nlp.tokenizer import sentence_spans


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


@pytest.mark.parametrize("text, expected", [
    ("Two arms. We found 3 cases.", ["Two arms.", "We found 3 cases."]),
    ("Pain fell (P < .001). Mood rose.", ["Pain fell (P < .001).", "Mood rose."]),
    ("As in Fig. 2, drug vs. placebo, e.g. the same. Next one.",
     ["As in Fig. 2, drug vs. placebo, e.g. the same.", "Next one."]),
    ("Smith J. Jones wrote it. Done.", ["Smith J. Jones wrote it.", "Done."]),
    ("OR 2.3 (95% CI 1.4-3.8). (Later) text.", ["OR 2.3 (95% CI 1.4-3.8).", "(Later) text."]),
    ("METHODS We enrolled 12\nRESULTS none", ["METHODS We enrolled 12", "RESULTS none"]),
    ("It ended. lower case goes on.", ["It ended. lower case goes on."]),
    ("", []),
])
def test_sentence_spans(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize("text", [
    "Two arms.  We found 3 cases.\n\nRESULTS  OR 2.3 (95% CI 1.4–3.8).",
    "  leading space and a trailing one ",
    "one",
])
def test_doc_text_and_sents_match_the_input(text: str) -> None:
    doc = build_nlp().make_doc(text)
    assert doc.text == text
    assert [s.text.strip() for s in doc.sents if s.text.strip()] == sentences(text)
    assert doc._.fc.spans == sentence_spans(text) and doc._.fc.text == text
    assert [t.text for t in doc if t.is_sent_start and t.text.strip()] == sentences(text)


@pytest.mark.parametrize("text", [
    "Two arms.  We found 3 cases.\n\nRESULTS  OR 2.3 (95% CI 1.4–3.8).",
    "  leading space and a trailing one ",
    "A. B.\n\n  C. ",
    "",
])
def test_sentence_starts_are_those_doc_sets_from_sent_starts(text: str) -> None:
    """The tokenizer writes the sentence starts through from_array: the same token attributes
    as the Doc spaCy builds from the same words with `sent_starts`."""
    nlp = build_nlp()
    doc = nlp.make_doc(text)
    words, spaces = [t.text for t in doc], [bool(t.whitespace_) for t in doc]
    plain = Doc(nlp.vocab, words=words, spaces=spaces, sent_starts=[t.is_sent_start for t in doc])
    assert all(t.is_sent_start is not None for t in doc)  # every token says start or not
    assert [t.is_sent_start for t in doc] == [t.is_sent_start for t in plain]
    assert doc.to_array([SENT_START]).tolist() == plain.to_array([SENT_START]).tolist()
    assert [s.text for s in doc.sents] == [s.text for s in plain.sents]
