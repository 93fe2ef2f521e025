"""Study designs: one table of what each design key means, read by extraction's evaluation,
rating and the report, so a design is named, weighed and grouped the same way everywhere.

The keys are what `nlp/design.py` produces (Finding.design). The table runs down the usual
evidence hierarchy; animal and in-vitro work never establishes a clinical claim.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Design:
    key: str
    label: str  # the report's short label: "RCT", "cohort"
    singular: str  # in a sentence: "1 randomised trial"
    plural: str  # "3 randomised trials"
    weight: float  # evidence weight before sample size
    family: str  # the coarse family extraction is measured on
    clinical: bool = True  # False: animal or laboratory work


DESIGNS: dict[str, Design] = {d.key: d for d in (
    Design("meta_analysis", "meta-analysis", "meta-analysis", "meta-analyses", 1.0, "systematic"),
    Design("systematic_review", "systematic review", "systematic review", "systematic reviews", 1.0, "systematic"),
    Design("rct", "RCT", "randomised trial", "randomised trials", 0.8, "trial"),
    Design("nonrandomized_trial", "non-randomised trial", "non-randomised trial", "non-randomised trials", 0.5,
           "other_trial"),
    Design("cohort", "cohort", "cohort study", "cohort studies", 0.4, "observational"),
    Design("case_control", "case-control", "case-control study", "case-control studies", 0.4, "observational"),
    Design("cross_sectional", "cross-sectional", "cross-sectional study", "cross-sectional studies", 0.3,
           "observational"),
    Design("case_series", "case series", "case series", "case series", 0.15, "case"),
    Design("case_report", "case report", "case report", "case reports", 0.15, "case"),
    Design("genetic_association", "genetic association", "genetic association study",
           "genetic association studies", 0.2, "other"),
    Design("modeling", "modelling", "modelling study", "modelling studies", 0.15, "other"),
    Design("narrative_review", "narrative review", "narrative review", "narrative reviews", 0.1, "other"),
    Design("other", "other", "other study", "other studies", 0.2, "other"),
    Design("animal", "animal", "animal study", "animal studies", 0.05, "preclinical", clinical=False),
    Design("in_vitro", "in vitro", "laboratory (in-vitro) study", "laboratory (in-vitro) studies", 0.05,
           "preclinical", clinical=False),
)}
NONCLINICAL = frozenset(k for k, d in DESIGNS.items() if not d.clinical)


def design_of(key: str | None) -> Design:
    """The table's row for a design key; an unknown or missing key reads as 'other'."""
    return DESIGNS.get(key or "other", DESIGNS["other"])
