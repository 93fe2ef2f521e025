"""A drafted claim's kind and its first wording. Pure functions."""

from __future__ import annotations

import re

from pipeline.draft import lexicon as lx
from pipeline.draft.cites import QUOTED_WORDS
from pipeline.draft.pico import Pico
from pipeline.types import Citation, ClaimNumber


def guess_kind(text: str, numbers: tuple[ClaimNumber, ...], cites: tuple[Citation, ...], pico: Pico,
               quoted: bool) -> str:
    """The first kind that fits, most specific first: quote, safety, statistic, citation, mechanism,
    efficacy, population, else background."""
    if quoted and any(c.person for c in cites):
        return "quote"
    if lx.SAFETY.search(text):
        return "safety"
    if numbers and (any(n.unit in ("%", "percentage points") for n in numbers) or lx.STUDY.search(text)):
        return "statistic"
    if any(c.journal or c.year for c in cites):
        return "citation"
    if lx.MECHANISM.search(text) and lx.EFFECT.search(text) and not re.search(lx.PEOPLE, text, re.IGNORECASE):
        return "mechanism"
    if (lx.EFFECT.search(text) or lx.EFFICACY.search(text)) and pico.intervention:
        return "efficacy"
    if pico.population and (lx.CONDITIONS.search(text) or lx.CONDITION_VERB.search(text)):
        return "population"
    return "background"


_DISCOURSE = re.compile(r"^(?:typically|for\s+many|over\s+time|however|in\s+fact|moreover|also|honestly|"
                        r"indeed|in\s+addition|today|still|yet|now|importantly),\s+", re.IGNORECASE)
_DEMONSTRATIVE = re.compile(r"^(?:this|that|it)(?:\s+(?:method|treatment|approach|therapy|technique|drug|"
                            r"intervention|diet|plan|practice))?\s+(?=[a-z])", re.IGNORECASE)
# "In a 2021 study published in J, researchers found that X" -> "A 2021 study published in J found that X"
_STUDY_FOUND = re.compile(r"^In (an?|the) ((?:\d{4}\s+)?(?:[\w-]+\s+)?(?:study|trial|review|meta-analysis|analysis|survey)"
                          r"\b[^,]*), (?:the\s+)?(?:researchers|scientists|investigators|authors)\s+"
                          r"(found|reported|showed|concluded)\s+(?:that\s+)?", re.IGNORECASE)
_ACCORDING_LEAD = re.compile(r"^According to ([^,]+), (.+?)\.?$", re.IGNORECASE)


def reword(text: str, kind: str, pico: Pico, cites: tuple[Citation, ...]) -> str:
    """A first wording of the checkable statement; the editor sharpens it."""
    claim = _DISCOURSE.sub("", text.strip().strip('"\u201c\u201d').strip())
    claim = _STUDY_FOUND.sub(lambda m: f"{m.group(1).capitalize()} {m.group(2)} {m.group(3)} that ", claim)
    claim = _ACCORDING_LEAD.sub(lambda m: f"{m.group(2)} (according to {m.group(1)}).", claim)
    if pico.intervention and _DEMONSTRATIVE.match(claim):
        claim = _DEMONSTRATIVE.sub(pico.intervention[0] + " ", claim, count=1)
    claim = claim[:1].upper() + claim[1:]
    if not claim.endswith((".", "!", "?")):
        claim = claim.rstrip(",;:") + "."
    if kind == "quote":
        spoken = [run.strip().rstrip(",") for run in QUOTED_WORDS.findall(text)]
        if spoken:  # '"X," Whitfield says.' -> the words said, without the attribution
            claim = " ".join(spoken)
            claim = claim if claim.endswith((".", "!", "?")) else claim + "."
        person = next(c for c in cites if c.person)
        who = person.person + (f" ({person.outlet})" if person.outlet else "")
        reported = next((c.outlet for c in cites if c.outlet and not c.person), None)
        return f"{who} said, as reported by {reported}: {claim}" if reported else f"{who} said: {claim}"
    return claim
