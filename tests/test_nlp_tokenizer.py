"""The rule tokenizer: sentence spans by rule, one token per sentence, text kept exactly."""

from __future__ import annotations

import pytest

from pipeline.nlp import build_nlp
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
