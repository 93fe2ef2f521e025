"""The relevance gate: does a record test the claim? Pure.

A record is evidence only when it studies the claim's intervention or exposure (a phrase of
`intervention:`, its MeSH headings or a known abbreviation) AND the claim's outcome or its family.
Who was studied is recorded, not required: the same population, another one, or animals and cells.

Phrases are matched as phrases, in the title, abstract or MeSH, with the morphology of
`pipeline.phrases` that keeps "fasting" apart from "fast food".
A claim that names no intervention is tested on its own content words too (an outcome alone does
not say what was studied). A comparator ("placebo", "usual care") is never taken for the treatment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.phrases import hits_of, mesh_as_text, phrase_in, phrase_words, spelling, stem, text_positions
from pipeline.rating.terms import other_senses_masked, phrase_variants
from pipeline.types import Claim, Record

# A claim with no intervention tests a record that holds this share of its words
# (the share the relevance score asked of such a claim before the gate).
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

# What a trial compares a treatment with is never the treatment under test: "placebo" in a
# claim's intervention field would let every placebo-controlled trial of anything through.
_NOT_A_TREATMENT = re.compile(
    r"^(?:(?:a|an|the)\s+)?(?:placebo|sham|dummy|control|controls|usual care|standard care|"
    r"no treatment|nothing|waiting list|wait-?list)(?:\s+(?:group|arm|pill|drink|device|condition))?$",
    re.IGNORECASE)


@dataclass(frozen=True)
class Gate:
    """The gate's decision for one record and one claim, with the words an editor can check."""

    tests_claim: bool
    reason: str  # why it fails: "does not study ashwagandha"; "" when it passes
    population: Population
    population_note: str = ""  # "veterans, not first responders"
    matched: tuple[str, ...] = ()


# --- pure matching ----------------------------------------------------------------------------


@lru_cache(maxsize=2048)
def phrase_forms(phrase: str) -> tuple[str, ...]:
    """The phrase and its known abbreviation or expansion ('PTSD' <-> 'posttraumatic stress disorder')."""
    forms = [phrase]
    for variant in phrase_variants(phrase)[1:]:
        forms.append(" ".join(variant))
    return tuple(dict.fromkeys(forms))


def concept_terms(claim: Claim, concept: str) -> tuple[str, ...]:
    """The claim's phrases for a concept with the editor's MeSH headings for it."""
    terms = [*getattr(claim, concept), *claim.mesh_for(concept), *map(mesh_as_text, claim.mesh_for(concept))]
    return tuple(t for t in dict.fromkeys(terms) if phrase_words(t))


def outcome_family(outcome: str) -> tuple[str, ...]:
    """The members of every family the outcome phrase belongs to (a family member in it)."""
    own = {tuple(phrase_words(outcome))}
    doc = text_positions(outcome.lower())
    out: list[str] = []
    for family in OUTCOME_FAMILIES:
        if any(tuple(phrase_words(m)) in own or phrase_in(m, doc) for m in family):
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
    intervention = tuple(t for t in concept_terms(claim, "intervention") if not _NOT_A_TREATMENT.match(t))
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
            # An outcome is described in many word orders ("risk of dying" for "death risk",
            # "symptoms of depression"): its words anywhere will do; the intervention, which
            # names what was studied, must stand as a phrase.
            hit = next((o for o in outcome if all(hits_of(phrase_words(o), doc))), None)
        if hit is None:
            return Gate(False, f"does not report on {outcome[0]}", population, note, tuple(matched))
        matched.append(hit)
    if not intervention:
        # With no treatment named, an outcome alone says nothing of what was studied ("knee
        # pain" is in trials of every treatment): the record must also hold the claim's own
        # words, each in any of its forms: a claim's verbs ("reduced") say how,
        # not what, so they are not held to the form the claim happens to use.
        # The outcome was tested above: what is left of the claim names what was studied.
        named = {w for t in (*outcome, *concept_terms(claim, "comparator")) for w in phrase_words(t)}
        words = list(dict.fromkeys(phrase_words(claim.text)))
        words = [w for w in words if w not in named] or words
        keys = [stem(spelling(w)) for w in words]
        hits = [doc.get(k, ()) or doc.get(f"v:{k}", ()) for k in keys]
        share = sum(1 for h in hits if h) / len(words) if words else 0.0
        if share < TEXT_SHARE:
            return Gate(False, "does not share half of the claim's words", population, note)
        matched.extend(w for w, h in zip(words, hits) if h)
    return Gate(True, "", population, note, tuple(matched))
