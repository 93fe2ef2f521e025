"""Pure helpers that read numbers as abstracts write them.

Number words ("Forty-one"), thousands separators ("1,204"), decimals written ".001" or with a
Lancet middle dot ("0·85"), unicode minus signs, ranges ("one to two", "1.4-3.8", "0.55–0.92"),
confidence intervals, percentages and p-values. Every finder returns character spans into the
text it was given, so callers can add an offset and quote the source exactly.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from pipeline.nlp.casefree import CaseFree

# --- plain numbers ------------------------------------------------------------------------

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
NUMBER_WORDS = frozenset(_UNITS) | frozenset(_TENS) | frozenset(_SCALES)

# A run of number words: "forty-one", "one hundred and twenty", "Two thousand three hundred".
_W = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
NUMBER_WORDS_RE = (
    rf"(?:\b(?:{_W})\b(?:(?:[\s-]+|\s+and\s+)\b(?:{_W})\b)*)"
)
_NUMBER_WORDS_FULL = re.compile(rf"^{NUMBER_WORDS_RE}$", re.IGNORECASE)

# Digits: optional sign (hyphen, unicode minus, en dash used as minus), thousands groups,
# decimals with "." or the Lancet middle dot; ".001" with no leading zero.
SIGN = r"[-\u2212\u2013]"
UNSIGNED_RE = r"(?:\d{1,3}(?:,\d{3})+(?![\d])|\d+)(?:[.\u00b7]\d+)?|[.\u00b7]\d+"
NUM_RE = rf"(?:{SIGN}\s?)?(?:{UNSIGNED_RE})"
_NUM_FULL = re.compile(rf"^\s*({SIGN})?\s?((?:{UNSIGNED_RE}))\s*%?\s*$")


def number_words_to_int(text: str) -> int | None:
    """"Forty-one" -> 41, "one hundred and twenty" -> 120; None when `text` is not number words."""
    cleaned = text.strip().lower()
    if not cleaned or not _NUMBER_WORDS_FULL.match(cleaned):
        return None
    words = [w for w in re.split(r"[\s-]+", cleaned) if w and w != "and"]
    total = 0
    current = 0
    for word in words:
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current = (current or 1) * 100
        else:  # thousand, million: close the group
            total += (current or 1) * _SCALES[word]
            current = 0
    return total + current


def parse_number(text: str) -> float | None:
    """A number as written in an abstract, or None.

    "1,204" -> 1204.0, ".001" -> 0.001, "0·85" -> 0.85, "−0.3" -> -0.3, "45%" -> 45.0,
    "Forty-one" -> 41.0. Anything else (ranges, words that are not numbers) -> None.
    """
    match = _NUM_FULL.match(text)
    if match:
        sign, body = match.groups()
        value = float(body.replace(",", "").replace("\u00b7", "."))
        return -value if sign else value
    as_int = number_words_to_int(text)
    return float(as_int) if as_int is not None else None


# --- ranges -------------------------------------------------------------------------------


class NumberRange(NamedTuple):
    low: float
    high: float
    span: tuple[int, int]


_RANGE_SEP = r"\s*(?:-|\u2013|\u2014|to|and)\s*"
_DIGIT_RANGE = re.compile(rf"(?<![\w.])({NUM_RE}){_RANGE_SEP}({NUM_RE})(?![\d])")
_WORD_RANGE = re.compile(
    rf"\b({NUMBER_WORDS_RE})\s+(?:to|or|-)\s+({NUMBER_WORDS_RE})\b", re.IGNORECASE
)


def parse_range(text: str) -> tuple[float, float] | None:
    """"one to two" -> (1, 2), "1.4-3.8" -> (1.4, 3.8), "0.55–0.92" -> (0.55, 0.92); else None."""
    found = find_ranges(text)
    if len(found) == 1 and found[0].span == (0, len(text.strip())):
        return found[0].low, found[0].high
    return None


def find_ranges(text: str) -> list[NumberRange]:
    """Every "a to b" / "a-b" range of numbers or number words in `text`."""
    out: list[NumberRange] = []
    for regex in (_DIGIT_RANGE, _WORD_RANGE):
        for m in regex.finditer(text):
            low, high = parse_number(m.group(1)), parse_number(m.group(2))
            if low is not None and high is not None:
                out.append(NumberRange(low, high, (m.start(), m.end())))
    out.sort(key=lambda r: r.span)
    return out


# --- confidence intervals -----------------------------------------------------------------


class CI(NamedTuple):
    low: float
    high: float
    level: float  # 95 for "95% CI"; 0 when the level is not stated
    span: tuple[int, int]  # the whole interval: "95% CI, 1.4 to 3.8"
    bounds_span: tuple[int, int]  # just "1.4 to 3.8"


# "95% CI", "95% confidence interval [CI]", "CI 95%", "95%CI", "95% CrI", "(95 % CI:".
_CI_LABEL = (
    r"(?:(?P<level>\d{2}(?:\.\d+)?)\s?%\s*"
    r"(?:CI|CrI|confidence\s+intervals?|credible\s+intervals?|uncertainty\s+intervals?|UI)"
    r"|(?:CI|confidence\s+intervals?)\s*(?P<level2>\d{2}(?:\.\d+)?)\s?%"
    r"|\bCI\b|\bconfidence\s+intervals?\b)"
)
_CI_AFTER_LABEL = r"(?:\s*[\[(](?:CI|CrI|UI)[\])])?\s*(?:[:=,;]|\bof\b|\bwas\b|\bwere\b|\bfrom\b)?\s*[\[(]?\s*"
_CI_SEP = r"\s*(?:,|;|-|\u2013|\u2014|\bto\b|\u2192)\s*"
_CI_RE = CaseFree(re.compile(
    rf"{_CI_LABEL}{_CI_AFTER_LABEL}(?P<low>{NUM_RE})\s?%?{_CI_SEP}(?P<high>{NUM_RE})\s?%?(?![\d])",
    re.IGNORECASE,
))


def _may_have_ci(text: str) -> bool:
    """Cheap test before the CI pattern: every label holds one of these (cased as written,
    or "ci" after a space, bracket or % sign)."""
    if "CI" in text or "CrI" in text or "UI" in text:
        return True
    low = text.lower()
    if "ci" not in low and "ui" not in low:  # most sentences: then only the words can hold
        return "confidence" in low or "credible" in low or "uncertainty" in low
    for gate in _CI_GATES:  # (a loop: any() over a generator costs a frame per call)
        if gate in low:
            return True
    return False


_CI_GATES = ("confidence", "credible", "uncertainty", " ci", "%ci", "(ci", "[ci", " ui", "%ui", "(ui", "[ui",
             "ci ", "ci:", "ci,", "ci=")


def find_cis(text: str) -> list[CI]:
    """Every labelled confidence interval: "95% CI 1.4-3.8", "(95% CI: 0.55 to 0.92)",
    "95% CI=0.36, 1.91", "95% confidence interval [CI], 1.00 to 1.30", en dashes and minus signs.
    """
    return list(_cis(text))


@lru_cache(maxsize=1024)  # a sentence is read for effects and again for its percentages
def _cis(text: str) -> tuple[CI, ...]:
    out: list[CI] = []
    if not _may_have_ci(text):
        return ()
    for m in _CI_RE.finditer(text):
        low, high = parse_number(m.group("low")), parse_number(m.group("high"))
        if low is None or high is None:
            continue
        level_text = m.group("level") or m.group("level2")
        level = float(level_text) if level_text else 0.0
        out.append(CI(low, high, level, (m.start(), m.end()), (m.start("low"), m.end("high"))))
    return tuple(out)


# --- percentages --------------------------------------------------------------------------

_PERCENT_RE = CaseFree(re.compile(
    rf"(?<![\w.,])(?P<num>{NUM_RE}|{NUMBER_WORDS_RE})\s?(?:%|percent(?:age\s+points?)?\b|per\s+cent\b)",
    re.IGNORECASE
))
# Percent signs that name a CI level rather than report a share.
_CI_LEVEL_AFTER = re.compile(
    r"\s*(?:CI|CrI|UI|confidence|credible|uncertainty|prediction\s+interval|limits?\b)",
    re.IGNORECASE,
)


def covered(spans: list[tuple[int, int]], at: int) -> bool:
    """Does one of the (start, end) spans hold position `at`?"""
    for start, end in spans:
        if start <= at < end:
            return True
    return False


def find_percentages(text: str) -> list[tuple[float, tuple[int, int]]]:
    """Every percentage that reports a share or a change: [(value, (start, end)), ...].

    The level of a confidence interval ("95% CI") and the bounds of a labelled CI
    ("95% CI 12%-20%") are not reported: they are not figures a claim could match.
    """
    if "%" not in text and "per" not in text.lower():  # "%", "percent", "per cent"
        return []
    ci_bounds = [ci.span for ci in _cis(text)]
    out: list[tuple[float, tuple[int, int]]] = []
    for m in _PERCENT_RE.finditer(text):
        if _CI_LEVEL_AFTER.match(text, m.end()):
            continue
        if covered(ci_bounds, m.start()):
            continue
        value = parse_number(m.group("num"))
        if value is None:
            continue
        if value < 0 and m.start() > 0 and (text[m.start() - 1].isalnum() or text[m.start() - 1] == "%"):
            value = -value  # "10%-20%": the dash joins a range, it is not a minus sign
        out.append((value, (m.start(), m.end())))
    return out


# --- p-values -----------------------------------------------------------------------------


class PValue(NamedTuple):
    value: float
    operator: str  # "=", "<", ">", "<=", ">="
    span: tuple[int, int]


_P_OPS = {"<": "<", ">": ">", "=": "=", "≤": "<=", "≥": ">=", "<=": "<=", ">=": ">=",
          "=<": "<=", "<or=": "<=", ">or=": ">=", "⩽": "<=", "⩾": ">="}
# "P < .001", "p=0.016", "P-value = 0.03", "P for trend = 0.02", "p(interaction) < 0.05",
# "P < 1 x 10^-5", "P = 3 × 10−8", "P < 1e-5", "Pinteraction = .04"
_P_RE = re.compile(
    r"(?<![A-Za-z])[Pp](?:[\s-]*values?)?"
    r"(?:\s*(?:for\s+(?:trend|interaction|heterogeneity|difference|linear\s+trend)"
    r"|\((?:trend|interaction|heterogeneity|diff)\)|trend|interaction|heterogeneity))?"
    r"\s*(?P<op><\s*or\s*=|>\s*or\s*=|<=|>=|=<|[<>=≤≥⩽⩾])\s*"
    r"(?P<num>(?:\d+(?:[.\u00b7]\d+)?|[.\u00b7]\d+))"
    r"(?P<exp>\s*(?:[x×*]|\\times)\s*10\s*(?:\^|\*\*)?\s*(?:[-\u2212\u2013]\s?)\d+"
    r"|[eE][-\u2212\u2013]\d+)?"
)


def find_p_values(text: str) -> list[PValue]:
    """Every p-value with its comparison operator, e.g. "P < .001" -> PValue(0.001, "<", span)."""
    return list(p_values(text))


@lru_cache(maxsize=1024)  # a sentence is read by several effects rules
def p_values(text: str) -> tuple[PValue, ...]:
    """find_p_values as a tuple, kept for the last texts: callers that only ask whether a
    sentence holds one read the cache without a list copy and a Python frame."""
    out: list[PValue] = []
    if not ("=" in text or "<" in text or ">" in text or "\u2264" in text or "\u2265" in text
            or "\u2a7d" in text or "\u2a7e" in text):
        return ()  # every p-value has a comparison sign; most sentences have none
    for m in _P_RE.finditer(text):
        value = parse_number(m.group("num"))
        if value is None:
            continue
        exp = m.group("exp")
        if exp:
            digits = re.search(r"(\d+)\s*$", exp)
            if digits:  # via the decimal string, so 3 x 10^-8 is exactly 3e-08
                value = float(f"{value!r}e-{digits.group(1)}")
        if value > 1:  # "p = 12" is not a p-value (a page, a patient id ...)
            continue
        op = _P_OPS.get(re.sub(r"\s+", "", m.group("op")), m.group("op"))
        out.append(PValue(value, op, (m.start(), m.end())))
    return tuple(out)
