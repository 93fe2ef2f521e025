"""Sources a sentence names: journal and year, people with their institutions, outlets.

"a 2021 study published in the Journal of Traumatic Stress", "(Source: Psychology Today)",
"Dr. X, founder of Y, explains:", "according to the Z Foundation". Pure functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.draft import lexicon as lx
from pipeline.draft.figures import YEAR
from pipeline.types import Citation

_TITLE_RUN = r"[A-Z][\w&'\u2019-]*(?:\s+(?:(?:of|and|the|for|in|on|&)\s+)*[A-Z][\w&'\u2019-]*)*"
_JOURNAL_WORD = re.compile(r"\b(?:Journal|Reviews?|Medicine|Research|Sciences?|Reports|Letters|Annals|Archives|"
                           r"Proceedings|Bulletin|Lancet|JAMA|BMJ|NEJM|Nature|Cell|Psychiatry|Neurology|"
                           r"Pediatrics|Nutrition|Care|Therapeutics|Pharmacology|\w+ology)\b")
_JOURNAL_PATTERNS = (
    re.compile(rf"\b((?:Journal|Annals|Archives|Proceedings|Bulletin)\s+of\s+(?:the\s+)?{_TITLE_RUN})"),
    re.compile(rf"\b(?:published|appeared|appearing|reported|printed)\s+(?:online\s+)?in\s+(?:the\s+)?(?:journal\s+)?({_TITLE_RUN})"),
    re.compile(rf"\b(?:study|trial|review|paper|analysis|meta-analysis|report|article)\s+in\s+(?:the\s+)?(?:journal\s+)?({_TITLE_RUN})"),
    re.compile(r"\b((?:The\s+)?Lancet(?:\s+[A-Z]\w+)*|JAMA(?:\s+[A-Z]\w+)*|BMJ|NEJM|New\s+England\s+Journal\s+of\s+Medicine|"
               r"PLOS\s+ONE|Cochrane\s+Database\s+of\s+Systematic\s+Reviews)\b"),
)
_SOURCE_TAG = re.compile(r"\(\s*Source:\s*([^)]+?)\s*\)", re.IGNORECASE)
_ACCORDING = re.compile(rf"\baccording\s+to\s+(?:the\s+|a\s+)?({_TITLE_RUN})")
_HONORIFIC = r"(?:Dr\.|Doctor|Professor|Prof\.)"
_PERSON = re.compile(rf"\b({_HONORIFIC}\s+[A-Z][\w'\u2019-]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][\w'\u2019-]+){{0,2}})"
                     r"|\b([A-Z][a-z]+(?:\s+[A-Z]\.)?\s+[A-Z][a-z'\u2019-]+)(?=,\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+){0,3}?"
                     r"(?:founder|director|professor|researcher|scientist|author|head|chief|president|lead|"
                     r"physician|doctor|nurse|dietitian|\w+ist)\b)")
_ROLE_AT = re.compile(rf"^,?\s*(?:an?\s+|the\s+)?(?:[\w-]+\s+){{0,3}}?(?:of|at|from)\s+(?:the\s+)?({_TITLE_RUN})"
                      rf"|^\s+(?:of|at|from)\s+(?:the\s+)?({_TITLE_RUN})")
# A quotation inside a sentence: '"Most of my patients ...," Whitfield says.'
QUOTED_WORDS = re.compile(r"[\"\u201c]([^\"\u201d]{15,})[\"\u201d]")
_SURNAME_SAYS = re.compile(r"\b([A-Z][a-z'\u2019-]+)\s+(?:says|said|explains|explained|adds|added|notes|noted|warns|told)\b"
                           r"|\b(?:says|said|explains|explained|adds|added|notes|noted|warns)\s+([A-Z][a-z'\u2019-]+)\b")


@dataclass(frozen=True)
class Person:
    name: str  # "Dr. Steven Levine"
    affiliation: str | None = None  # "Actify Neurotherapies"

    @property
    def surname(self) -> str:
        return self.name.split()[-1]


def find_people(text: str) -> tuple[Person, ...]:
    """Named people with their institution: 'Dr. X, founder of Y', 'Professor X of Y'."""
    people: list[Person] = []
    for m in _PERSON.finditer(text):
        name = m.group(1) or m.group(2)
        role = _ROLE_AT.match(text[m.end():])
        affiliation = (role.group(1) or role.group(2)) if role else None
        if name not in (p.name for p in people):
            people.append(Person(name, affiliation))
    return tuple(people)


def speaker_of(text: str, known: tuple[Person, ...]) -> Person | None:
    """Who a sentence or lead-in attributes its words to: a full name, or a surname seen before."""
    found = find_people(text)
    if found:
        return found[0]
    for m in _SURNAME_SAYS.finditer(text):
        surname = m.group(1) or m.group(2)
        for person in known:
            if person.surname == surname:
                return person
    return None


def find_journal(text: str) -> str | None:
    for i, pattern in enumerate(_JOURNAL_PATTERNS):
        for m in pattern.finditer(text):
            name = m.group(1).strip()
            if i in (0, 3) or _JOURNAL_WORD.search(name):
                return name
    return None


def source_tag(text: str) -> str | None:
    """'(Source: Psychology Today)' -> 'Psychology Today'."""
    m = _SOURCE_TAG.search(text)
    return m.group(1) if m else None


def find_cites(text: str, speaker: Person | None = None, source: str | None = None) -> tuple[Citation, ...]:
    """Sources a sentence names: journal and year, people and their institutions, outlets."""
    cites: list[Citation] = []
    journal = find_journal(text)
    year = YEAR.search(text) if (journal or lx.STUDY.search(text)) else None
    if journal or year:
        cites.append(Citation(journal=journal, year=int(year.group(1)) if year else None))
    people = list(find_people(text))
    if speaker and speaker.name not in (p.name for p in people):
        people.insert(0, speaker)
    for person in people:
        cites.append(Citation(person=person.name, outlet=person.affiliation))
    according = _ACCORDING.search(text)
    if according and not any(according.group(1) in p.name for p in people) and not _PERSON.match(according.group(1)):
        cites.append(Citation(outlet=according.group(1)))
    for outlet in (source_tag(text), source):
        if outlet and all(c.outlet != outlet for c in cites):
            cites.append(Citation(outlet=outlet))
    return tuple(cites)
