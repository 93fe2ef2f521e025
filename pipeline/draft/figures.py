"""Figures a sentence asserts, with their units: '87% of participants', 'one to two sessions', '4.1 kg'.

Pure functions; the number syntax itself (number words, ranges, percentages) comes from
`pipeline.nlp.numbers`.
"""

from __future__ import annotations

import re

from pipeline.nlp.numbers import NUMBER_WORDS_RE, find_percentages, find_ranges, parse_number
from pipeline.types import ClaimNumber

UNITS = (r"percentage\s+points?|sessions?|weeks?|months?|days?|hours?|years?|minutes?|mg/dl|mmol/l|mg|"
         r"kg|g|lbs?|pounds|ml|times|people|participants|patients|adults|children|women|men|studies|"
         r"trials|doses?|cups?|servings?|steps|calories|kcal|points|fold|nights?")
_NUM = rf"(?:\d+(?:[.,]\d+)*|{NUMBER_WORDS_RE}|half|a\s+third|a\s+quarter)"
# "12 weeks", "4.1 kg", "three KAP sessions" (one word between), "eight-hour window".
_FIGURE = re.compile(rf"(?<![\w.:])(?P<num>{_NUM})(?:\s*-\s*|\s+)(?:(?P<gap>[A-Z][A-Za-z]+|\w+-\w+)\s+)?"
                     rf"(?P<unit>{UNITS})\b", re.IGNORECASE)
_FRACTIONS = {"half": 0.5, "a third": 1 / 3, "a quarter": 0.25}
YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
_ABOUT_STOP = frozenset("who that which were was had have has after before in at on for and or than by".split())


def _value(raw: str) -> float | None:
    raw = re.sub(r"\s+", " ", raw.strip().lower())
    return _FRACTIONS.get(raw, parse_number(raw))


# Plurals that do not end in "s": "300 children", "40 people", "12 men".
_IRREGULAR_PLURALS = frozenset("children people men women feet teeth mice".split())


def _unit(raw: str) -> str:
    unit = re.sub(r"\s+", " ", raw.lower())
    if unit in ("percentage points", "mg/dl", "mmol/l") or len(unit) <= 2 or unit.endswith("s") \
            or unit.split()[-1] in _IRREGULAR_PLURALS:
        return unit
    return unit + "s"


def _about(text: str, end: int) -> str:
    """What a figure counts: '87% of participants with PTSD improved' -> 'participants with PTSD'."""
    words = re.findall(r"[\w'\u2019-]+|[^\w\s]", text[end:])
    if not words or words[0].lower() != "of":
        return ""
    out: list[str] = []
    for word in words[1:6]:
        if not re.match(r"[\w'\u2019-]", word) or word.lower() in _ABOUT_STOP or (len(word) > 4 and word.endswith("ed")):
            break
        out.append(word)
    return " ".join(out)


def find_numbers(text: str) -> tuple[ClaimNumber, ...]:
    """Figures a sentence asserts, with units: percentages, ranges and counted things."""
    found: list[tuple[int, ClaimNumber]] = []
    taken: list[tuple[int, int]] = []
    for value, (start, end) in find_percentages(text):
        unit = "percentage points" if "point" in text[start:end].lower() else "%"
        found.append((start, ClaimNumber(value=value, unit=unit, about=_about(text, end))))
        taken.append((start, end))
    for rng in find_ranges(text):  # "one to two sessions": both ends, with the unit after the range
        unit = re.match(rf"\s+(?:[A-Z]+\s+)?({UNITS})\b", text[rng.span[1]:], re.IGNORECASE)
        if unit and not any(s <= rng.span[0] < e for s, e in taken):
            for value in (rng.low, rng.high):
                found.append((rng.span[0], ClaimNumber(value=value, unit=_unit(unit.group(1)))))
            taken.append((rng.span[0], rng.span[1] + unit.end()))
    for m in _FIGURE.finditer(text):
        if any(s <= m.start() < e for s, e in taken) or YEAR.fullmatch(m.group("num")):
            continue
        value = _value(m.group("num"))
        if value is None:
            continue
        unit = _unit(m.group("unit"))
        if unit == "%":
            continue
        found.append((m.start(), ClaimNumber(value=value, unit=unit, about=_about(text, m.end()))))
        taken.append((m.start(), m.end()))
    return tuple(n for _, n in sorted(found, key=lambda item: item[0]))
