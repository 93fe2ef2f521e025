"""Rule components of the extraction pipeline, each a thin spaCy wrapper over a pure function.

Pure functions (tested on their own, no spaCy needed):
  section_spans, section_kind    where each abstract section lies, and what kind it is
  find_effects                   effect estimates with their CI and p-value in one sentence
  find_sample_size               participants of the reported study (+ number of studies)
  classify_design                study design with the reason it was chosen
  is_result_sentence             does a sentence report results

The components (registered with @Language.factory / Language.component) read the Record that
`pipeline.nlp.extract` stores on the Doc, run the pure functions on sentence text and keep the
answers on the Doc's state (`doc._.fc`, see state.py); `pipeline.nlp` assembles them into a
Finding. Regexes run on sentence text rather than tokens: figures such as "1.4-3.8",
"0·55–0·92" or "P<.001" are one unit to them however a tokenizer would split them.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import re
from functools import cached_property, lru_cache
from dataclasses import dataclass
from typing import Iterator, NamedTuple, Sequence

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.nlp.numbers import (
    NUM_RE,
    covered,
    NUMBER_WORDS,
    NUMBER_WORDS_RE,
    find_cis,
    find_p_values,
    p_values,
    find_percentages,
    number_words_to_int,
    parse_number,
)
from pipeline.nlp.anchored import Anchored, WordIndex, guarded, holds_digit, match_starts
from pipeline.nlp.casefree import CaseFree, lower_pattern
from pipeline.nlp.state import doc_state
from pipeline.types import Effect, Sentence


# --- sections -------------------------------------------------------------------------------

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


# --- effects ----------------------------------------------------------------------------

_ADJ = r"(?:(?:adjusted|unadjusted|crude|pooled|summary|overall|multivariable|multivariate|" \
       r"age-adjusted|fully\s+adjusted|corresponding|estimated|average)\s+)?"
# (pattern, measure); longer names first so "incidence rate ratio" is not read as "rate ratio".
_MEASURE_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"incidence[\s-]rate\s+ratios?|IRRs?|aIRRs?|rate\s+ratios?", "IRR"),
    (r"hazard\s+ratios?|(?:aHR|HR)s?", "HR"),
    (r"(?:diagnostic\s+)?odds\s+ratios?|(?:aOR|OR)s?|AORs?", "OR"),
    (r"relative\s+risks?|risk\s+ratios?|(?:aRR|RR)s?", "RR"),
    (r"absolute\s+risk\s+(?:differences?|reductions?)|risk\s+differences?|ARR|RD|"
     r"absolute\s+differences?", "RD"),
    (r"numbers?\s+needed\s+to\s+(?:treat|harm)|NNT|NNH", "NNT"),
    (r"standardi[sz]ed\s+mean\s+differences?|SMDs?|Cohen['’]?s\s+d|Hedges['’]?\s+g|"
     r"effect\s+sizes?", "SMD"),
    (r"(?:weighted\s+)?mean\s+differences?|WMDs?|MDs?", "MD"),
    (r"area\s+under\s+the\s+(?:receiver[\s-]operating[\s-]characteristic\s+)?(?:\(?ROC\)?\s+)?"
     r"curves?|AUCs?|AUROCs?|c[\s-]statistics?|c[\s-]index|concordance\s+index", "AUC"),
    (r"(?:Spearman|Pearson)['’]?s?\s+(?:rank\s+)?(?:correlation\s+coefficient|rho|r)|"
     r"correlation\s+coefficients?|rho|ρ", "r"),
    (r"sensitivity|specificity|positive\s+predictive\s+value|negative\s+predictive\s+value|"
     r"PPV|NPV|accuracy|β|beta(?:\s+coefficient)?|regression\s+coefficient", "other"),
)
# One-letter names need "=" or ":" ("d = 1.13", "r=0.45"); otherwise "5 g" or "r" as a
# variable would become effects.
_SHORT_MEASURES: tuple[tuple[str, str], ...] = (("d", "SMD"), ("g", "SMD"), ("r", "r"))

_LONG_LABEL = "|".join(f"(?P<m{i}>{p})" for i, (p, _) in enumerate(_MEASURE_PATTERNS))
_LABELLED_RE = CaseFree(re.compile(
    rf"(?<![\w-]){_ADJ}(?:{_LONG_LABEL})(?![\w-])"
    r"(?:\s*[\[(][A-Za-z]{1,6}[\])])?"  # "odds ratio (OR)", "hazard ratio [HR]"
    # "OR for death was 2.3": a qualifier is only skipped when a verb or "=" follows it.
    r"(?:\s*,?\s*(?:for|of|in|among|between)\s+[^\d;:=()\[\]]{1,60}?\s*(?:[:=]|\b(?:was|were|is)\b))?"
    r"\s*(?:[:=,]|≈|\b(?:of|was|were|is|equal(?:l?ed|s)?\s+to|reached|being)\b)?\s*"
    r"(?:[\[(]\s*)?"
    rf"(?P<value>{NUM_RE})(?P<pct>\s?%)?(?![\d])",
    re.IGNORECASE,
), anchored=True)  # tried only where a measure's name (or an adjective before it) starts
_SHORT_RE = guarded(re.compile(
    r"(?<![\w'’-])(?P<label>[dgr])\s*(?:=|:)\s*" rf"(?P<value>{NUM_RE})(?![\d])"
))
# An interval written without "CI" right after the value: "0.8 (0.7-0.9)", "2.3 [1.4, 3.8]".
_BARE_INTERVAL = re.compile(
    rf"\s*[\[(,;]\s*(?P<low>{NUM_RE})\s?%?\s*(?:-|\u2013|\u2014|to|,)\s*(?P<high>{NUM_RE})\s?%?\s*[\])]"
)
_VALUE_WITH_INTERVAL = guarded(re.compile(
    rf"(?<![\w.\u00b7-])(?P<value>{NUM_RE})(?P<pct>\s?%)?\s*[\[(]\s*(?P<low>{NUM_RE})\s*"
    rf"(?:-|\u2013|\u2014|to)\s*(?P<high>{NUM_RE})\s*[\])]"
))
_MEASURE_NAME = CaseFree(re.compile(rf"(?<![\w-])(?:{_LONG_LABEL})(?![\w-])", re.IGNORECASE))
_RATIO_MEASURES = {"OR", "RR", "HR", "IRR"}
# Words one of which every measure name contains: abbreviations as written (a lower-case
# "or" or "hr" is a word, see _label_measure), full names in lower case. Checking them with
# `in` is far cheaper than running the labelled-estimate pattern on every sentence.
_ABBREVIATION_GATES = ("OR", "HR", "RR", "RD", "NN", "MD", "AUC", "AUROC", "PPV", "NPV", "Hr", "Or")
_NAME_GATES = ("ratio", "risk", "spearman", "pearson", "differen", "number", "cohen", "hedges", "effect", "area under",
               "statistic", "index", "correlat", "rho", "\u03c1", "sensitivity", "specificity",
               "predictive", "accuracy", "\u03b2", "beta", "coefficient")


def _names_a_measure(text: str) -> bool:
    if any(g in text for g in _ABBREVIATION_GATES):
        return True
    return _NAME_WORDS.occurs_in(text.lower())
_DIGIT = re.compile(r"\d")
_CASE_SENSITIVE_ABBREV = re.compile(r"^(?:a?ORs?|AORs?|a?RRs?|a?HRs?|IRRs?|aIRRs?|ARR|RD|NNT|NNH|"
                                    r"SMDs?|WMDs?|MDs?|AUCs?|AUROCs?|PPV|NPV)$", re.IGNORECASE)


def _label_measure(m: re.Match[str]) -> str | None:
    for i, (_, measure) in enumerate(_MEASURE_PATTERNS):
        label = m.group(f"m{i}")
        if label is not None:
            # "or"/"hr"/"md" in lower case are words or units, not abbreviations.
            if _CASE_SENSITIVE_ABBREV.match(label) and not re.search(r"[A-Z]", label[-2:] + label[:2]):
                return None
            if label in ("or", "Or", "ors", "hr", "hrs", "md", "rd"):
                return None
            return measure
    return None


def _ci_fits(measure: str, value: float, low: float, high: float) -> bool:
    if low > high:
        return False
    # Ratios are printed rounded ("OR 1.0, 95% CI 1.01-1.5"), so allow a rounding margin.
    tol = 0.011 if measure in _RATIO_MEASURES else 0.0
    return low - tol <= value <= high + tol


def _attach_ci(text: str, end: int, limit: int, measure: str, value: float
               ) -> tuple[float | None, float | None, int]:
    """The CI that follows a value at `end` (before `limit`), and where it ends."""
    bare = _BARE_INTERVAL.match(text, end)
    if bare and bare.end() <= limit:
        low, high = parse_number(bare.group("low")), parse_number(bare.group("high"))
        if low is not None and high is not None and _ci_fits(measure, value, low, high):
            return low, high, bare.end()
    for ci in find_cis(text[end:limit]):
        gap = text[end:end + ci.span[0]]
        # Only a CI separated from the value by punctuation/words, not by another number.
        if len(gap) > 40 or re.search(r"\d", gap):
            break
        if _ci_fits(measure, value, ci.low, ci.high):
            return ci.low, ci.high, end + ci.span[1]
        break
    return None, None, end


def _attach_p(text: str, end: int, limit: int) -> tuple[float | None, str | None]:
    for p in find_p_values(text[end:limit]):
        if p.span[0] <= 80:
            return p.value, p.operator
    return None, None


_REDUCE_WORDS = r"reduc\w*|decreas\w*|lower\w*|declin\w*|drop\w*|fell|fall\w*|less|fewer|" \
                r"diminish\w*|attenuat\w*|loss|lost|shrank|shrink\w*"
_INCREASE_WORDS = r"increas\w*|rais\w*|higher|elevat\w*|gain\w*|ris\w*|rose|improv\w*|more|" \
                  r"greater|grew|grow\w*|enhanc\w*|boost\w*"
_CHANGE_BEFORE = re.compile(
    rf"\b(?P<dir>{_REDUCE_WORDS}|{_INCREASE_WORDS})\b(?:\s+[\w-]+){{0,4}}?\s+by\s+(?:an?\s+)?"
    r"(?:average\s+of\s+|mean\s+of\s+|approximately\s+|about\s+|nearly\s+|almost\s+|over\s+)?$",
    re.IGNORECASE,
)
_CHANGE_AFTER = re.compile(
    r"^\s*(?:relative\s+|absolute\s+|mean\s+|average\s+|net\s+|overall\s+)?"
    rf"(?P<dir>{_REDUCE_WORDS}|{_INCREASE_WORDS}|change)\b",
    re.IGNORECASE,
)
# Percentages that describe who was studied, a dose or a power calculation, not an outcome.
_NOT_OUTCOME_AFTER = re.compile(
    r"^\s*(?:of\s+(?:the\s+)?(?:participants|patients|subjects|sample|cohort)\s+)?"
    r"(?:were\s+|was\s+)?(?:female|male|women|men|boys|girls|white|black|caucasian|"
    r"hispanic|asian|smokers?\b(?=\s*(?:[,;)]|and))|power|confidence|solution|dextrose|glucose|"
    r"saline|lidocaine|bupivacaine|w/v|v/v|wt|weight/volume|ethanol|gel|cream|ointment|"
    r"concentration|sucrose|oxygen|O2|CO2|formalin|DMSO|FBS|serum\b)",
    re.IGNORECASE,
)
_NOT_OUTCOME_BEFORE = re.compile(
    r"(?:\baged?\b|\bage\b[^.;]{0,20}|\bpower\b[^.;]{0,10}|\bwith\s+a\s+|\bFiO2\b[^.;]{0,10}|"
    r"\bHbA1c\b[^.;]{0,20}|\bHbA\(1c\)[^.;]{0,20}|\bcutoff\b[^.;]{0,10}|\bthreshold\b[^.;]{0,10})$",
    re.IGNORECASE,
)


def _ascii_lower(text: str) -> str | None:
    """text.lower() for an ASCII text, else None (see _may_hold)."""
    return text.lower() if text.isascii() else None


def _may_hold(low: str | None, words: Sequence[str]) -> bool:
    """Can a case-insensitive pattern, each of whose matches holds one of `words`, match the
    text lower-cased as `low`? A pattern that must end at the end of a text (`...$`) is tried
    at every place of it, so this `in` test goes first. Exact in ASCII text only, where case
    folding is lower-casing (elsewhere it equates "ſ" with "s" ...): `low` None always may."""
    if low is None:
        return True
    for word in words:  # (a loop: any() over a generator costs a frame per call)
        if word in low:
            return True
    return False


# Words one of which every match of _NOT_OUTCOME_BEFORE holds; of _DIFFERENCE_BEFORE; of _CHANGE_BEFORE.
_NOT_OUTCOME_WORDS = ("age", "power", "with", "fio2", "hba", "cutoff", "threshold")
_DIFFERENCE_WORDS = ("absolute", "difference")
_CHANGE_WORDS = ("by",)


# "absolute mortality reduction 2·8%", "the difference was 1%": a risk difference.
_DIFFERENCE_BEFORE = re.compile(r"\b(?:absolute\s+(?:\w+\s+)?(?:risk\s+)?(?:reduction|increase|difference)|"
                                r"(?:risk\s+)?difference)\s*(?:was|of|is|=|:|,)?\s*(?:\w+\s+)?$", re.I)


def _percent_effect(text: str, value: float, span: tuple[int, int]) -> tuple[str, float, str] | None:
    """Classify one percentage: ("percent" | "percent_change" | "RD", signed value, unit)."""
    before, after = text[max(0, span[0] - 60):span[0]], text[span[1]:span[1] + 60]
    low = _ascii_lower(before)  # the patterns that end at the percentage: see _may_hold
    if _NOT_OUTCOME_AFTER.match(after) or _may_hold(low, _NOT_OUTCOME_WORDS) and _NOT_OUTCOME_BEFORE.search(before):
        return None
    if ("±" in before or "+" in before) and re.search(r"(?:±|\+/-|\+-)\s*$", before):
        return None  # the spread in "8.0% ± 0.4%", not a figure of its own
    if re.search(r"points?$", text[span[0]:span[1]]) or re.match(r"^\s*percentage\s+points?", after, re.I):
        return "RD", value, "percentage points"
    if _may_hold(low, _DIFFERENCE_WORDS) and _DIFFERENCE_BEFORE.search(before):
        return "RD", value, "%"
    change = _CHANGE_AFTER.match(after) or _may_hold(low, _CHANGE_WORDS) and _CHANGE_BEFORE.search(before)
    if change:
        direction = change.group("dir").lower()
        if re.match(_REDUCE_WORDS, direction, re.IGNORECASE) and value > 0:
            value = -value
        return "percent_change", value, "%"
    return "percent", value, "%"


def find_effects(text: str, offset: int = 0, percentages: bool = True,
                 facts: SentenceFacts | None = None) -> list[Effect]:
    """Effect estimates reported in one sentence, spans shifted by `offset`.

    Labelled estimates ("OR 2.3, 95% CI 1.4-3.8; P<0.001", "the rate ratio was 0.36 (95% CI,
    0.27 to 0.49) ... and 0.83 (95% CI, 0.59 to 1.16)", "d=1.13, 95% CI=0.36, 1.91") take the
    CI and the p-value that follow them; with `percentages`, shares of a group ("67% of the
    ketamine group") and changes ("reduced by 30%") become percent / percent_change effects.
    `facts` are the sentence's gates when sentence_facts has read them.
    """
    found: list[tuple[int, str, float, int, str]] = []  # (start, measure, value, value_end, unit)
    if not ((facts.digit or facts.number_word) if facts else _may_count(text)):
        return []  # every estimate has digits or number words; most background sentences have neither
    named = facts.measure if facts else _names_a_measure(text)
    for m in _LABELLED_RE.finditer(text) if named else ():
        measure = _label_measure(m)
        value = parse_number(m.group("value"))
        if measure is None or value is None:
            continue
        if m.group("pct") and measure in _RATIO_MEASURES | {"AUC", "r", "SMD"}:
            continue  # "OR 95%" is the start of a CI, not an odds ratio
        unit = "%" if m.group("pct") else ""
        found.append((m.start(), measure, value, m.end(), unit))
    for m in _SHORT_RE.finditer(text) if ("=" in text or ":" in text) else ():
        value = parse_number(m.group("value"))
        if value is None or any(s <= m.start() < e for s, _, _, e, _ in found):
            continue
        label = m.group("label")
        measure = dict(_SHORT_MEASURES)[label]
        if measure == "r" and abs(value) > 1:
            continue
        found.append((m.start(), measure, value, m.end(), ""))
    found.sort()

    effects: list[Effect] = []
    consumed: list[tuple[int, int]] = []
    starts = [f[0] for f in found]
    for i, (start, measure, value, value_end, unit) in enumerate(found):
        limit = starts[i + 1] if i + 1 < len(starts) else len(text)
        ci_low, ci_high, end = _attach_ci(text, value_end, limit, measure, value)
        p_value, p_op = _attach_p(text, end, limit)
        effects.append(Effect(measure, value, ci_low, ci_high, p_value, p_op, unit,
                              text[start:end], (offset + start, offset + end)))
        consumed.append((start, end))

    # A CI nobody claimed: "... and 0.83 (95% CI, 0.59 to 1.16)" repeats the last measure.
    for ci in find_cis(text):
        if covered(consumed, ci.span[0]):
            continue
        head = re.search(rf"(?<![\w.])(?P<value>{NUM_RE})(?P<pct>\s?%)?\s*[\[(,;]?\s*$", text[:ci.span[0]])
        if not head:
            continue
        value = parse_number(head.group("value"))
        if value is None:
            continue
        start = head.start("value")
        earlier = [e for e in effects if e.span[0] - offset < start]
        if head.group("pct"):
            kind = _percent_effect(text, value, (start, head.end("pct")))
            if kind is None:
                continue
            measure, value, unit = kind
        elif earlier:
            measure, unit = earlier[-1].measure, earlier[-1].unit
        else:
            measure, unit = "other", ""
        if not _ci_fits(measure, value, ci.low, ci.high):
            continue
        nxt = [s for s in starts if s > ci.span[1]]
        p_value, p_op = _attach_p(text, ci.span[1], nxt[0] if nxt else len(text))
        effects.append(Effect(measure, value, ci.low, ci.high, p_value, p_op, unit,
                              text[start:ci.span[1]], (offset + start, offset + ci.span[1])))
        consumed.append((start, ci.span[1]))

    # "hazard ratios (HR) and 95% CI for AD were 1.23 (0.97–1.55) and 1.57 (1.23–2.01)": a value
    # with a bare interval takes the measure named last before it in the sentence.
    bracketed = "(" in text or "[" in text  # the pattern needs one: test it before a pass
    for m in _VALUE_WITH_INTERVAL.finditer(text) if named and bracketed else ():
        start = m.start("value")
        if covered(consumed, start) or m.group("pct"):
            continue
        named = [_label_measure(n) for n in _MEASURE_NAME.finditer(text, 0, start)]
        named = [n for n in named if n]
        value, low, high = (parse_number(m.group(g)) for g in ("value", "low", "high"))
        if not named or value is None or low is None or high is None:
            continue
        if not _ci_fits(named[-1], value, low, high):
            continue
        end = m.end()
        nxt = [x for x in starts if x > end]
        p_value, p_op = _attach_p(text, end, nxt[0] if nxt else len(text))
        effects.append(Effect(named[-1], value, low, high, p_value, p_op, "",
                              text[start:end], (offset + start, offset + end)))
        consumed.append((start, end))

    if percentages:
        for value, (s, e) in find_percentages(text):
            if covered(consumed, s):
                continue
            kind = _percent_effect(text, value, (s, e))
            if kind is None:
                continue
            measure, signed, unit = kind
            nxt = [x for x in starts if x > e]
            p_value, p_op = _attach_p(text, e, nxt[0] if nxt else len(text))
            effects.append(Effect(measure, signed, None, None, p_value, p_op, unit,
                                  text[s:e], (offset + s, offset + e)))
    effects.sort(key=lambda eff: eff.span)
    return effects


# --- result sentences -----------------------------------------------------------------------

_RESULT_LANGUAGE = re.compile(
    r"\bsignifican\w*|\bimprov\w*|\breduc\w*|\bdecreas\w*|\bincreas\w*|\bno\s+difference|"
    r"\bdid\s+not\s+differ|\bnot\s+differ\w*|\bassociated\s+with|\bsuperior\b|\binferior\b|"
    r"\bnon-?inferior\w*|\beffective\b|\befficacy\b|\bbenefit\w*|\blower\b|\bhigher\b|"
    r"\bwe\s+(?:found|observed|show|demonstrate)\w*|\bresulted\s+in\b|\bpredict\w*|\bcorrelat\w*",
    re.IGNORECASE,
)
_RESULT_LANGUAGE = lower_pattern(_RESULT_LANGUAGE)
_RESULT_GATES = ("significan", "improv", "reduc", "decreas", "increas", "differ", "associated",
                 "superior", "inferior", "effective", "efficacy", "benefit", "lower", "higher",
                 "found", "observed", "show", "demonstrat", "resulted", "predict", "correlat")


@lru_cache(maxsize=4096)  # asked twice by the effects component (for percentages, for the flag)
def is_result_sentence(text: str, kind: str, has_figures: bool, words: bool | None = None) -> bool:
    """Does a sentence report results? `kind` is its section kind (see section_kind); `words`,
    when the caller has read it (SentenceFacts.result_words), whether it holds a result word."""
    if has_figures:
        return kind != "background" or bool(p_values(text))
    if kind in ("results", "conclusions"):
        return True
    if kind in ("background", "methods"):
        return False
    low = text.lower()
    if words is None:
        words = _RESULT_WORDS.occurs_in(low)
    return words and bool(_RESULT_LANGUAGE.search(low))


# --- sample size ----------------------------------------------------------------------------

_PEOPLE = (
    r"patients|participants|subjects|individuals|persons|people|adults|children|adolescents|"
    r"teenagers|youths?|infants|neonates|newborns|babies|toddlers|women|men|mothers|fathers|"
    r"parents|girls|boys|volunteers|cases|controls|students|veterans|residents|workers|"
    r"employees|smokers|nonsmokers|drinkers|users|survivors|respondents|recipients|donors|"
    r"outpatients|inpatients|nurses|physicians|doctors|clinicians|athletes|elders|"
    r"pregnancies|twins|singletons|births|deliveries|decedents|members|patients'|"
    r"participants'|couples|dyads|pairs|humans|sufferers|"
    r"recruits|pupils|schoolchildren|youths?|soldiers|"
    r"patient|participant|subject|individual|person|adult|child|woman|man|infant|volunteer"
)
# Adjectives allowed between a number and its noun ("120 consecutive adult patients").
_GAP_WORD = r"(?!(?:of|from|in|with|and|or|per|to|at|on|for|by|were|was|had|have|years?|months?|" \
            r"weeks?|days?|hours?|eyes?|samples?|visits?|cells?|mice|rats?|animals?|studies|" \
            r"trials?|articles?|sessions?|specimens?|tissues?|tumou?rs?|lesions?|biopsies|hundred|thousand|million|billion|times|the|these|" \
            r"those|all|each|who|whom|which|that|than|h|hours?|min|mg|kg)\b)[A-Za-z][\w'-]*"
# "1,204", "11 506" (a space or thin space groups thousands), "45", "Forty-one".
_GROUPED = r"\d{1,3}(?:,\d{3})+(?![\d])|\d{1,3}(?:[ \u2009\u202f]\d{3})+(?![\d.,])"
_DIGIT_COUNT = rf"{_GROUPED}|\d+(?![.,]\d)"
_COUNT = rf"(?P<num>{_DIGIT_COUNT}|{NUMBER_WORDS_RE})"
# "10 of our own cases": the authors' own patients, beside others (from the literature, say).
_PEOPLE_COUNT = (rf"(?!\s*%)(?P<gap>(?:\s+of\s+our(?:\s+own)?)?(?:\s+{_GAP_WORD}){{0,4}}?)"
                 rf"\s+(?P<noun>{_PEOPLE})\b")
_PEOPLE_COUNT_RE = CaseFree(re.compile(rf"(?<![\w.,%-]){_COUNT}{_PEOPLE_COUNT}", re.IGNORECASE))
# The same without number words, for the many sentences that hold none (the same matches
# there, found faster: tried only at digits).
_PEOPLE_DIGIT_COUNT_RE = CaseFree(
    re.compile(rf"(?<![\w.,%-])(?P<num>{_DIGIT_COUNT}){_PEOPLE_COUNT}", re.IGNORECASE), anchored=True)
_N_EQUALS_RE = re.compile(
    rf"[(\[,;]\s*(?P<n>[nN])\s*=\s*(?P<num>{_GROUPED}|\d+)(?![.\d])"
)
_STUDIES_RE = re.compile(
    rf"(?<![\w.,%-]){_COUNT}(?:\s+(?:eligible|published|randomi[sz]ed|controlled|clinical|"
    r"observational|prospective|cohort|original|primary|independent|individual|relevant|"
    r"separate|included|unique|population-based|placebo-controlled|double-blind|"
    r"case-control|cross-sectional|longitudinal|comparative|intervention|"
    r"(?:high|low|moderate|good)[\s-]quality)){0,4}\s+"
    r"(?P<noun>studies|trials|RCTs|articles|reports|publications|papers|cohorts|datasets)\b",
    re.IGNORECASE,
)
# "a total of", "in total", "overall", "among all".
_TOTAL_BEFORE = re.compile(r"\b(?:a\s+)?total\s+(?:of\s+)?(?:\w+\s+)?$|\bin\s+total,?\s+$|\boverall,?\s+$|"
                           r"\bamong\s+all\s+$",
                           re.IGNORECASE)
_ENROL = r"enroll?\w*|randomi[sz]\w*|randomly\s+(?:assigned|allocated)|recruit\w*|included|" \
         r"studied|selected|allocated|assigned|invited|participated|took\s+part|entered|" \
         r"underwent\s+randomi[sz]ation|comprised|consented|registered"
_ENROL_AFTER = re.compile(
    rf"^[^.;]{{0,100}}?\b(?:were|was|had\s+been|have\s+been|being)?\s*(?:\w+\s+)?\b(?:{_ENROL})\b",
    re.IGNORECASE,
)
_ENROL_BEFORE = re.compile(
    rf"\b(?:{_ENROL}|involv\w*|compris\w*|consist\w*\s+of|sample\s+of|cohort\s+of|"
    r"population\s+of|total\s+of|data\s+(?:from|on)|records\s+of|study\s+of|trial\s+of|"
    r"survey\s+of|analy[sz]ed|examined|evaluated|assessed|followed|interviewed|surveyed|"
    r"screened\s+and\s+enrolled|we\s+studied|we\s+enrolled|we\s+included|we\s+recruited)"
    r"(?:\s+\w+){0,2}\s+$",
    re.IGNORECASE,
)
# A sentence opening "Of 3106 eligible patients, 286 were excluded" names the whole
# ("Of the 12 patients considered ..." names a subset).
_OPENING_OF = re.compile(r"^(?:[A-Z][A-Z ,&]+\s+)?(?:Of|Among)\s+(?:all\s+)?$")
_IN_BEFORE = re.compile(r"\b(?:in|among|of|from|on|including|involving|with)\s+(?:the\s+|a\s+|an\s+)?$",
                        re.IGNORECASE)
_SUBSET_BEFORE = re.compile(
    r"\b(?:of\s+whom|of\s+these|of\s+those|of\s+them|among\s+them|among\s+these|"
    r"including|included\s+only|only|remaining|another|other|additional|further|except)\W*$",
    re.IGNORECASE,
)
_SUBSET_AFTER = re.compile(r"^\s*(?:\(\s*\d+(?:\.\d+)?\s*%|of\s+(?:the|these|whom|them|all)\b|"
                           r"out\s+of\b|\(\d+(?:\.\d+)?\s*%\))", re.IGNORECASE)
# Words one of which every match of _SUBSET_BEFORE holds; of _OUTCOME_BEFORE; _TOTAL_BEFORE;
# _HYPOTHETICAL_BEFORE; _GROUPS_OF.
_SUBSET_WORDS = ("of", "among", "includ", "only", "remaining", "other", "additional", "further", "except")
_OUTCOME_WORDS = ("found", "observed", "detected", "identified", "seen", "occurred", "present",
                  "developed", "died")
_TOTAL_WORDS = ("total", "overall", "among")
_HYPOTHETICAL_WORDS = ("potential", "could", "would", "expected")
# ... of _ENROL_AFTER (its verbs); of _ENROL_BEFORE (the verbs and the nouns before "of"); of _WEAK_AFTER.
# (These run from every place of a window, as the end-anchored ones, or try every length of
# a lazy run: the `in` tests are cheaper.)
_ENROL_WORDS = ("enrol", "random", "recruit", "included", "studied", "selected", "allocated", "assigned",
                "invited", "participated", "took", "entered", "comprised", "consented", "registered")
_ENROL_BEFORE_WORDS = _ENROL_WORDS + (
    "involv", "compris", "consist", "sample", "cohort", "population", "total", "data", "records", "study",
    "trial", "survey", "analy", "examined", "evaluated", "assessed", "followed", "interviewed", "surveyed")
_WEAK_WORDS = ("screened", "eligible", "excluded", "withdr", "died", "dropped", "lost", "completed", "developed",
               "experienced", "responded", "discontinued", "remained", "achieved", "reported", "had", "showed")
_GROUPS_WORDS = ("groups",)
_HYPOTHETICAL_BEFORE = re.compile(r"\b(?:potential(?:ly)?|could|would|"
                                  r"expected)\s+(?:to\s+)?(?:\w+\s+){0,2}$", re.I)
_OUTCOME_BEFORE = re.compile(r"\b(?:found|observed|detected|identified|seen|occurred|present|"
                             r"developed|died)\s+(?:only\s+)?in\s+(?:the\s+)?$", re.I)
_WEAK_AFTER = re.compile(
    r"^[^.;]{0,40}?\b(?:screened|eligible|excluded|withdr\w*|died|dropped|lost|completed|"
    r"developed|experienced|responded|discontinued|remained|achieved|reported|had\b|showed)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SampleSize:
    n: int | None
    text: str | None
    span: tuple[int, int] | None
    n_studies: int | None
    n_studies_text: str | None = None


@dataclass(frozen=True)
class _Candidate:
    n: int
    score: float
    start: int
    end: int
    sentence_index: int
    background: bool = False
    comparison: bool = False  # names a control group ("44 healthy individuals", "controls (n = 20)")
    kind: str = ""  # section kind of its sentence
    total: bool = False  # cued as the whole ("a total of")
    enrolled: bool = False  # cued as enrolled, randomised, included
    summed: bool = False  # the sum of arms named together


def _count_value(raw: str) -> int | None:
    if re.match(r"\d", raw):
        return int(re.sub(r"[,\s]", "", raw))
    return number_words_to_int(raw)


# Each gate of the sentence rules is one automaton pass over the lower-cased sentence; the
# number words and the strings every people noun starts with share one.
_PEOPLE_STARTS = match_starts(re.compile(rf"(?:{_PEOPLE.lower()})"))
_SENTENCE_WORDS = WordIndex(NUMBER_WORDS | _PEOPLE_STARTS)
_NAME_WORDS, _RESULT_WORDS = (WordIndex(words) for words in (_NAME_GATES, _RESULT_GATES))


def _whole_word(low: str, start: int, word: str) -> bool:
    """Is the number word `word` at low[start:] a whole word, where NUMBER_WORDS_RE can match?
    (No character re's \\w matches, a letter, digit or "_", on either side.)"""
    end = start + len(word)
    before = low[start - 1] if start > 0 else " "
    after = low[end] if end < len(low) else " "
    return not (before.isalnum() or before == "_" or after.isalnum() or after == "_")


def _after_space(low: str, start: int, sentence_start: int = 0) -> bool:
    """Does whitespace of the sentence precede `start`, as _PEOPLE_COUNT_RE needs before a noun?"""
    return start > sentence_start and low[start - 1].isspace()


@lru_cache(maxsize=4096)  # each sentence is asked by the effects and the sample-size rules
def _holds_number_word(text: str) -> bool:
    """Does the lower-cased sentence hold a number word as a whole word ("ten", not "often"),
    where NUMBER_WORDS_RE can match? A sentence with none and no digit counts nobody."""
    low = text.lower()
    positions = _SENTENCE_WORDS.positions(low)
    return any(_whole_word(low, start, word)
               for word in NUMBER_WORDS.intersection(positions) for start in positions[word])


def _names_people(text: str) -> bool:
    """Does a noun of _PEOPLE (lower-cased) follow whitespace, as _PEOPLE_COUNT_RE needs?"""
    low = text.lower()
    positions = _SENTENCE_WORDS.positions(low)
    return any(_after_space(low, start)
               for word in _PEOPLE_STARTS.intersection(positions) for start in positions[word])


@lru_cache(maxsize=4096)
def _may_count(text: str) -> bool:
    return bool(_DIGIT.search(text)) or _holds_number_word(text)


class SentenceFacts(NamedTuple):
    """The answers of the cheap sentence gates, which decide what rules a sentence needs."""
    digit: bool  # holds a digit
    number_word: bool  # _holds_number_word
    people: bool  # _names_people
    measure: bool  # _names_a_measure
    result_words: bool  # holds a word of the result language, lower-cased (is_result_sentence)
    # (Every count or estimate has a digit or a number word: `digit or number_word` is
    # _may_count, read inline by the rules, as a property would cost a call each time.)


def facts_of(text: str) -> SentenceFacts:
    """The gates of one sentence, read on their own."""
    return SentenceFacts(bool(_DIGIT.search(text)), _holds_number_word(text), _names_people(text),
                         _names_a_measure(text), _RESULT_WORDS.occurs_in(text.lower()))


# The lower-case words of every gate, and the abbreviations as written, for whole abstracts.
_FACT_WORDS = WordIndex(NUMBER_WORDS | _PEOPLE_STARTS | frozenset(_NAME_GATES) | frozenset(_RESULT_GATES))
_ABBREVIATIONS = WordIndex(_ABBREVIATION_GATES)
_NAME_GATE_SET, _RESULT_GATE_SET = frozenset(_NAME_GATES), frozenset(_RESULT_GATES)


def lowered_sentences(text: str, low: str, spans: Sequence[tuple[int, int]]) -> list[str]:
    """text[start:end].lower() for every sentence span, cut from `low` (= text.lower()) when
    that keeps the offsets. The same strings: str.lower maps each character on its own except a
    final sigma, whose context stops at whitespace, and every sentence is bounded by whitespace
    or the text's ends (see tokenizer.sentence_spans)."""
    if len(low) != len(text) or "\u03a3" in text:
        return [text[start:end].lower() for start, end in spans]
    return [low[start:end] for start, end in spans]


def sentence_facts(text: str, spans: Sequence[tuple[int, int]], low: str | None = None) -> list[SentenceFacts]:
    """facts_of(text[start:end]) for every sentence span, from one automaton pass over the whole
    text instead of several per sentence. The same answers: a word inside a sentence is found
    in both, a word across its edge in neither, and the characters just outside a sentence are
    whitespace (see tokenizer.sentence_spans), as its edges are to the per-sentence rules.
    `low` is text.lower() when the caller has it."""
    low = text.lower() if low is None else low
    if len(low) != len(text):  # lower-casing moved the offsets ("İ" -> "i̇")
        return [facts_of(text[start:end]) for start, end in spans]
    starts = [start for start, _ in spans]
    number, people, measure, result = set(), set(), set(), set()

    def sentence_of(start: int, size: int) -> int:
        """The sentence that holds text[start:start + size] whole, or -1."""
        i = bisect.bisect_right(starts, start) - 1
        return i if i >= 0 and start + size <= spans[i][1] else -1

    for word, places in _FACT_WORDS.positions(low).items():
        is_number, is_person = word in NUMBER_WORDS, word in _PEOPLE_STARTS
        is_name, is_result = word in _NAME_GATE_SET, word in _RESULT_GATE_SET
        for start in places:
            # The tests on the whole text first: most hits ("men" in "treatment") fail them.
            number_here = is_number and _whole_word(low, start, word)
            person_here = is_person and _after_space(low, start)
            if not (number_here or person_here or is_name or is_result):
                continue
            i = bisect.bisect_right(starts, start) - 1  # sentence_of, without a call per hit
            if i < 0 or start + len(word) > spans[i][1]:
                continue
            if number_here:
                number.add(i)
            if person_here and start > spans[i][0]:  # whitespace inside the sentence
                people.add(i)
            if is_name:
                measure.add(i)
            if is_result:
                result.add(i)
    for word, places in _ABBREVIATIONS.positions(text).items():
        measure.update(i for i in (sentence_of(start, len(word)) for start in places) if i >= 0)
    return [SentenceFacts(digit, i in number, i in people, i in measure, i in result)
            for i, digit in enumerate(holds_digit(text, spans))]


def _people_candidates(text: str, offset: int, kind: str, index: int,
                       facts: SentenceFacts | None = None) -> list[_Candidate]:
    """Counts of people in one sentence; `facts` are its gates when sentence_facts read them."""
    out: list[_Candidate] = []
    if not ((facts.digit or facts.number_word) if facts else _may_count(text)):
        return out
    # The gates are read on lower-cased text, which is what the pattern reads unless case
    # folding equates one of the text's few odd letters with an ASCII one ("ſeven" reads "seven").
    odd = not text.isascii() and _PEOPLE_COUNT_RE.folds_apart(text)
    words = odd or (facts.number_word if facts else _holds_number_word(text))
    counts = _PEOPLE_COUNT_RE if words else _PEOPLE_DIGIT_COUNT_RE
    # Three sentences in four with a number name no people: then no count can match.
    named = odd or (facts.people if facts else _names_people(text))
    for m in counts.finditer(text) if named else ():
        n = _count_value(m.group("num"))
        if n is None or n <= 0 or n > 50_000_000:
            continue
        # "1.5 million adults", "hundreds of patients": a scale word is not a count.
        if re.match(r"(?i)(?:hundred|thousand|million)", m.group("num")):
            continue
        before, after = text[max(0, m.start() - 60):m.start()], text[m.end():m.end() + 60]
        # "12 years old patients", "24-hour", "1990 patients" (a year) are not counts of people.
        if before.endswith(("-", "/", "-\n", "/\n")) or re.match(r"^\s*-", text[m.end("num"):]):  # [-/]$
            continue
        low = _ascii_lower(before)  # the patterns that end at the count: see _may_hold
        low_after = _ascii_lower(after)
        if _may_hold(low, _SUBSET_WORDS) and _SUBSET_BEFORE.search(before) or _SUBSET_AFTER.match(after):
            continue
        if re.match(r"(?i)^(?:one|a)$", m.group("num")) and m.group("noun").lower().endswith("s"):
            continue  # "one patients" is not English: it is "one of ..." parsed oddly
        score = 1.0
        if _may_hold(low, _TOTAL_WORDS) and _TOTAL_BEFORE.search(before) \
                or _OPENING_OF.match(text[:m.start()]):
            score = 5.0
        elif _may_hold(low_after, _ENROL_WORDS) and _ENROL_AFTER.match(after) \
                or _may_hold(low, _ENROL_BEFORE_WORDS) and _ENROL_BEFORE.search(before):
            score = 4.0
        elif _IN_BEFORE.search(before):
            score = 2.5
        if _may_hold(low, _HYPOTHETICAL_WORDS) and _HYPOTHETICAL_BEFORE.search(before):
            continue  # "the potential to recruit 2,408 patients" counts nobody studied
        if _may_hold(low, _OUTCOME_WORDS) and _OUTCOME_BEFORE.search(before):
            score = min(score, 1.0)  # "mutations were found in 18 patients": an outcome count
        if _may_hold(low_after, _WEAK_WORDS) and _WEAK_AFTER.match(after):
            # "In total, 469 participants had AD": an outcome count, though a total.
            score = 1.5 if score >= 5 else min(score, 1.0)
        # "2 groups of 58 patients": the groups multiply.
        groups = _GROUPS_OF.search(before) if _may_hold(low, _GROUPS_WORDS) else None
        if groups:
            n *= _count_value(groups.group("k")) or 1
        start = m.start("num") if not groups else max(0, m.start() - 60) + groups.start()
        out.append(_Candidate(n, score, offset + start, offset + m.end(), index,
                              comparison=bool(_COMPARISON.search(m.group(0))), kind=kind,
                              total=score >= 5, enrolled=score >= 4))
    for m in _N_EQUALS_RE.finditer(text) if "=" in text else ():
        n = _count_value(m.group("num"))
        if n <= 0:
            continue
        # "rats (n = 24)", "eyes (n = 40)": n counts what the words before it name.
        if _NOT_PEOPLE_BEFORE.search(text[max(0, m.start() - 40):m.start()]):
            continue
        score = 3.0 if m.group("n") == "N" else 2.0
        named = text[max(0, m.start() - 40):m.start()]
        out.append(_Candidate(n, score, offset + m.start("n"), offset + m.end(), index,
                              comparison=bool(_COMPARISON.search(named.rsplit(")", 1)[-1])), kind=kind))
    # Counts in the background are about other people ("affects 3 million adults").
    if kind == "background":
        out = [dataclasses.replace(c, score=c.score - 3, background=True) for c in out]
    elif kind == "results":
        out = [dataclasses.replace(c, score=c.score - 0.5) for c in out]
    return out


def _other_group(best: _Candidate, candidates: Sequence[_Candidate]) -> _Candidate | None:
    """The comparison group counted apart from `best`'s patients, or the patients counted apart
    from `best`'s controls, in the methods (results counts are outcomes, background others')."""
    pool = [c for c in candidates if c.comparison != best.comparison and c.score >= 2
            and c.kind not in ("background", "results") and not c.total
            and not (best.start <= c.start < best.end)]
    if best.comparison:  # the patients come first and are named apart from the controls
        pool = [c for c in pool if c.start < best.start]
        return max(pool, key=lambda c: (c.score, -c.start)) if pool else None
    later = [c for c in pool if c.start > best.start]
    return later[0] if later else None


def _rank_by_position(candidates: list[_Candidate]) -> list[_Candidate]:
    """Abstracts name the whole study before its subsets ("Of 3106 eligible patients, 286
    were excluded, leaving 2820"): the first count outside the background, and a count no
    later count exceeds, each earn a bonus."""
    own = sorted((c for c in candidates if not c.background), key=lambda c: c.start)
    if not own:
        return candidates
    first = own[0]
    out = []
    for c in candidates:
        bonus = 0.0
        if c is first:
            bonus += 1.0
        later = [o.n for o in own if o.start > c.start]
        if not c.background and later and c.n >= max(later):  # the last count proves nothing
            bonus += 1.0
        out.append(dataclasses.replace(c, score=c.score + bonus) if bonus else c)
    return out


_GROUPS_OF = re.compile(r"\b(?P<k>\d|two|three|four)\s+groups\s+of\s+$", re.I)
# A comparison group beside the patients: summed with them when counted apart.
# (Not a trial's "control group (n = 60)": that arm is inside the randomised total.)
_COMPARISON = re.compile(r"\b(?:healthy|normal)\b|\bcontrols\b(?!\s+(?:group|arm))|"
                         r"\bcontrol\s+(?:subjects|individuals|participants|volunteers)\b", re.I)


_NOT_PEOPLE_BEFORE = re.compile(
    r"\b(?:eyes?|samples?|specimens?|cells?|tumou?rs?|lesions?|knees?|hips?|teeth|tooth|biopsies|"
    r"visits?|studies|trials|articles|genes?|SNPs?|sites?|hospitals?|centres?|centers?|"
    r"mice|mouse|rats?|animals?|dogs?|pigs?|rabbits?|monkeys?|sheep|zebrafish|embryos?|"
    r"oocytes?|images?|scans?|procedures?|sessions?|cycles?|wells?|plates?|colonies)\b[^.;]{0,25}$",
    re.IGNORECASE,
)
# Between a total and what is left of it, not between two arms.
_SUBSET_BETWEEN = re.compile(r"\bwhom\b|\bleaving\b|\bremain\w*|\bexclu\w*|\bwithdr\w*|\blost\b|"
                             r"\bdropped\b|\bcompleted\b|\bof\s+these\b|\bof\s+those\b", re.I)
def _last_word(text: str) -> str:
    words = text[-30:].split()
    return words[-1].lower() if words else ""


def _drop_brackets(between: str) -> str:
    """Text between two arms without bracketed asides, even ones cut open at either end:
    ") and adults (aged 20-49 years; " -> " and adults "."""
    between = re.sub(r"\([^()]*\)", "", between)
    return re.sub(r"^[^()]*\)|\([^()]*$", "", between)


_COORDINATION = re.compile(r"^[\s,]*(?:and|or|versus|vs\.?|plus|as\s+well\s+as)?[\s,]*$", re.I)
_ARM_JOIN = re.compile(r"^[^.;]{0,80}?\b(?:and|or|versus|vs\.?|compared\s+(?:with|to))\b[^.;]{0,80}$",
                       re.IGNORECASE)
# One gap of a list of arms: "66,105 women from study A (1984-2008), | 85,104 women from study
# B, and | 36,173 men from study C".
_LIST_GAP = re.compile(r"^[^.;]{0,80}(?:,|\b(?:and|or)\b)\s*$", re.IGNORECASE)


def _joined_as_arms(between: str, gaps: Sequence[str]) -> bool:
    """Are counts named together as the arms of one study: joined by a conjunction ("50
    cases and 100 controls"), or listed ("A, B, and C"), with nothing between them that
    makes one a part of another ("of whom", "excluded")?"""
    if _SUBSET_BETWEEN.search(between):
        return False
    listed = len(gaps) >= 2 and all(_LIST_GAP.match(g) for g in gaps) \
        and bool(re.search(r"\b(?:and|or)\b", gaps[-1]))  # "A, B, and C"
    return listed or bool(_ARM_JOIN.match(between))


# A study in stages (a genome-wide scan and its replication, discovery and validation
# cohorts) counts people per stage; which count, or which sum, is "the sample" is unclear.
_MULTI_STAGE = re.compile(r"\b(?:replication|discovery|validation)\s+(?:cohorts?|samples?|stages?|sets?|phases?)\b|"
                          r"\bgenome[\s-]wide\s+association|\bGWAS\b", re.I)


def _staged(best: _Candidate, candidates: Sequence[_Candidate],
            sentences: Sequence[tuple[str, int, str]]) -> bool:
    """Does a study in stages count other people in another sentence than `best`'s? Then
    no count is given: a wrong number is worse than none."""
    others = [c for c in candidates if c.sentence_index != best.sentence_index and c.n != best.n
              and c.comparison == best.comparison and c.kind not in ("background", "results")]
    return bool(others) and any(_MULTI_STAGE.search(text) for text, _, _ in sentences)


def find_sample_size(sentences: Sequence[tuple[str, int, str]], abstract: str = "",
                     meta: bool = False, facts: Sequence[SentenceFacts] | None = None) -> SampleSize:
    """Participants of the reported study from (sentence text, start offset, section kind).

    The best-cued count wins ("a total of 1,204 participants" > "120 patients were randomized"
    > "in 45 patients" > a bare "45 patients"); ties go to the earliest. Arm counts in one
    sentence ("preterm (n = 17) and full-term infants (n = 7)", "50 cases and 100 controls")
    are summed. Returns n=None when no count is cued well enough: a wrong number is worse
    than none. With `meta`, the number of included studies is read too. `facts` are the
    sentences' gates when sentence_facts has read them.
    """
    candidates: list[_Candidate] = []
    for index, (text, offset, kind) in enumerate(sentences):
        if facts and not (facts[index].digit or facts[index].number_word):
            continue  # nobody is counted without a digit or a number word (see _people_candidates)
        own = _people_candidates(text, offset, kind, index, facts[index] if facts else None)
        if not own:
            continue  # most sentences count nobody
        candidates.extend(own)
        arms = [c for c in own if c.score < 5]
        # Arms are cued alike ("73 children were assigned ... and 72 children", "(n = 17) and
        # (n = 7)"); "556 children enrolled ... 22 index cases" are not two arms.
        arms.sort(key=lambda c: c.start)
        coordinated = all(_COORDINATION.match(text[a.end - offset:b.start - offset])
                          for a, b in zip(arms, arms[1:]))
        # "376 male recruits from A (intervention) and 105 male recruits from B": one noun.
        same_noun = len({_last_word(text[:c.end - offset]) for c in arms}) == 1
        if arms and max(c.score for c in arms) - min(c.score for c in arms) > 1 \
                and not (coordinated or same_noun):
            arms = []
        if len(arms) >= 2 and not any(c.score >= 5 for c in own):
            first, last = min(arms, key=lambda c: c.start), max(arms, key=lambda c: c.end)
            between = _drop_brackets(text[first.end - offset:last.start - offset])
            if _joined_as_arms(between, [_drop_brackets(text[a.end - offset:b.start - offset])
                                         for a, b in zip(arms, arms[1:])]):
                total = sum(c.n for c in arms)
                # "352 subjects ... stratum I (235 subjects) and stratum II (117 subjects)":
                # one count is the sum of the others, so it is the whole and they are its parts.
                whole = [c for c in arms if 2 * c.n == total] if len(arms) >= 3 else []
                if whole:
                    candidates[:] = [c for c in candidates if c not in arms or c is whole[0]]
                    continue
                # The sum replaces its arms: each arm alone would undercount the study.
                candidates[:] = [c for c in candidates if c not in arms]
                candidates.append(_Candidate(total, max(c.score for c in arms) + 0.5,
                                             first.start, last.end, index, arms[0].background,
                                             kind=arms[0].kind, summed=True))

    n_studies = studies_text = None
    if meta:
        for text, offset, kind in sentences:
            if kind == "background":
                continue
            m = _STUDIES_RE.search(text)
            if m:
                n_studies = _count_value(m.group("num"))
                studies_text = text[m.start():m.end()]
                break

    candidates = candidates if meta else _rank_by_position(candidates)
    # A meta-analysis counts pooled participants only where it says so ("a total of 12,000").
    floor = 4 if meta else 2
    good = [c for c in candidates if c.score >= floor or (c.score >= 1 and len(candidates) == 1 and not meta)]
    if not good:
        return SampleSize(None, None, None, n_studies, studies_text)
    best = max(good, key=lambda c: (c.score, -c.start))
    if not meta and not best.total and _staged(best, candidates, sentences):
        return SampleSize(None, None, None, n_studies, studies_text)
    source = abstract or ""
    text = source[best.start:best.end] if source else None
    # An enrolled or total count already holds every group; so does a meta-analysis total.
    other = None if best.total or best.summed or (best.enrolled and not best.comparison) or meta \
        else _other_group(best, candidates)
    if other is not None:
        # Patients counted in one place and their controls in another ("23 Patients aged
        # 21-52 ... and 10 controls"): the study is both groups.
        first, second = sorted((best, other), key=lambda c: c.start)
        parts = f"{source[first.start:first.end]} | {source[second.start:second.end]}" if source else None
        return SampleSize(best.n + other.n, parts, (first.start, second.end), n_studies, studies_text)
    return SampleSize(best.n, text, (best.start, best.end), n_studies, studies_text)


# --- design ---------------------------------------------------------------------------------

_CUES: dict[str, re.Pattern[str]] = {
    "meta_analysis": re.compile(r"\bmeta-?\s?analy\w*|\bmeta-regression|\bpooled\s+analysis\s+of\s+"
                                r"(?:\d+\s+|\w+\s+)?(?:randomi[sz]ed\s+)?(?:trials|studies)", re.I),
    "systematic_review": re.compile(r"\bsystematic(?:ally)?\s+(?:literature\s+)?(?:review|search)\w*|"
                                    r"\bumbrella\s+review|\bscoping\s+review", re.I),
    # The negative lookbehinds sit after the word: checked only where "randomized" matched.
    "rct": re.compile(r"\brandomi[sz]ed(?<!non-randomi[sz]ed)(?<!nonrandomi[sz]ed)(?<!quasi-randomi[sz]ed)"
                      r"(?:,)?\s+(?:\w+[\s-]+){0,3}"
                      r"(?:trial|study|design|fashion|manner|crossover|cross-over)|"
                      r"\brandomly\s+(?:assigned|allocated)|\bwere\s+randomi[sz]ed|"
                      r"\bunderwent\s+randomi[sz]ation|\brandomi[sz]ed\s+to\b|\bRCT\b|"
                      r"\bplacebo\b|\bdouble[\s-]blind\w*|\bsingle[\s-]blind\w*|"
                      r"\btriple[\s-]blind\w*|\bsham[\s-]controlled", re.I),
    "nonrandomized_trial": re.compile(r"\bnon-?randomi[sz]ed|\bsingle[\s-]arm|\bopen[\s-]label|"
                                      r"\buncontrolled\s+(?:trial|study)|\bquasi[\s-]experimental|"
                                      r"\bpre-?post\b|\bbefore[\s-]and[\s-]after|\bphase\s+(?:I|1|I/II|1/2|II|2|IIa|IIb)\s+"
                                      r"(?:\w+\s+)?(?:trial|study)|\bpilot\s+(?:trial|study)|"
                                      r"\bdose[\s-]escalation|\bfeasibility\s+(?:trial|study)|\bintervention\s+(?:study|trial)\b", re.I),
    "case_report": re.compile(r"\bcase\s+report|\bwe\s+(?:report|describe|present)\s+(?:a|an|the)\s+"
                              r"(?:\w+\s+){0,3}(?:case|patient)\b|\ba\s+\d+-(?:year|month)-old\s+"
                              r"(?:\w+\s+)?(?:man|woman|boy|girl|male|female|patient|infant|child)", re.I),
    "case_series": re.compile(r"\bcase\s+series|\bseries\s+of\s+\d+|"
                              r"\b(?:two|three|four|five|\d)\s+(?:[\w-]+\s+){0,2}(?:families|kindreds|pedigrees)\b|\bwe\s+(?:report|describe|present)\s+\d+\s+"
                              r"(?:patients|cases)|\bchart\s+review", re.I),
    "genetic_association": re.compile(r"\bgenome[\s-]wide\s+association|\bGWAS\b|\blinkage\s+"
                                      r"(?:analysis|study|disequilibrium)|\bMendelian\s+randomi[sz]ation|"
                                      r"\b(?:polymorphisms?|SNPs?|variants?|alleles?|genotypes?|haplotypes?)\b"
                                      r"[^.]{0,80}\bassociat\w*|\bassociat\w*[^.]{0,80}\b"
                                      r"(?:polymorphisms?|SNPs?|alleles?|genotypes?|haplotypes?)\b", re.I),
    "case_control": re.compile(r"\bcase[\s-]+control|\bcases\s+and\s+(?:\w+\s+)?controls|"
                               r"\bmatched\s+controls|\bcontrol\s+subjects|"
                               r"\b(?:healthy|normal)\s+(?:\w+\s+)?(?:controls|volunteers|subjects|individuals)\b", re.I),
    "cohort": re.compile(r"\bcohort|\bprospective(?:ly)?\b|\blongitudinal|\bfollow-?up\s+study|"
                         r"\bfollowed\s+(?:up\s+)?(?:for|over|until)|\bregistry|\bregister-based|"
                         r"\bretrospective(?:ly)?\b|\bperson-years|\bincidence\s+of|"
                         # prognostic studies follow patients to an outcome
                         r"\bprognos\w*|\bpredictors?\s+of\s+(?:\w+\s+)?(?:response|outcome|survival|"
                         r"recurrence|relapse|mortality)|\bpredict\w*\s+(?:the\s+)?(?:\w+\s+)?"
                         r"(?:response|outcome|survival|recurrence|relapse)", re.I),
    "cross_sectional": re.compile(r"\bcross[\s-]sectional|\bsurvey|\bquestionnaire|\bprevalence|"
                                  r"\bdiagnostic\s+accuracy|\bsensitivity\s+and\s+specificity", re.I),
    "modeling": re.compile(r"\bsimulat\w*|\bmarkov\s+model|\bmathematical\s+model|"
                           r"\bcost[\s-]effectiveness|\bdecision[\s-]analytic|\bmicrosimulation|"
                           r"\bmodel(?:l)?ing\s+study|\bcomputational\s+model|\bwe\s+model(?:l)?ed", re.I),
    "narrative_review": re.compile(r"\bthis\s+review\b|\bwe\s+review\b|\bhere\s+we\s+review|"
                                   r"\bin\s+this\s+(?:article|paper|chapter),?\s+we\s+(?:review|discuss|summari[sz]e)|"
                                   r"\bwe\s+(?:summari[sz]e|discuss)\s+(?:the\s+)?(?:current|recent)|"
                                   r"\breview\s+(?:of|on)\s+the\s+literature|\bliterature\s+review|"
                                   r"\boverview\s+of", re.I),
}
_ANIMAL = re.compile(
    r"\b(?:mice|mouse|murine|rats?|rodents?|rabbits?|dogs?|canine|pigs?|swine|porcine|piglets?|"
    r"sheep|ovine|cattle|bovine|cows?|monkeys?|macaques?|primates?|marmosets?|zebrafish|"
    r"drosophila|flies|C\.\s?elegans|caenorhabditis|nematodes?|worms?|hamsters?|guinea\s+pigs?|"
    r"ferrets?|cats?|feline|horses?|equine|chickens?|chicks?|xenopus|frogs?|tadpoles?|"
    r"animals?|knock-?out|transgenic|wild-type|littermates)\b",
    re.I,
)
_IN_VITRO = re.compile(
    r"\bin\s+vitro\b|\bcell\s+lines?\b|\bcultured\b|\bcell\s+cultures?\b|\bHeLa\b|\bHEK\s?293|"
    r"\borganoids?\b|\bcrystal\s+structure|\bpurified\b|\brecombinant\b|\bbiochemical\b|"
    r"\bknockdown\b|\bsiRNA\b|\bin\s+silico\b|\bfibroblasts\b|\bprimary\s+\w+\s+cells\b",
    re.I,
)
_HUMAN = re.compile(
    r"\b(?:patients?|participants?|volunteers?|women|men|children|adults|infants|humans?|"
    r"individuals|persons|people|adolescents|neonates|respondents|pregnant)\b",
    re.I,
)
# Background sentences mention other studies ("previous randomized trials have shown ...").
_HEDGE = re.compile(r"\b(?:previous|prior|earlier|have\s+shown|has\s+been\s+shown|few|lack\s+of|"
                    r"no\s+randomi[sz]ed|remains?\s+unclear|is\s+unknown|are\s+needed|is\s+needed|"
                    r"future|should\s+be|warranted)\b", re.I)

_PT_DESIGN = (
    ("meta-analysis", "meta_analysis"),
    ("systematic review", "systematic_review"),
    ("randomized controlled trial", "rct"),
    ("pragmatic clinical trial", "rct"),
    ("equivalence trial", "rct"),
    ("case reports", "case_report"),
)


@dataclass(frozen=True)
class DesignInfo:
    design: str
    reason: str
    humans: bool | None


def _own_text(title: str, sentences: Sequence[tuple[str, str]], lowered: Sequence[str]) -> str:
    """Title plus the sentences that describe this study, not the field's background, lower-cased
    (`title` and `lowered`, the sentence texts, already are)."""
    unlabelled = [i for i, (_, kind) in enumerate(sentences) if kind == ""]
    # One search over the unlabelled sentences joined by a character no pattern matches (so
    # no match spans two of them) instead of one search each.
    joined = "\x00".join([lowered[i] for i in unlabelled])
    starts = list(itertools.accumulate([len(lowered[i]) + 1 for i in unlabelled], initial=0))
    hedged = {unlabelled[bisect.bisect_right(starts, m.start()) - 1] for m in _HEDGE.finditer(joined)}
    kept = [title]
    for i, (_, kind) in enumerate(sentences):
        if kind == "background" or i in hedged:
            continue
        kept.append(lowered[i])
    return "\n".join(kept)


class _Mentions:
    """How often the abstract names animals, people and laboratory work: each count is a pass
    over the whole text, so it is made only when a rule reads it, and only matters (is not 0)
    when no participants were counted."""

    def __init__(self, full: str, counting: bool) -> None:
        self.full, self.counting = full, counting

    def _count(self, pattern: Anchored) -> int:
        return pattern.count(self.full) if self.counting else 0

    @cached_property
    def animal(self) -> int:
        return self._count(_ANIMAL)

    @cached_property
    def human(self) -> int:
        return self._count(_HUMAN)

    @cached_property
    def in_vitro(self) -> int:
        return self._count(_IN_VITRO)


def classify_design(title: str, sentences: Sequence[tuple[str, str]],
                    pub_types: Sequence[str] = (), has_human_count: bool = False,
                    lowered: Sequence[str] | None = None) -> DesignInfo:
    """The design of the reported study, why, and whether its data come from humans.

    `sentences` are (text, section kind). Publication types are used where they are reliable
    and checked against the text where they are not (a "Clinical Trial" PT on an open-label
    single-arm study is a non-randomised trial; a "Review" titled "... meta-analysis" is a
    meta-analysis). Cues are then read in the title and in the sentences outside the
    background, in the order of the evidence hierarchy. `lowered` are the sentence texts
    lower-cased, when the caller has them.
    """
    # Every design rule is a lower-case pattern run on lower-cased text (see casefree.lower_pattern).
    # Lower-casing joined texts gives the joined lower-cased pieces ("\n" ends a final sigma's
    # context), so each sentence is lower-cased once.
    title = title.lower()
    lowered = lowered if lowered is not None else [t.lower() for t, _ in sentences]
    full = "\n".join([title, *lowered])
    own = _own_text(title, sentences, lowered)
    pts = [p.lower() for p in pub_types]

    no_people = not has_human_count
    hits = _Mentions(full, no_people)

    def cue(name: str, text: str = own) -> re.Match[str] | None:
        return _CUES[name].search(text)

    def result(design: str, reason: str) -> DesignInfo:
        if design in ("animal", "in_vitro", "modeling"):
            humans: bool | None = False if no_people else True
        elif design in ("narrative_review", "other"):
            humans = True if has_human_count else None  # unsure: no counted participants
        else:
            humans = True
        return DesignInfo(design, reason, humans)

    # Meta-analysis and systematic review: PT or title/own-text cue.
    m = cue("meta_analysis")
    genetic_title = cue("genetic_association", title)
    if genetic_title and "meta-analysis" not in pts:
        # "Replication and meta-analysis of variants ... associated with AF": genetics first.
        return result("genetic_association", f'title cue "{genetic_title.group(0)}"')
    if m or "meta-analysis" in pts:
        why = f'cue "{m.group(0)}"' if m else 'publication type "Meta-Analysis"'
        return result("meta_analysis", why)
    m = cue("systematic_review")
    if m or "systematic review" in pts:
        why = f'cue "{m.group(0)}"' if m else 'publication type "Systematic Review"'
        return result("systematic_review", why)

    # Animals, when no human population is counted.
    if hits.animal and no_people and (bool(_ANIMAL.search(title)) or hits.animal >= 2) and hits.animal >= hits.human:
        first = _ANIMAL.search(full)
        return result("animal", f'animal subjects ("{first.group(0)}", {hits.animal} mentions) '
                                f"and no human participant count")

    rct = cue("rct")
    nonrand = cue("nonrandomized_trial")
    if "randomized controlled trial" in pts and not (nonrand and re.search(r"non-?randomi", nonrand.group(0), re.I)):
        return result("rct", 'publication type "Randomized Controlled Trial"')
    case_report = cue("case_report")
    if "case reports" in pts and not cue("case_series"):
        return result("case_report", 'publication type "Case Reports"')
    if rct and not (nonrand and re.search(r"non-?randomi", nonrand.group(0), re.I)):
        return result("rct", f'cue "{rct.group(0)}"')
    trial_pt = next((p for p in pub_types if "clinical trial" in p.lower()), None)
    if nonrand:
        return result("nonrandomized_trial", f'cue "{nonrand.group(0)}"')
    if trial_pt:
        return result("nonrandomized_trial", f'publication type "{trial_pt}" without randomisation in the text')
    if case_report:
        return result("case_report", f'cue "{case_report.group(0)}"')

    if hits.in_vitro and no_people and hits.in_vitro >= hits.human:
        if hits.animal and hits.animal >= hits.in_vitro:
            first = _ANIMAL.search(full)
            return result("animal", f'animal subjects ("{first.group(0)}") and no human participant count')
        first_iv = _IN_VITRO.search(full)
        if _STUDY_LANGUAGE.search(own) or len(own) < 400:
            return result("in_vitro", f'cue "{first_iv.group(0)}" and no human participant count')

    for name in ("genetic_association", "modeling", "case_control", "cohort", "cross_sectional",
                 "case_series"):
        m = cue(name)
        if m:
            return result(name, f'cue "{m.group(0)}"')
    if "observational study" in pts:
        return result("cohort", 'publication type "Observational Study"')
    m = cue("narrative_review", full)
    if m:
        return result("narrative_review", f'cue "{m.group(0)}"')
    if "review" in pts:
        return result("narrative_review", 'publication type "Review"')
    if hits.animal and no_people and hits.animal > hits.human:
        first = _ANIMAL.search(full)
        return result("animal", f'animal subjects ("{first.group(0)}") and no human participant count')
    return _without_cue(own, has_human_count, result)


# Laboratory work on human material ("expression in peripheral blood mononuclear cells").
_LAB = re.compile(r"\b(?:cells?|expression|mRNA|proteins?|assays?|in\s+culture|co-?cultur\w*|"
                  r"receptors?|transcripts?|enzymes?|secretion|plasmids?|pathways?)\b", re.I)
_STUDY_LANGUAGE = re.compile(r"\b(?:we|this\s+study|the\s+present\s+study)\s+(?:\w+\s+)?"
                             r"(?:studied|examined|investigated|analy[sz]ed|measured|assessed|found|"
                             r"show|showed|demonstrate\w*|observed|report|identified|evaluated)\b|"
                             r"\b[Pp]\s*[<=>]\s*0?\.\d", re.I)


def _without_cue(own: str, has_human_count: bool, result) -> DesignInfo:  # noqa: ANN001
    """No design named: a counted group of people observed once is the commonest such study
    (cross-sectional); uncounted laboratory work is in vitro; an abstract that reports no
    study of its own is a narrative review."""
    if has_human_count:
        m = _CASES_ONLY.search(own)
        if m and not _COMPARED.search(own):
            return result("case_series", f'patients described without a comparison group ("{m.group(0)}")')
        return result("cross_sectional", "people counted, no design named: observed once")
    study = _STUDY_LANGUAGE.search(own)
    if study and _LAB.count(own) >= 3:
        return result("in_vitro", f'laboratory measures and "{study.group(0)}", no participant count')
    if not study and len(own) >= 400:  # a few lines are too little to call a review
        return result("narrative_review", "no study of its own reported and no participant count")
    return result("other", "no design cue found")


# A case series describes a few patients who share a condition ("14 octreotide treated
# acromegalic patients", "81 cases with del(14q)"): under a hundred, no comparison group.
_CASES_ONLY = re.compile(rf"(?<![\d,.])(?:[1-9]\d?|{NUMBER_WORDS_RE})\s+(?:[\w-]+\s+){{0,3}}"
                         r"(?:patients|cases)\b(?!\s+and\b)", re.I)
_COMPARED = re.compile(r"\b(?:controls?|healthy|normal|compared\s+with|versus|vs\.?|"
                       r"participants|volunteers|subjects|group\s+[ab12]|groups)\b", re.I)


# The words of the design rules (gates and the strings their matches start with), found in
# one pass over each text the rules read (see anchored.WordIndex): the cues' on the title and
# the study's own text, the hedges' on its sentences. The mentions share the cues' index: they
# read the whole abstract, which is often the study's own text too (no background, no hedge).
_DESIGN_WORDS, _HEDGE_WORDS = WordIndex(), WordIndex()


class Gated:
    """A lower-case pattern run only when the text holds one of its gates: substrings that
    every match contains. Most abstracts hold none of a given design's words."""

    def __init__(self, pattern: re.Pattern[str], gates: Sequence[str],
                 index: WordIndex = _DESIGN_WORDS) -> None:
        self.pattern = Anchored(lower_pattern(pattern), index)
        self.gates = frozenset(gates)
        self._index = index
        index.add(self.gates)

    def _closed(self, text: str) -> bool:
        if len(self.gates) <= 3:  # a few `in` tests are cheaper than a pass for every word
            for gate in self.gates:
                if gate in text:
                    return False
            return True
        return self.gates.isdisjoint(self._index.positions(text))

    def search(self, text: str) -> re.Match[str] | None:
        return None if self._closed(text) else self.pattern.search(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return iter(()) if self._closed(text) else self.pattern.finditer(text)


# Gates per cue: every alternative of the pattern contains one of them (lower case).
_CUE_GATES = {
    "meta_analysis": ("meta", "pooled"),
    "systematic_review": ("systematic", "umbrella", "scoping"),
    "rct": ("randomi", "randomly", "rct", "placebo", "blind", "sham"),
    "nonrandomized_trial": ("nonrandomi", "non-randomi", "single", "label", "uncontrolled", "quasi",
                            "pre-post", "prepost", "before", "phase", "pilot", "escalation",
                            "feasibility", "intervention"),
    "case_report": ("case", "report", "describe", "present", "-old"),
    "case_series": ("series", "report", "describe", "present", "chart", "families", "kindreds", "pedigrees"),
    "genetic_association": ("genome", "gwas", "linkage", "mendelian", "polymorphism", "snp",
                            "variant", "allele", "genotype", "haplotype"),
    "case_control": ("case", "control", "healthy", "normal"),
    "cohort": ("cohort", "prospective", "longitudinal", "follow", "registry", "register",
               "retrospective", "person-years", "incidence", "prognos", "predict"),
    "cross_sectional": ("cross", "survey", "questionnaire", "prevalence", "diagnostic", "sensitivity"),
    "modeling": ("simulat", "markov", "mathematical", "cost", "decision", "model"),
    "narrative_review": ("review", "discuss", "summari", "overview"),
}
# The design rules read lower-cased text (see classify_design).
_CUES = {name: Gated(p, _CUE_GATES[name]) for name, p in _CUES.items()}
_HEDGE = Gated(_HEDGE, ("previous", "prior", "earlier", "have", "has", "few", "lack", "randomi",
                        "remain", "unknown", "needed", "future", "should", "warranted"), _HEDGE_WORDS)
_ANIMAL, _IN_VITRO, _HUMAN = (
    Anchored(lower_pattern(p), _DESIGN_WORDS) for p in (_ANIMAL, _IN_VITRO, _HUMAN))
_LAB, _STUDY_LANGUAGE, _CASES_ONLY, _COMPARED = (
    Anchored(lower_pattern(p), _DESIGN_WORDS) for p in (_LAB, _STUDY_LANGUAGE, _CASES_ONLY, _COMPARED))


# --- spaCy components -------------------------------------------------------------------------

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


@Language.factory("fc_sentences")
def make_sentences(nlp: Language, name: str):  # noqa: ANN201 - spaCy factory signature
    def component(doc: Doc) -> Doc:
        state = doc_state(doc)
        text, spans, record = state.text, state.spans, state.record
        sections = record.sections if record is not None else (("", text),)
        state.sentences = doc_sentences(text, spans, sections)
        low = text.lower()  # once per abstract: the sentence rules and the design texts share it
        state.facts = sentence_facts(text, spans, low)  # one per sentence
        state.lowered = lowered_sentences(text, low, spans)
        return doc
    return component


@Language.factory("fc_effects")
def make_effects(nlp: Language, name: str):  # noqa: ANN201
    def component(doc: Doc) -> Doc:
        effects: list[Effect] = []
        results: list[Sentence] = []
        state = doc_state(doc)
        # fc_sentences sets the sentences and their facts together.
        for sent, facts in zip(state.sentences or (), state.facts or ()):
            text, kind = sent.text, section_kind(sent.section)
            found: list[Effect] = []
            # Every estimate holds a digit or a number word (see find_effects).
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
        record = state.record
        title = record.title if record else ""
        title = title.lower()
        # One search over the sentences outside the background, joined by a character no
        # pattern matches, so no match spans two sentences (the same as one search each).
        own = "\x00".join([low for low, (_, _, k) in zip(state.lowered or (), sents) if k != "background"])
        meta_cues = _CUES["meta_analysis"].search(title) or _CUES["systematic_review"].search(title) \
            or _CUES["meta_analysis"].search(own)
        state.sample_size = find_sample_size(sents, state.text, meta=bool(meta_cues), facts=state.facts)
        return doc
    return component


@Language.factory("fc_design")
def make_design(nlp: Language, name: str):  # noqa: ANN201
    def component(doc: Doc) -> Doc:
        state = doc_state(doc)
        record = state.record
        sents = [(s.text, section_kind(s.section)) for s in state.sentences or ()]
        size: SampleSize | None = state.sample_size
        state.design = classify_design(
            record.title if record else "", sents, record.pub_types if record else (),
            has_human_count=bool(size and size.n), lowered=state.lowered,
        )
        return doc
    return component
