"""Build the searches for a claim from its PICO fields (pure).

A claim gets a ladder of evidence queries, strict to broad, so a source that finds nothing for
the exact population still returns the closest evidence; plus a citation query when the claim
names a journal or year. An editor's `queries:` in claims.yaml replace the evidence ladder.
"""

from __future__ import annotations

from pipeline.types import Claim, Query, QueryArm

# Cochrane's "humans" filter: keeps records not yet MeSH-indexed, drops animal-only ones.
HUMANS = "NOT (animals[mh] NOT humans[mh])"
STRONG_DESIGNS = (
    "(randomized controlled trial[pt] OR controlled clinical trial[pt] OR meta-analysis[pt]"
    " OR systematic review[pt] OR systematic[sb])"
)
CLINICAL_KINDS = frozenset({"efficacy", "safety", "statistic", "quote", "citation"})


def arm(claim: Claim, concept: str) -> QueryArm | None:
    terms = getattr(claim, concept)
    mesh = claim.mesh_for(concept)
    return QueryArm(concept=concept, mesh=mesh, free_text=terms) if terms or mesh else None


def build_queries(claim: Claim) -> tuple[Query, ...]:
    """The queries to run for a claim, in the order their results are preferred."""
    queries: list[Query] = []
    if claim.queries:
        queries.extend(Query(claim_id=claim.id, raw=raw, purpose="editor") for raw in claim.queries)
    else:
        queries.extend(_evidence_ladder(claim))
    queries.extend(_citation_queries(claim))
    return tuple(dict.fromkeys(queries))  # the ladder may repeat itself when fields are missing


def _evidence_ladder(claim: Claim) -> list[Query]:
    intervention, population, outcome = (arm(claim, c) for c in ("intervention", "population", "outcome"))
    # The comparator ranks the results of the exact rungs; every source leaves it out of the match.
    comparator = arm(claim, "comparator")
    humans = (HUMANS,) if claim.kind != "mechanism" else ()
    rungs: list[tuple[tuple[QueryArm | None, ...], tuple[str, ...], str]] = []
    if claim.kind in CLINICAL_KINDS:
        rungs.append(((intervention, population, outcome, comparator), humans + (STRONG_DESIGNS,), "evidence"))
    rungs += [
        ((intervention, population, outcome, comparator), humans, "evidence"),
        ((intervention, population), humans, "broad"),
        ((intervention, outcome), humans, "broad"),
    ]
    queries = []
    for arms, filters, purpose in rungs:
        present = tuple(a for a in arms if a is not None)
        if any(a.concept != "comparator" for a in present):
            queries.append(Query(claim_id=claim.id, arms=present, filters=filters, purpose=purpose))
    return queries


def _citation_queries(claim: Claim) -> list[Query]:
    """Look for the study an article names: journal + year + the claim's topic."""
    queries = []
    topic = tuple(a for a in (arm(claim, "intervention"), arm(claim, "population")) if a is not None)
    for cite in claim.cites:
        if cite.pmid:
            queries.append(Query(claim_id=claim.id, raw=f"{cite.pmid}[pmid]", purpose="citation"))
            continue
        if cite.doi:
            queries.append(Query(claim_id=claim.id, raw=f'"{cite.doi}"[doi]', purpose="citation"))
            continue
        if not (cite.journal or cite.title):
            continue
        filters = []
        if cite.journal:
            filters.append(f'"{cite.journal}"[jour]')
        if cite.year:
            filters.append(f"{cite.year}[dp]")
        arms = topic
        if cite.title:
            arms = arms + (QueryArm(concept="citation", free_text=(cite.title,)),)
        queries.append(Query(claim_id=claim.id, arms=arms, filters=tuple(filters), purpose="citation"))
    return queries
