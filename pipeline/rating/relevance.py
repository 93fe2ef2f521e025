"""The relevance gate: does a record test the claim? Pure.

A record is evidence only when it studies the claim's intervention or exposure (a phrase of
`intervention:`, its MeSH headings or a known abbreviation) AND the claim's outcome or its family.
Who was studied is recorded, not required: the same population, another one, or animals and cells.

Phrases are matched as phrases: their words within a few words of each other, in the title,
abstract or MeSH. Morphology keeps concepts apart: an -ing or -ed form of the claim ("fasting",
"weighted") matches only -ing and -ed forms in the record ("fasted"), never the bare word ("fast
food", "weight"); a bare word of the claim ("exercise") matches its inflected forms too.
A claim that names neither an intervention nor an outcome is tested on its own content words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.rating.terms import STOPWORDS, other_senses_masked, phrase_variants, stem
from pipeline.types import Claim, Record

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
# Words of a phrase may stand this many words further apart than the phrase itself
# ("fasting on alternate days" for "alternate-day fasting").
SLACK = 3
# A long phrase (a drafted clause, "severity of depressive symptoms in adolescents") matches on
# this share of its content words, anywhere in the record.
LONG_PHRASE = 4
LONG_SHARE = 2 / 3
# A claim with no intervention and no outcome tests a record that holds this share of its words.
TEXT_SHARE = 0.5

# Outcome families: an outcome counts as reported when the record reports a member of its family
# (a trial of "weight" reports "body mass index"; one of "death" reports "mortality").
OUTCOME_FAMILIES: tuple[tuple[str, ...], ...] = (
    ("mortality", "death", "survival", "died"),
    ("weight", "body mass index", "bmi", "obesity", "adiposity", "body fat", "waist circumference"),
    ("blood pressure", "hypertension", "systolic", "diastolic"),
    ("blood glucose", "glycemic control", "glycaemic control", "hba1c", "insulin resistance", "diabetes"),
    ("cholesterol", "ldl", "hdl", "lipids", "triglycerides"),
    ("depression", "depressive symptoms", "depressive disorder", "mood"),
    ("anxiety", "anxious"),
    ("sleep", "insomnia", "sleep quality", "sleep onset", "sleep duration"),
    ("pain", "analgesia", "ache"),
    ("cognition", "cognitive function", "memory", "dementia", "cognitive decline"),
    ("infection", "infections", "illness", "incidence"),
    ("cardiovascular disease", "heart disease", "myocardial infarction", "stroke", "cardiovascular events"),
    ("cancer", "tumor", "tumour", "carcinoma", "neoplasm"),
)

Population = str  # same | other | animal | unknown


@dataclass(frozen=True)
class Gate:
    """The gate's decision for one record and one claim, with the words an editor can check."""

    tests_claim: bool
    reason: str  # why it fails: "does not study ashwagandha"; "" when it passes
    population: Population
    population_note: str = ""  # "veterans, not first responders"
    matched: tuple[str, ...] = ()


# --- pure matching ----------------------------------------------------------------------------


def _is_inflected(word: str) -> bool:
    return len(word) > 5 and word.endswith(("ing", "ed"))


def word_key(word: str) -> str:
    """The key a record's word is indexed under: 'v:' marks an -ing or -ed form."""
    key = stem(word)
    return f"v:{key}" if _is_inflected(word) else key


def wanted_keys(word: str) -> frozenset[str]:
    """Keys a claim's word accepts: an -ing/-ed form only -ing/-ed forms; a bare word any form."""
    key = stem(word)
    return frozenset({f"v:{key}"}) if _is_inflected(word) else frozenset({key, f"v:{key}"})


@lru_cache(maxsize=4096)
def text_positions(text: str) -> dict[str, tuple[int, ...]]:
    """Key -> word positions in `text` (lower-cased; hyphenated words split, and joined at the
    first part's position so 'post-traumatic' meets 'posttraumatic')."""
    positions: dict[str, list[int]] = {}
    words: list[str] = []
    for raw in re.findall(r"[a-z0-9]+(?:[-'\u2010\u2011][a-z0-9]+)*", text.lower()):
        parts = [p for p in re.split(r"[-\u2010\u2011]", raw.replace("'", "")) if p]
        if len(parts) > 1:
            positions.setdefault(word_key("".join(parts)), []).append(len(words))
        words.extend(parts)
    for i, word in enumerate(words):
        positions.setdefault(word_key(word), []).append(i)
    for i, (left, right) in enumerate(zip(words, words[1:])):
        positions.setdefault(word_key(left + right), []).append(i)
    return {k: tuple(v) for k, v in positions.items()}


def _phrase_words(phrase: str) -> list[str]:
    """Content words of a phrase, hyphens split ('alternate-day fasting' -> alternate, day, fasting)."""
    words = []
    for raw in _WORD.findall(phrase.lower().replace("-", " ").replace("\u2010", " ")):
        if raw not in STOPWORDS and not raw.isdigit():
            words.append(raw)
    return words


def _hits(words: list[str], doc: dict[str, tuple[int, ...]]) -> list[tuple[int, ...]]:
    return [tuple(sorted({p for k in wanted_keys(w) for p in doc.get(k, ())})) for w in words]


def phrase_in(phrase: str, doc: dict[str, tuple[int, ...]]) -> bool:
    """The phrase's words near each other in `doc` (a long phrase: most of its words anywhere)."""
    words = _phrase_words(phrase)
    if not words:
        return False
    hits = _hits(words, doc)
    if len(words) >= LONG_PHRASE:
        return sum(1 for h in hits if h) / len(words) >= LONG_SHARE
    if not all(hits):
        return False
    span = len(words) - 1 + SLACK
    return any(all(any(abs(p - start) <= span for p in h) for h in hits[1:]) for start in hits[0])


@lru_cache(maxsize=2048)
def phrase_forms(phrase: str) -> tuple[str, ...]:
    """The phrase and its known abbreviation or expansion ('PTSD' <-> 'posttraumatic stress disorder')."""
    forms = [phrase]
    for variant in phrase_variants(phrase)[1:]:
        forms.append(" ".join(variant))
    return tuple(dict.fromkeys(forms))


def _mesh_as_text(heading: str) -> str:
    """'Depressive Disorder, Treatment-Resistant' -> 'Treatment-Resistant Depressive Disorder'."""
    parts = [p.strip() for p in heading.split(",")]
    return " ".join(reversed(parts)) if len(parts) == 2 else heading


def concept_terms(claim: Claim, concept: str) -> tuple[str, ...]:
    """The claim's phrases for a concept with the editor's MeSH headings for it."""
    terms = [*getattr(claim, concept), *claim.mesh_for(concept), *map(_mesh_as_text, claim.mesh_for(concept))]
    return tuple(t for t in dict.fromkeys(terms) if _phrase_words(t))


def outcome_family(outcome: str) -> tuple[str, ...]:
    """The members of every family the outcome phrase belongs to (a family member in it)."""
    own = {tuple(_phrase_words(outcome))}
    doc = text_positions(outcome.lower())
    out: list[str] = []
    for family in OUTCOME_FAMILIES:
        if any(tuple(_phrase_words(m)) in own or phrase_in(m, doc) for m in family):
            out.extend(family)
    return tuple(out)


def first_match(terms: tuple[str, ...], doc: dict[str, tuple[int, ...]]) -> str | None:
    """The first term (or its abbreviation or expansion) found as a phrase in `doc`."""
    for term in terms:
        if any(phrase_in(form, doc) for form in phrase_forms(term)):
            return term
    return None


# --- the gate ----------------------------------------------------------------------------------


def record_text(record: Record) -> str:
    """What the gate reads: title, abstract and MeSH, with other senses of outcome words blanked
    ("respiratory depression" is not depression)."""
    return other_senses_masked("\n".join([record.title, record.abstract, " ; ".join(record.mesh)]))


def _population(claim: Claim, doc: dict[str, tuple[int, ...]], nonclinical: bool,
                other: str | None) -> tuple[Population, str]:
    if nonclinical:
        return "animal", "animals or cells"
    wanted = concept_terms(claim, "population")
    if not wanted:
        return "same", ""
    if first_match(wanted, doc):
        return "same", ""
    if other:
        return "other", f"{other}, not {wanted[0]}"
    return "unknown", f"it does not say it studied {wanted[0]}"


def gate(claim: Claim, record: Record, nonclinical: bool = False, other_population: str | None = None) -> Gate:
    """Whether `record` tests `claim`: its intervention/exposure and its outcome (or family).

    `nonclinical` (an animal or laboratory study) and `other_population` (a population the record
    names instead of the claim's) come from the caller, which has read the record already.
    """
    doc = text_positions(record_text(record))
    population, note = _population(claim, doc, nonclinical, other_population)
    intervention = concept_terms(claim, "intervention")
    outcome = concept_terms(claim, "outcome")
    matched: list[str] = []
    if intervention:
        hit = first_match(intervention, doc)
        if hit is None:
            return Gate(False, f"does not study {intervention[0]}", population, note)
        matched.append(hit)
    if outcome:
        hit = first_match(outcome, doc)
        if hit is None:
            family = tuple(m for o in outcome for m in outcome_family(o))
            hit = first_match(family, doc)
        if hit is None:
            return Gate(False, f"does not report on {outcome[0]}", population, note, tuple(matched))
        matched.append(hit)
    if not intervention and not outcome:
        words = list(dict.fromkeys(_phrase_words(claim.text)))
        hits = _hits(words, doc)
        share = sum(1 for h in hits if h) / len(words) if words else 0.0
        if share < TEXT_SHARE:
            return Gate(False, f"shares {round(share * 100)}% of the claim's words", population, note)
        matched.extend(w for w, h in zip(words, hits) if h)
    return Gate(True, "", population, note, tuple(matched))
