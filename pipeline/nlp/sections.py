"""Where an abstract's sections lie and what kind each is: pure text helpers, no spaCy.

Sources (reading records) and rating (weighing sentences) use these as well as extraction, so
this module imports nothing heavier than `re` and the shared types.

    section_kind("Methods and Findings") -> "results"
    inline_heading("RESULTS We found ...") -> "RESULTS"
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

from pipeline.types import Sentence

_SECTION_KINDS = (
    ("background", ("BACKGROUND", "INTRODUCTION", "CONTEXT", "RATIONALE", "IMPORTANCE",
                    "OBJECTIVE", "OBJECTIVES", "AIM", "AIMS", "PURPOSE", "GOAL", "HYPOTHESIS")),
    ("methods", ("METHOD", "METHODS", "DESIGN", "SETTING", "PARTICIPANTS", "PATIENTS",
                 "SUBJECTS", "INTERVENTION", "INTERVENTIONS", "MEASUREMENTS", "MEASURES",
                 "OUTCOME", "OUTCOMES", "MATERIALS", "PROCEDURES", "SAMPLE", "POPULATION",
                 "EXPOSURE", "EXPOSURES", "DATA", "SOURCES", "SEARCH", "SELECTION",
                 "EXTRACTION", "ANALYSIS", "ELIGIBILITY", "CRITERIA", "APPROACH")),
    ("results", ("RESULT", "RESULTS", "FINDINGS", "PRINCIPAL", "OBSERVATIONS")),
    ("conclusions", ("CONCLUSION", "CONCLUSIONS", "INTERPRETATION", "SIGNIFICANCE",
                     "IMPLICATIONS", "DISCUSSION", "SUMMARY", "RELEVANCE")),
)
_KIND_BY_WORD = {word: kind for kind, words in _SECTION_KINDS for word in words}
# Results beat methods: "METHODS AND FINDINGS" is mostly results in PLoS abstracts.
_KIND_PRIORITY = {"conclusions": 4, "results": 3, "methods": 2, "background": 1}


@lru_cache(maxsize=1024)  # a few hundred distinct headings; called for every sentence
def section_kind(label: str) -> str:
    """"RESULTS" -> "results", "Methods and Findings" -> "results", unknown -> ""."""
    words = re.findall(r"[A-Za-z]+", label.upper())
    kinds = {_KIND_BY_WORD[w] for w in words if w in _KIND_BY_WORD}
    if not kinds:
        return ""
    return max(kinds, key=lambda k: _KIND_PRIORITY[k])


def section_spans(sections: Sequence[tuple[str, str]]) -> list[tuple[str, int, int]]:
    """(label, start, end) of every section inside Record.abstract ("\\n"-joined sections)."""
    out: list[tuple[str, int, int]] = []
    pos = 0
    for label, text in sections:
        out.append((label, pos, pos + len(text)))
        pos += len(text) + 1
    return out


def label_at(spans: Sequence[tuple[str, int, int]], offset: int) -> str:
    """The label of the section that holds `offset`, or "" (see section_spans)."""
    for label, start, end in spans:
        if start <= offset <= end:
            return label
    return ""


# An inline heading at the start of a sentence ("RESULTS We found ..."), as in SciFact's
# flattened structured abstracts; only words that name abstract sections count.
_HEADING_WORD = "|".join(sorted(_KIND_BY_WORD, key=len, reverse=True))
_INLINE_HEADING = re.compile(
    rf"^\s*((?:(?:{_HEADING_WORD}|AND|OF|&|/|,|MAIN|STUDY|KEY|TRIAL)\s*)+?)(?::|\s)(?=\s*\S)"
)


@lru_cache(maxsize=8192)  # asked when a record is read and again when its Doc is made
def inline_heading(sentence: str) -> str:
    """The upper-case section heading a sentence starts with ("RESULTS", "METHODS AND
    FINDINGS"), or "" when it starts with ordinary text."""
    # (lstrip copies the whole sentence; most start with no space to strip)
    start = sentence.lstrip()[:2] if sentence[:1].isspace() else sentence[:2]
    # Every heading word is upper case, two letters or more ("OF", "AIM"), or "&", "/", ",":
    # "The ..." cannot start one, and most sentences start so.
    if not start or not (start[0] in "&/," or start.isupper() and start.isalpha()):
        return ""
    m = _INLINE_HEADING.match(sentence)
    if not m:
        return ""
    heading = m.group(1).strip(" ,&/")
    if not any(w in _KIND_BY_WORD for w in re.findall(r"[A-Z]+", heading)):
        return ""
    rest = sentence[m.end():].lstrip()
    # "DESIGN of the study ..." is prose, not a heading: a heading is followed by a new sentence.
    if rest[:1].islower():
        return ""
    return heading


def doc_sentences(text: str, sentence_spans: Sequence[tuple[int, int]],
                  sections: Sequence[tuple[str, str]]) -> list[Sentence]:
    """Sentence spans of `text` as Sentence objects labelled by section (or inline heading)."""
    spans = section_spans(sections)
    out: list[Sentence] = []
    current_inline = ""
    for start, end in sentence_spans:
        label = label_at(spans, start)
        sentence = text[start:end]
        heading = inline_heading(sentence)
        if heading:
            current_inline = heading
        if not label and current_inline:
            label = current_inline
        out.append(Sentence(sentence, start, end, label))
    return out

