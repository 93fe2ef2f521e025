"""Pure per-source assessment: relevance, the relevance gate, stance and evidence weight of one
record for one claim. A record that fails the gate takes no side and weighs nothing."""

from __future__ import annotations

import math
from dataclasses import dataclass

from pipeline.rating.reading import PairReading, read_pair
from pipeline.designs import NONCLINICAL, design_of
from pipeline.rating.relevance import Gate, gate
from pipeline.rating.terms import Relevance, other_population, record_text, relevance
from pipeline.types import Claim, Finding, Record, SourceAssessment

# Notices that withdraw a work (PubMed CommentsCorrections RefTypes, Crossref updated-by types).
RETRACTION_NOTICES = ("RetractionIn", "RetractedandRepublishedIn", "PartialRetractionIn", "retraction",
                      "partial_retraction", "withdrawal", "removal")
# Citation checks read a source below this relevance score as off the claim's topic; whether a
# source counts as evidence is the relevance gate's decision (tests_claim), not this score.
RELEVANT = 0.5
UNKNOWN_SIZE_FACTOR = 0.6
SIZE_FLOOR = 0.3



def is_retracted(record: Record) -> bool:
    """Retracted by its publication type or by any retraction notice: it counts for nothing."""
    return record.retracted or any(n.kind in RETRACTION_NOTICES for n in record.notices)


def counts_as_relevant(record: Record, assessment: SourceAssessment) -> bool:
    """Tests the claim (it passed the relevance gate) and not retracted: the sources a verdict
    and the checks weigh."""
    return not is_retracted(record) and assessment.tests_claim


def design_name(design: str, count: int = 1) -> str:
    row = design_of(design)
    singular, plural = row.singular, row.plural
    return singular if count == 1 else plural


def effective_design(record: Record, finding: Finding) -> str:
    """The design, with animal work recognised from the finding's `humans` flag or MeSH."""
    design = design_of(finding.design).key
    if design in NONCLINICAL:
        return design
    mesh = {m.lower() for m in record.mesh}
    if finding.humans is False or ("animals" in mesh and "humans" not in mesh):
        return "animal"
    return design


def size_factor(finding: Finding, design: str) -> float:
    """log10(n)/3 capped at 1 with a floor; meta-analyses by their number of studies."""
    if finding.sample_size and finding.sample_size > 0:
        return max(SIZE_FLOOR, min(1.0, math.log10(finding.sample_size) / 3.0))
    if design in ("meta_analysis", "systematic_review") and finding.n_studies:
        return max(SIZE_FLOOR, min(1.0, 0.5 + finding.n_studies / 20))
    return UNKNOWN_SIZE_FACTOR


@dataclass(frozen=True)
class Rated:
    """A SourceAssessment with what the verdict needs beside it."""

    assessment: SourceAssessment
    record: Record
    finding: Finding
    design: str
    relevance: Relevance
    gate: Gate | None = None
    reading: PairReading | None = None  # the stance encoder's reading (None when retracted)

    @classmethod
    def seen(cls, record: Record, finding: Finding, assessment: SourceAssessment) -> Rated:
        """A rated source rebuilt from its assessment alone (what the checks read), not rated again."""
        relevance = Relevance(assessment.relevance, assessment.matched_terms, (), (), ())
        return cls(assessment, record, finding, effective_design(record, finding), relevance)

    @property
    def relevant(self) -> bool:
        return counts_as_relevant(self.record, self.assessment)

    @property
    def clinical(self) -> bool:
        return self.design not in NONCLINICAL

    @property
    def population_mismatch(self) -> bool:
        return any(s.startswith(("population mismatch", "population not mentioned"))
                   for s in self.assessment.signals)

    @property
    def direct(self) -> bool:
        """Tests the claim in the claim's own population, in people."""
        return self.relevant and self.clinical and self.assessment.population == "same"

    @property
    def n_label(self) -> str:
        if self.finding.sample_size:
            return f"n={self.finding.sample_size}"
        if self.finding.n_studies:
            return f"{self.finding.n_studies} studies"
        return "n unknown"


def rate_source(claim: Claim, record: Record, finding: Finding) -> Rated:
    """Relevance, the gate, stance, weight, rationale and signals of one source."""
    rel = relevance(claim, record)
    design = effective_design(record, finding)
    passed = gate(claim, record, nonclinical=design in NONCLINICAL,
                  other_population=other_population(record_text(record)))
    base = design_of(design).weight
    weight = round(base * size_factor(finding, design) * rel.score, 4) if passed.tests_claim else 0.0
    signals = list(rel.signals)
    reasons: list[str] = []
    if not passed.tests_claim:
        signals.append(f"not about this claim: {passed.reason}")
    if design == "animal":
        signals.append("animal study")
        reasons.append("It is an animal study, which cannot establish a clinical claim.")
    elif design == "in_vitro":
        signals.append("in-vitro study")
        reasons.append("It is a laboratory (in-vitro) study, which cannot establish a clinical claim.")
    gate_fields = {"tests_claim": passed.tests_claim, "gate_reason": passed.reason, "population": passed.population}
    if is_retracted(record):
        sa = SourceAssessment(
            record.id, rel.score, "neutral", 0.0, (), ("retracted — counts for nothing",),
            ("retracted", *signals), rel.matched_terms, **gate_fields)
        return Rated(sa, record, finding, design, rel, passed)
    st = read_pair(claim, record, finding, relevant=passed.tests_claim)  # the relevance gate decides
    signals.extend(st.signals)
    n_text = f" (n={finding.sample_size})" if finding.sample_size else ""
    reasons.insert(0, f"{design_name(design).capitalize()}{n_text}, relevance {rel.score:.2f}.")
    if not passed.tests_claim:
        reasons.insert(1, f"Not about this claim: it {passed.reason}; it weighs nothing.")
    reasons.extend(rel.reasons)
    reasons.extend(st.reasons)
    sa = SourceAssessment(record.id, rel.score, st.stance, weight, st.rationale,
                          tuple(reasons), tuple(dict.fromkeys(signals)), rel.matched_terms, **gate_fields)
    return Rated(sa, record, finding, design, rel, passed, st)
