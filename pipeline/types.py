"""The frozen dataclasses that flow between the stages of a run.

claims.load() -> Claim; sources.* -> Record; nlp.extraction.extract() -> Finding;
rating.assess() -> Assessment; report.render() writes them out.
Tuples, not lists, so every value is hashable and cannot be changed by a later stage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Verdict = Literal[
    "supported", "partly_supported", "mixed", "not_supported", "contradicted", "unverifiable"
]
VERDICTS: tuple[Verdict, ...] = (
    "supported", "partly_supported", "mixed", "not_supported", "contradicted", "unverifiable",
)
Stance = Literal["supports", "contradicts", "neutral"]


# --- claims -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Article:
    """The article whose claims are checked (the top of claims.yaml)."""

    title: str
    url: str | None = None
    checked: str | None = None  # ISO date the editor checked it
    file: str | None = None  # local copy of the article text, for quote verification

    @property
    def slug(self) -> str:
        from pipeline.text import slugify

        return slugify(self.title)


@dataclass(frozen=True)
class ClaimNumber:
    """A figure a claim asserts, e.g. 87 % of participants, 3 sessions."""

    value: float
    unit: str = ""  # "%", "sessions", "participants", "weeks", "year" ...
    about: str = ""  # what the number counts, in the editor's words


@dataclass(frozen=True)
class Citation:
    """A source the article names for a claim (journal, outlet, person ...)."""

    journal: str | None = None
    year: int | None = None
    outlet: str | None = None
    person: str | None = None
    title: str | None = None
    authors: tuple[str, ...] = ()
    doi: str | None = None
    pmid: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Claim:
    """One checkable claim of the article, as the editor wrote it in claims.yaml."""

    id: str
    text: str  # the checkable statement in plain words ("claim:" in YAML)
    quote: str  # verbatim from the article
    kind: str  # efficacy, mechanism, statistic, citation, quote, background, ...
    population: tuple[str, ...] = ()
    intervention: tuple[str, ...] = ()
    comparator: tuple[str, ...] = ()
    outcome: tuple[str, ...] = ()
    numbers: tuple[ClaimNumber, ...] = ()
    cites: tuple[Citation, ...] = ()
    queries: tuple[str, ...] = ()  # PubMed-syntax overrides of the built query
    mesh: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (concept, MeSH headings)
    line: int = 0  # line of the claim in claims.yaml, for messages

    def mesh_for(self, concept: str) -> tuple[str, ...]:
        return dict(self.mesh).get(concept, ())


@dataclass(frozen=True)
class ClaimsFile:
    article: Article
    claims: tuple[Claim, ...]
    path: str


# --- queries -----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryArm:
    """One concept of a query: its MeSH headings OR its free-text phrases."""

    concept: str  # population / intervention / outcome / comparator / citation
    mesh: tuple[str, ...] = ()
    free_text: tuple[str, ...] = ()


@dataclass(frozen=True)
class Query:
    """A search for one claim: arms ANDed together, plus filters.

    `raw` holds an editor's PubMed-syntax override; when set it is the query.
    Every source renders the same object its own way (PubMed syntax, FTS5 ...).
    """

    claim_id: str
    arms: tuple[QueryArm, ...] = ()
    filters: tuple[str, ...] = ()  # PubMed filters, e.g. "humans[mh]"
    raw: str | None = None
    purpose: str = "evidence"  # evidence | citation | broad


# --- sources -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """A correction link of a record: retraction, erratum, expression of concern."""

    kind: str  # RetractionIn, ExpressionOfConcernIn, ErratumIn, RetractionOf, ...
    pmid: str | None = None
    ref: str = ""  # the citation text of the notice (RefSource)
    doi: str | None = None  # the notice's DOI (Crossref updated-by)
    origin: str = ""  # who reported it: pubmed, europepmc, publisher, retraction-watch

    @property
    def link(self) -> str | None:
        if self.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        return f"https://doi.org/{self.doi}" if self.doi else None


@dataclass(frozen=True)
class Record:
    """A bibliographic record with its abstract, from any source."""

    source: str  # pubmed | europepmc | local
    id: str  # unique within the run: "pmid:123", "doc:4983", ...
    title: str
    sections: tuple[tuple[str, str], ...] = ()  # (label, text); label "" when unstructured
    pmid: str | None = None
    doi: str | None = None
    journal: str | None = None
    journal_abbrev: str | None = None
    year: int | None = None
    pub_types: tuple[str, ...] = ()
    mesh: tuple[str, ...] = ()
    retracted: bool = False
    notices: tuple[Notice, ...] = ()
    url: str | None = None
    authors: tuple[str, ...] = ()

    @property
    def abstract(self) -> str:
        """The abstract as one string; Finding spans are offsets into it."""
        return "\n".join(text for _, text in self.sections)

    @property
    def link(self) -> str | None:
        if self.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        if self.doi:
            return f"https://doi.org/{self.doi}"
        return self.url


@dataclass(frozen=True)
class SearchResult:
    """What one query returned from one source."""

    query: Query
    term: str  # the query as the source saw it
    source: str
    ids: tuple[str, ...]
    count: int
    from_cache: bool = False
    notes: tuple[str, ...] = ()  # e.g. parts of the query the source ignored, PubMed warnings


# --- extraction --------------------------------------------------------------------------


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # character offsets into Record.abstract
    end: int
    section: str = ""


@dataclass(frozen=True)
class Effect:
    """An effect estimate as the abstract reports it."""

    measure: str  # OR, RR, HR, IRR, RD, NNT, MD, SMD, r, AUC, percent, percent_change, other
    value: float
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    p_operator: str | None = None  # "=", "<", ">", "<=" as written
    unit: str = ""
    text: str = ""
    span: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class Finding:
    """What extraction read from one record's abstract."""

    record_id: str
    design: str  # meta_analysis, systematic_review, rct, ... other
    sample_size: int | None = None
    sample_size_text: str | None = None
    n_studies: int | None = None
    humans: bool | None = None
    effects: tuple[Effect, ...] = ()
    result_sentences: tuple[Sentence, ...] = ()
    sentences: tuple[Sentence, ...] = ()
    design_reason: str = ""


@dataclass(frozen=True)
class LandingPage:
    """What a page says about itself (citation_* meta tags, then dc.*) and its visible text."""

    url: str
    title: str | None = None
    doi: str | None = None
    date: str | None = None
    journal: str | None = None
    authors: tuple[str, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class Lookup:
    """What was done to find one citation (or fetch its page) and what came of it."""

    searched: tuple[str, ...] = ()  # "PubMed '<term>' → 3 hits", one line per search
    failures: tuple[str, ...] = ()  # searches that could not be made, with why
    skipped: tuple[str, ...] = ()  # services not consulted, with why (offline, --source local)
    page: LandingPage | None = None  # the cited URL, when it was fetched
    summary: tuple[str, ...] = ()  # the searches in a few words each: "pubmed journal only → 21"


# --- rating ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceAssessment:
    """How one source bears on one claim."""

    record_id: str
    relevance: float  # 0..1
    stance: Stance
    weight: float  # evidence weight from design and sample size; 0 when retracted
    rationale_sentences: tuple[Sentence, ...] = ()
    reasons: tuple[str, ...] = ()
    signals: tuple[str, ...] = ()  # e.g. "direction: decrease", "significant", "animal study"
    matched_terms: tuple[str, ...] = ()
    # The relevance gate: does the record test the claim (its intervention or exposure and its
    # outcome)? A record that does not is listed as "found, not about this claim" and weighs nothing.
    tests_claim: bool = True
    gate_reason: str = ""  # why it fails the gate: "does not study ashwagandha"
    population: str = "unknown"  # same | other | animal (animals or cells) | unknown


@dataclass(frozen=True)
class Check:
    """A check of a claim's own specifics: a citation, a number, a quote."""

    kind: str  # citation | quote | number | integrity | consistency
    # citation/quote: found / near_miss / not_found / unchecked; number: match / differs / absent /
    # unchecked; integrity: retracted / expression_of_concern / erratum / unchecked;
    # consistency: impossible / possible (GRIM)
    status: str
    detail: str  # one self-contained sentence: what was checked, the outcome and why
    subject: str = ""  # what was checked: "2021 Journal of Traumatic Stress study", "87%", a PMID
    evidence: tuple[str, ...] = ()  # what was searched and what was seen, one line each
    links: tuple[str, ...] = ()  # the records, notices and pages behind the outcome
    candidates: tuple[str, ...] = ()  # near misses and what differs, best first


@dataclass(frozen=True)
class Assessment:
    """The verdict on one claim, with everything behind it."""

    claim_id: str
    verdict: Verdict
    confidence: float  # 0..1
    reasons: tuple[str, ...]
    sources: tuple[SourceAssessment, ...] = ()
    checks: tuple[Check, ...] = ()
    queries: tuple[SearchResult, ...] = ()
    error: str | None = None  # set when the claim could not be checked (source failure)


@dataclass(frozen=True)
class RunResult:
    """Everything a report needs."""

    claims_file: ClaimsFile
    assessments: tuple[Assessment, ...]
    records: dict[str, Record] = field(default_factory=dict)
    findings: dict[str, Finding] = field(default_factory=dict)
    source: str = "pubmed"
    generated: str = ""  # ISO timestamp
    versions: tuple[tuple[str, str], ...] = ()
    unchecked: tuple[str, ...] = ()  # claim ids that could not be checked
    searched: str = ""  # what was searched, for the report header: "PubMed", "a local corpus of 5,183 records"
