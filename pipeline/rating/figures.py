"""Figures as quantities: what a claim asserts and what a sentence reports, read the same way. Pure.

A figure is a value (or a range, "one to two sessions", which is one figure) of one quantity:
a percentage, a count of treatments (sessions, infusions, doses), a count of people, or a
duration. Two figures are compared only when they are the same quantity, and a year ("in 2008
adults were ...") is never read as a count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.rating.terms import stem
from pipeline.types import Claim, ClaimNumber

NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split())} | {"single": 1}  # "a single infusion"
NUM = r"(\d+(?:\.\d+)?|" + "|".join(NUMBER_WORDS) + r")"
PERCENT = re.compile(r"(\d+(?:[.\u00b7]\d+)?)\s*(?:%|percent\b|per cent\b)", re.IGNORECASE)
NUMBER = re.compile(r"\b" + NUM + r"\b", re.IGNORECASE)
PERCENT_UNITS = {"%", "percent", "per cent", "pct", "percentage"}
# Units that count treatments: an article's "sessions" are a trial's "infusions" or "doses".
DOSE_UNITS = frozenset(stem(w) for w in ("session", "sessions", "infusion", "infusions", "dose", "doses",
                                          "injection", "injections"))
PEOPLE_UNITS = frozenset(stem(w) for w in (
    "participants", "patients", "people", "persons", "subjects", "adults", "individuals", "veterans",
    "children", "adolescents", "women", "men", "responders", "volunteers", "respondents"))
TIME_UNITS = {stem(w): w.rstrip("s") for w in ("days", "weeks", "months", "years", "hours", "minutes")}
# "three KAP sessions", "six intravenous ketamine infusions"; not "24 hrs following injection".
_NOT_A_QUALIFIER = r"(?!(?:hours?|hrs?|h|days?|weeks?|months?|min(?:utes?)?|mg|kg|ml|following|after|before|per|of|the|and|or|to)\b)"
DOSES = re.compile(r"\b" + NUM + r"\s+(?:" + _NOT_A_QUALIFIER + r"[a-z-]+\s+){0,2}?"
                   r"(sessions?|infusions?|doses?|injections?)\b", re.IGNORECASE)
# "one to two sessions", "1-2 infusions", "two or three doses": one figure, a range.
_RANGE = re.compile(r"\b" + NUM + r"\s*(?:to|-|–|or)\s*" + NUM + r"\s+(?:[a-z-]+\s+){0,2}?([a-z]+)\b", re.IGNORECASE)
# A year: 1900-2099 after a word that introduces a date, or followed by a comma; never a count.
_YEAR_BEFORE = re.compile(r"\b(?:in|since|from|by|until|till|during|between|before|after|year|years|of the|and)\s*$",
                          re.IGNORECASE)


def fmt(value: float) -> str:
    return f"{value:g}"


def value_of(raw: str) -> float:
    raw = raw.lower()
    return float(NUMBER_WORDS[raw]) if raw in NUMBER_WORDS else float(raw)


def unit_words(text: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in re.findall(r"[a-z]+", text.lower()) if w not in ("of", "the", "a", "in"))


def quantity(unit: str, about: str = "") -> str:
    """The quantity a unit measures: 'percent', 'treatments', 'people', 'time:week', or
    'other:<unit>' (compared only with the same unit word)."""
    clean = unit.strip().lower()
    if clean in PERCENT_UNITS:
        return "percent"
    words = unit_words(clean or about)
    if DOSE_UNITS & set(words):
        return "treatments"
    if PEOPLE_UNITS & set(words):
        return "people"
    for w in words:
        if w in TIME_UNITS:
            return f"time:{TIME_UNITS[w]}"
    return "other:" + " ".join(words) if words else "other:"


def in_unit(value: float, unit: str) -> str:
    """'1 session', '2 sessions', '87%': a figure with its unit, in the right number."""
    clean = unit.strip()
    if clean.lower() in PERCENT_UNITS:
        return f"{fmt(value)}%"
    if not clean:
        return fmt(value)
    if value == 1 and clean.endswith("s") and not clean.endswith("ss"):
        clean = clean[:-1]
    elif value != 1 and not clean.endswith("s") and clean.isalpha():
        clean += "s"
    return f"{fmt(value)} {clean}"


def is_year(text: str, start: int, value: float) -> bool:
    """Whether the number at text[start:] is a year: 1900-2099, whole, written without a thousands
    separator, after 'in', 'since', 'between' ... or followed by a comma."""
    if value != int(value) or not 1900 <= value <= 2099:
        return False
    after = text[start + 4:start + 5]
    return bool(_YEAR_BEFORE.search(text[max(0, start - 12):start])) or after == "," or start == 0


@dataclass(frozen=True)
class ClaimFigure:
    """One figure a claim asserts: a value, or a range read as one figure."""

    low: float
    high: float
    unit: str
    about: str = ""

    @property
    def quantity(self) -> str:
        return quantity(self.unit, self.about)

    @property
    def shown(self) -> str:
        if self.low == self.high:
            return in_unit(self.low, self.unit)
        return f"{fmt(self.low)} to {in_unit(self.high, self.unit)}"

    def holds(self, value: float, tolerance: float = 0.0) -> bool:
        return self.low - tolerance - 1e-9 <= value <= self.high + tolerance + 1e-9

    def distance(self, value: float) -> float:
        return 0.0 if self.holds(value) else min(abs(value - self.low), abs(value - self.high))


def as_figure(number: ClaimNumber | ClaimFigure) -> ClaimFigure:
    if isinstance(number, ClaimFigure):
        return number
    return ClaimFigure(number.value, number.value, number.unit, number.about)


def _ranges(quote: str) -> list[tuple[float, float, str]]:
    """(low, high, unit stem) of each 'one to two sessions' in the quote."""
    out = []
    for m in _RANGE.finditer(quote):
        low, high = value_of(m.group(1)), value_of(m.group(2))
        if low < high:
            out.append((low, high, stem(m.group(3).lower())))
    return out


def claim_figures(claim: Claim) -> tuple[ClaimFigure, ...]:
    """The claim's figures (claims.yaml's numbers, then percentages and treatment counts its quote
    states that the file does not list), each once; two numbers of one unit that the quote gives
    as a range ('one to two sessions') are one figure."""
    listed = [as_figure(n) for n in claim.numbers]
    listed += [as_figure(n) for n in numbers_in_text(claim)]
    out: list[ClaimFigure] = []
    for low, high, unit_stem in _ranges(claim.quote):
        kind = quantity(unit_stem)
        ends = [f for f in listed if f.quantity == kind and f.low == f.high and f.low in (low, high)]
        unit = ends[0].unit if ends else unit_stem
        about = "; ".join(dict.fromkeys(f.about for f in ends if f.about))
        out.append(ClaimFigure(low, high, unit, about))
        listed = [f for f in listed if f not in ends]
    return tuple(dict.fromkeys(out + listed))


def numbers_in_text(claim: Claim) -> tuple[ClaimNumber, ...]:
    """Percentages and treatment counts the article's words assert that claims.yaml did not list."""
    listed = {(n.value, n.unit.strip().lower() in PERCENT_UNITS) for n in claim.numbers}
    found: list[ClaimNumber] = []
    for m in PERCENT.finditer(claim.quote):
        value = float(m.group(1).replace("\u00b7", "."))
        if (value, True) not in listed:
            found.append(ClaimNumber(value, "%", "stated in the article's text"))
    for m in DOSES.finditer(claim.quote):
        value = value_of(m.group(1))
        if (value, False) not in listed:
            found.append(ClaimNumber(value, m.group(2).lower(), "stated in the article's text"))
    return tuple(dict.fromkeys(found))


def count_figures(text: str, figure: ClaimFigure) -> list[tuple[float, str]]:
    """(value, how the sentence words it) for each figure of the claim's quantity in one sentence:
    treatments ('six ketamine infusions' for 'sessions'), or a number followed within three words
    by a word of the same quantity ('42 patients' for 'adults'). Years are never counts."""
    kind = figure.quantity
    if kind == "treatments":
        return [(value_of(m.group(1)), in_unit(value_of(m.group(1)), m.group(2).lower()))
                for m in DOSES.finditer(text)]
    wanted = set(unit_words(figure.unit or figure.about))
    out = []
    for m in NUMBER.finditer(text):
        value = value_of(m.group(1))
        if is_year(text, m.start(), value):
            continue
        after = [stem(w) for w in re.findall(r"[a-z]+", text[m.end():m.end() + 40].lower())[:3]]
        same = (kind == "people" and PEOPLE_UNITS & set(after)) or (
            kind.startswith("time:") and any(TIME_UNITS.get(w) == kind[5:] for w in after[:1])) or (
            kind.startswith("other:") and wanted and wanted & set(after))
        if same:
            out.append((value, in_unit(value, figure.unit)))
    return out


def figures_in(sentence: str) -> str:
    """'67% vs 20% after 6 infusions': the percentages and treatment counts of a sentence."""
    percents = [f"{m.group(1)}%" for m in PERCENT.finditer(sentence)][:3]
    doses = [in_unit(value_of(m.group(1)), m.group(2).lower()) for m in DOSES.finditer(sentence)][:2]
    head = " vs ".join(percents)
    return " ".join(x for x in (head, ("after " + " and ".join(doses)) if doses else "") if x)


def claimed_figures(claim: Claim) -> str:
    """'87% after 3 sessions': the claim's figures read together."""
    figures = claim_figures(claim)
    percents = [f.shown for f in figures if f.quantity == "percent"]
    doses = [f.shown for f in figures if f.quantity == "treatments"]
    return " ".join(x for x in (" or ".join(percents), ("after " + " to ".join(doses)) if doses else "") if x)
