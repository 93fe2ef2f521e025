"""PICO guesses: the article's topic from its title, and each sentence's population, intervention,
comparator and outcome (with its heading filling a missing population or outcome). Pure functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.draft import lexicon as lx
from pipeline.draft.phrases import NOT_TREATMENT_HEAD, fit_for_pico, trim
from pipeline.draft.tagger import Tagger, load as load_tagger, tag_sentence
from pipeline.draft.treatment_cues import find_outcomes, find_treatments

_LEADING = frozenset("the a an their its your his her our this these that".split())
_PHRASE_STOP = frozenset("and or in for by with from after while when that which who than to as at on over "
                         "their its your his her our "
                         "without within if because so but is are was were be been has have had can may "
                         "might could will would should".split())
_VERB_STEMS = ("reduc", "lower", "improv", "increas", "decreas", "promot", "enhanc", "rais", "boost", "prevent",
               "treat", "reliev", "burn", "reset", "escap", "regain", "protect", "worsen", "impair", "cut", "los")
# A verb and its object ("reduce depressive symptoms"), not an adjective ("this enhanced connectivity").
_OBJECT_VERB = re.compile(r"(?<!\bthis\s)(?<!\bthe\s)(?<!\ban\s)(?<!\ba\s)\b(?:" + "|".join(_VERB_STEMS)
                          + r")(?:e|es|ed|s|ing|t|ting)?\s+", re.IGNORECASE)
_COMPARATOR = re.compile(r"\b(?:unlike|compared\s+(?:with|to)|versus|vs\.?|than|rather\s+than|instead\s+of)\s+"
                         r"(?:(?:those|people|participants|patients|adults|children|women|men)\s+"
                         r"(?:on|given|taking|receiving|who\s+(?:took|received|had|ate|got))\s+)?",  # "than those given a placebo"
                         re.IGNORECASE)
_POPULATION_WITH = re.compile(rf"\b({lx.PEOPLE}|{lx.POPULATION_WORDS})\s+(?:with|who\s+(?:have|take|had|skip)|"
                              r"taking|suffering\s+from)\s+", re.IGNORECASE)
_ABBREVIATION = r"\(([A-Z]{2,6})\)"
_TITLE_SPLIT = re.compile(r"\s+(?:for|and|in|to|vs\.?|versus|with|against|as|may|can|could|helps?|reduces?|"
                          r"improves?|lowers?|battling)\s+|,\s*|\?\s*", re.IGNORECASE)
_GENERIC_HEADS = frozenset("therapy psychotherapy treatment treatments eating care medicine training use".split())
# Lexicon words too vague to stand beside a treatment the sentence names ("drugs" beside "St John's wort").
_VAGUE_TREATMENTS = frozenset("drug drugs medication medications supplement supplements therapy therapies diet "
                              "diets method approach treatment treatments technique intervention".split())
_NOT_A_TREATMENT = re.compile(r"^(?:(?:a|the)\s+)?(?:placebo|sham|control|usual\s+care|nothing|no\s+treatment)\b",
                              re.IGNORECASE)


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


def _lower_words(phrase: str) -> str:
    return " ".join(w if w.isupper() else w.lower() for w in phrase.split())


def article_topic(title: str, body: str) -> Topic:
    """The treatment the title leads with ("Intermittent Fasting for Type 2 Diabetes"), its
    abbreviation in the body ("... (KAP)"), its drug ("ketamine-assisted") and head word ("fasting")."""
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
    return Topic(intervention=intervention, aliases=tuple(aliases))


@dataclass(frozen=True)
class Pico:
    population: tuple[str, ...] = ()
    intervention: tuple[str, ...] = ()
    comparator: tuple[str, ...] = ()
    outcome: tuple[str, ...] = ()


def _unique(items: list[str], exclude: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Each phrase once, trimmed ("average of 4" -> "average"), if fit for a field and not inside one already kept."""
    seen = {e.lower() for e in exclude}
    out: list[str] = []
    for item in map(trim, items):
        key = item.lower()
        if item and fit_for_pico(item) and key not in seen and not any(key in s for s in seen if len(key) < len(s)):
            seen.add(key)
            out.append(item)
    return tuple(out)


def _is_condition(phrase: str) -> bool:
    """A condition or a population ("PTSD", "first responders") is never a learned intervention."""
    return bool(lx.CONDITIONS.fullmatch(phrase) or lx.POPULATIONS.fullmatch(phrase) or NOT_TREATMENT_HEAD.search(phrase))


def _sentence_case(phrase: str, text: str) -> str:
    """A found phrase as it would read mid-sentence: only a sentence-initial capital is lowered
    ("Ashwagandha extract" -> "ashwagandha extract"; "St John's wort", "Lactobacillus rhamnosus" kept)."""
    first, _, rest = phrase.partition(" ")
    if text.startswith(phrase) and not first.isupper() and not (rest[:1].isupper()):
        return first.lower() + (" " + rest if rest else "")
    return phrase


def guess_pico(text: str, topic: Topic, context: str = "", tagger: Tagger | None | bool = True) -> Pico:
    """PICO terms of a sentence; the heading it sits under (`context`) fills a missing population or outcome.
    The learned tagger (True: the installed one; None or False: none) fills an intervention or
    outcome the cue rules left empty."""
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
    named = [t for t in find_treatments(text) if not _NOT_A_TREATMENT.match(t)]
    interventions += [_sentence_case(t, text) for t in named]
    interventions += [_lower_words(m.group(0)) for m in lx.TREATMENTS.finditer(text)]
    if any(i.lower() not in _VAGUE_TREATMENTS for i in interventions):  # "drugs" beside "St John's wort"
        interventions = [i for i in interventions if i.lower() not in _VAGUE_TREATMENTS]
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
    outcomes = find_outcomes(text) or [phrase_at(text, m.end(), 3) for m in _OBJECT_VERB.finditer(text)]
    outcomes += [_lower_words(m.group(0)) for m in lx.CONDITIONS.finditer(text)]
    if not outcomes:
        outcomes = [_lower_words(m.group(0)) for m in lx.CONDITIONS.finditer(context)]
    model = load_tagger() if tagger is True else (tagger or None)
    if model is not None and (not interventions or not outcomes):
        learned = tag_sentence(text, model)
        interventions = interventions or [_sentence_case(t, text) for t in learned["I"] if not _is_condition(t)]
        outcomes = outcomes or learned["O"]
    population = _unique(populations)
    # A placebo or usual care is what a treatment is compared with, wherever a rule found it.
    comparators += [i for i in interventions if _NOT_A_TREATMENT.match(i)]
    interventions = [i for i in interventions if not _NOT_A_TREATMENT.match(i)]
    intervention = _unique(interventions, exclude=tuple(comparators))
    return Pico(
        population=population,
        intervention=intervention,
        comparator=_unique(comparators),
        outcome=_unique([o for o in outcomes if o and o.lower() not in _PHRASE_STOP], exclude=population + intervention),
    )
