"""Field guesses for a drafted claim: numbers with units, cited sources, PICO terms, kind, wording.

Pure functions on sentence text (plus the article's topic terms); nothing here reads files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.draft import lexicon as lx
from pipeline.nlp.numbers import NUMBER_WORDS_RE, find_percentages, find_ranges, parse_number
from pipeline.types import Citation, ClaimNumber

# --- numbers ---------------------------------------------------------------------------------

UNITS = (r"percentage\s+points?|sessions?|weeks?|months?|days?|hours?|years?|minutes?|mg/dl|mmol/l|mg|"
         r"kg|g|lbs?|pounds|ml|times|people|participants|patients|adults|children|women|men|studies|"
         r"trials|doses?|cups?|servings?|steps|calories|kcal|points|fold|nights?")
_NUM = rf"(?:\d+(?:[.,]\d+)*|{NUMBER_WORDS_RE}|half|a\s+third|a\s+quarter)"
# "12 weeks", "4.1 kg", "three KAP sessions" (one word between), "eight-hour window".
_FIGURE = re.compile(rf"(?<![\w.:])(?P<num>{_NUM})(?:\s*-\s*|\s+)(?:(?P<gap>[A-Z][A-Za-z]+|\w+-\w+)\s+)?"
                     rf"(?P<unit>{UNITS})\b", re.IGNORECASE)
_FRACTIONS = {"half": 0.5, "a third": 1 / 3, "a quarter": 0.25}
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
_ABOUT_STOP = frozenset("who that which were was had have has after before in at on for and or than by".split())


def _value(raw: str) -> float | None:
    raw = re.sub(r"\s+", " ", raw.strip().lower())
    return _FRACTIONS.get(raw, parse_number(raw))


def _unit(raw: str) -> str:
    unit = re.sub(r"\s+", " ", raw.lower())
    return unit if unit in ("percentage points", "mg/dl", "mmol/l") or len(unit) <= 2 or unit.endswith("s") else unit + "s"


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
        if any(s <= m.start() < e for s, e in taken) or _YEAR.fullmatch(m.group("num")):
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


# --- cited sources -----------------------------------------------------------------------------

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
    year = _YEAR.search(text) if (journal or lx.STUDY.search(text)) else None
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


# --- PICO ----------------------------------------------------------------------------------------

_LEADING = frozenset("the a an their its your his her our this these that".split())
_PHRASE_STOP = frozenset("and or in for by with from after while when that which who than to as at on over "
                         "their its your his her our "
                         "without within if because so but is are was were be been has have had can may "
                         "might could will would should".split())
_VERB_STEMS = ("reduc", "lower", "improv", "increas", "decreas", "promot", "enhanc", "rais", "boost", "prevent",
               "treat", "reliev", "burn", "reset", "escap", "regain", "protect", "worsen", "impair", "cut", "los")
_OBJECT_VERB = re.compile(r"(?<!\bthis\s)(?<!\bthe\s)(?<!\ban\s)(?<!\ba\s)\b(?:" + "|".join(_VERB_STEMS) + r")(?:e|es|ed|s|ing|t|ting)?\s+", re.IGNORECASE)
_COMPARATOR = re.compile(r"\b(?:unlike|compared\s+(?:with|to)|versus|vs\.?|than|rather\s+than|instead\s+of)\s+",
                         re.IGNORECASE)
_POPULATION_WITH = re.compile(rf"\b({lx.PEOPLE.replace('those|', '')}|{lx.POPULATIONS.pattern[5:-3]})\s+(?:with|who\s+(?:have|take|had|skip)|"
                              r"taking|suffering\s+from)\s+", re.IGNORECASE)
_ABBREVIATION = r"\(([A-Z]{2,6})\)"
_TITLE_SPLIT = re.compile(r"\s+(?:for|and|in|to|vs\.?|versus|with|against|as|may|can|could|helps?|reduces?|"
                          r"improves?|lowers?|battling)\s+|,\s*|\?\s*", re.IGNORECASE)
_GENERIC_HEADS = frozenset("therapy psychotherapy treatment treatments eating care medicine training use".split())


def phrase_at(text: str, start: int, max_words: int = 4) -> str:
    """The noun phrase starting at `start`, cut at punctuation or a function word."""
    out: list[str] = []
    for m in re.finditer(r"[\w'\u2019-]+|[^\w\s]", text[start:]):
        word = m.group(0)
        if not re.match(r"[\w'\u2019-]", word) or word.lower() in _PHRASE_STOP \
                or (out and len(word) > 4 and word.endswith("ed")):  # a verb ends the noun phrase
            break
        if not out and word.lower() in _LEADING:
            continue
        out.append(word)
        if len(out) == max_words:
            break
    return " ".join(out)


@dataclass(frozen=True)
class Topic:
    """What the article is about, from its title and body: the treatment and its other names."""

    intervention: str | None = None  # "ketamine-assisted psychotherapy"
    aliases: tuple[str, ...] = ()  # "KAP", "ketamine"
    population: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()


def _lower_words(phrase: str) -> str:
    return " ".join(w if w.isupper() else w.lower() for w in phrase.split())


def article_topic(title: str, body: str) -> Topic:
    head = title.split(":")[0]
    intervention = None
    for piece in _TITLE_SPLIT.split(head):
        piece = piece.strip()
        if piece and not lx.CONDITIONS.fullmatch(piece) and not lx.POPULATIONS.fullmatch(piece) \
                and not re.match(r"(?:what|how|why|can|does|is|are|the)\b", piece, re.IGNORECASE):
            intervention = _lower_words(piece)
            break
    aliases: list[str] = []
    if intervention:
        words_ = intervention.split()
        m = re.search(re.escape(intervention) + r"\s*" + _ABBREVIATION, body, re.IGNORECASE)
        if m:
            aliases.append(m.group(1))
        assisted = re.match(r"([\w]+)-assisted\b", intervention)
        if assisted:
            aliases.append(assisted.group(1))
        if len(words_) > 1 and words_[-1] not in _GENERIC_HEADS:
            aliases.append(words_[-1])
    return Topic(
        intervention=intervention,
        aliases=tuple(aliases),
        population=tuple(dict.fromkeys(_lower_words(m.group(0)) for m in lx.POPULATIONS.finditer(title))),
        outcomes=tuple(dict.fromkeys(_lower_words(m.group(0)) for m in lx.CONDITIONS.finditer(title))),
    )


@dataclass(frozen=True)
class Pico:
    population: tuple[str, ...] = ()
    intervention: tuple[str, ...] = ()
    comparator: tuple[str, ...] = ()
    outcome: tuple[str, ...] = ()


def _unique(items: list[str], exclude: tuple[str, ...] = ()) -> tuple[str, ...]:
    seen = {e.lower() for e in exclude}
    out: list[str] = []
    for item in items:
        key = item.lower()
        if item and key not in seen and not any(key in s for s in seen if len(key) < len(s)):
            seen.add(key)
            out.append(item)
    return tuple(out)


def guess_pico(text: str, topic: Topic, context: str = "") -> Pico:
    """PICO terms of a sentence; the heading it sits under (`context`) fills a missing population or outcome."""
    comparators = [phrase_at(text, m.end()) for m in _COMPARATOR.finditer(text)]
    comparators = [c for c in comparators if c and not re.fullmatch(r"[\d.]+|ever|before|usual|expected|others?", c, re.I)]
    interventions: list[str] = []
    if topic.intervention and re.search(re.escape(topic.intervention), text, re.IGNORECASE):
        interventions.append(topic.intervention)
    for alias in topic.aliases:
        if re.search(rf"\b{re.escape(alias)}\b", text, re.IGNORECASE if not alias.isupper() else 0):
            interventions.append(topic.intervention if alias.isupper() and topic.intervention else alias.lower())
    if not interventions and topic.intervention and lx.TREATMENT_ANAPHOR.match(text):  # "This method ..."
        interventions.append(topic.intervention)
    interventions += [_lower_words(m.group(0)) for m in lx.TREATMENTS.finditer(text)]
    populations: list[str] = []
    for m in _POPULATION_WITH.finditer(text):
        condition = phrase_at(text, m.end(), 5)
        group = m.group(1).lower()
        if not condition or condition.lower() in ("not", "no"):
            continue
        populations.append(condition if group in ("patients", "people", "individuals", "participants")
                           else f"{group} {text[m.end(1):m.end()].strip()} {condition}")
    populations += [_lower_words(m.group(0)) for m in lx.POPULATIONS.finditer(text)]
    if not populations:
        populations = [_lower_words(m.group(0)) for m in lx.POPULATIONS.finditer(context)]
    outcomes = [phrase_at(text, m.end(), 3) for m in _OBJECT_VERB.finditer(text)]
    outcomes += [_lower_words(m.group(0)) for m in lx.CONDITIONS.finditer(text)]
    if not outcomes:
        outcomes = [_lower_words(m.group(0)) for m in lx.CONDITIONS.finditer(context)]
    population = _unique(populations)
    intervention = _unique(interventions, exclude=tuple(comparators))
    return Pico(
        population=population,
        intervention=intervention,
        comparator=_unique(comparators),
        outcome=_unique([o for o in outcomes if o and o.lower() not in _PHRASE_STOP], exclude=population + intervention),
    )


# --- kind and wording ----------------------------------------------------------------------------


def guess_kind(text: str, numbers: tuple[ClaimNumber, ...], cites: tuple[Citation, ...], pico: Pico,
               quoted: bool) -> str:
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
QUOTED_WORDS = re.compile(r"[\"\u201c]([^\"\u201d]{15,})[\"\u201d]")
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
