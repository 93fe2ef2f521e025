"""Orchestration: the one place that wires the stages together for a run.

claims -> queries -> source search (network or local index, through the cache) -> one batched
fetch -> extraction -> rating -> RunResult. Writing the reports is `write_reports`.
"""

from __future__ import annotations

import datetime as dt
import platform
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path

from pipeline.nlp import extraction as nlp_stage
from pipeline.cache import Cache
from pipeline.config import Settings, redact
from pipeline.errors import InputError, OfflineMiss, SourceError
from pipeline.http import Unreachable
from pipeline.queries import build_queries
from pipeline.rating import assess, rate
from pipeline.rating.checks import run_checks
from pipeline.report import render, write_index
from pipeline.sources import Source
from pipeline.sources.citations import Resolved, Services, resolve
from pipeline.sources.local import LocalIndex
from pipeline.sources.pubmed import PubMedClient
from pipeline.types import Assessment, Claim, ClaimsFile, Finding, Query, Record, RunResult, SearchResult

Progress = Callable[[str], None]
MAX_RECORDS_PER_CLAIM = 25
MAX_FAILURES = 3  # failed requests in a row before a run stops asking the network
# Claims about what a treatment does: without the treatment, a search on the outcome alone would
# rate the claim on studies of anything that changes that outcome.
NEEDS_INTERVENTION = frozenset({"efficacy", "safety"})
NO_INTERVENTION = ("no intervention named: add one (the treatment or exposure the claim is about) "
                   "to its intervention: field")


class PubMedSource:
    """PubMed through the cache; when PubMed is unreachable, or failed MAX_FAILURES requests in a
    row (each already retried with backoff), it serves only from the cache, so a dead or broken
    service is not hammered; a single failed request only costs the claim that made it."""

    name = "pubmed"
    searched = "PubMed"

    def __init__(self, settings: Settings, cache: Cache, progress: Progress = lambda _: None) -> None:
        self._progress = progress
        self._settings = settings
        self._cache = cache
        self.settings, self.cache = settings, cache  # Crossref and Europe PMC share them (run_checks)
        self._client = PubMedClient(settings, cache)
        self.failure: str | None = None  # why the network was given up on, if it was
        self._failures = 0  # failed requests in a row

    def _give_up_network(self, exc: SourceError) -> None:
        self.failure = redact(exc.message, self._settings)
        self._progress(f"PubMed could not be reached ({self.failure}); serving only what the cache holds")
        self._client = PubMedClient(replace(self._settings, offline=True), self._cache)

    def _failed(self, exc: SourceError) -> bool:
        """Count a failed request; True when the network is now given up on."""
        self._failures += 1
        if isinstance(exc, Unreachable) or self._failures >= MAX_FAILURES:
            self._give_up_network(exc)
            return True
        return False

    def search(self, query: Query) -> SearchResult:
        try:
            result = self._client.search(query)
        except OfflineMiss:
            raise
        except SourceError as exc:
            if self.failure is not None or not self._failed(exc):
                raise
            return self._client.search(query)
        self._failures = 0
        return result

    def fetch(self, ids: Sequence[str]) -> dict[str, Record]:
        try:
            records = self._client.fetch(list(ids))
        except OfflineMiss:
            records = self._fetch_cached(ids)
        except SourceError as exc:
            if self.failure is None:
                self._give_up_network(exc)
            records = self._fetch_cached(ids)
        return {r.pmid: r for r in records if r.pmid}

    def _fetch_cached(self, ids: Sequence[str]) -> list[Record]:
        records = []
        for pmid in ids:  # one at a time so one missing record does not hide the cached ones
            try:
                records.extend(self._client.fetch([pmid]))
            except OfflineMiss:
                pass
        return records


class LocalSource:
    """A local FTS5 corpus built with `factcheck index`."""

    name = "local"

    def __init__(self, corpus: Path, limit: int) -> None:
        self._index = LocalIndex(corpus)
        self._limit = limit
        self.failure: str | None = None
        self.settings: Settings | None = None  # no network services with a local corpus
        self.cache: Cache | None = None
        self.searched = f"a local corpus of {len(self._index):,} records"

    def search(self, query: Query) -> SearchResult:
        return self._index.search(query, limit=self._limit)

    def fetch(self, ids: Sequence[str]) -> dict[str, Record]:
        return {r.id: r for r in self._index.fetch(list(ids))}


def open_source(kind: str, settings: Settings, cache: Cache | None, corpus: Path | None,
                progress: Progress = lambda _: None) -> Source:
    if kind == "local":
        if corpus is None:
            raise InputError("--source local needs --corpus DB", "build one with 'factcheck index FILE... --db DB'")
        return LocalSource(corpus, settings.max_results)
    if kind == "pubmed":
        assert cache is not None
        return PubMedSource(settings, cache, progress)
    raise InputError(f"unknown source '{kind}'", "use --source pubmed or --source local")


@dataclass
class _ClaimSearch:
    claim: Claim
    searches: list[SearchResult] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    error: str | None = None
    skipped: str | None = None  # why the claim was not searched: a fault of the claims file, not the source


def missing_intervention(claim: Claim) -> bool:
    """An efficacy or safety claim that names no treatment or exposure (and no editor's query)."""
    return (claim.kind in NEEDS_INTERVENTION and not claim.queries
            and not claim.intervention and not claim.mesh_for("intervention"))


def _search_claim(claim: Claim, source: Source, per_claim: int) -> _ClaimSearch:
    """Run a claim's query ladder; keep ids in order of the query that found them first.

    Offline, a claim is checked on the searches the cache holds. A search that failed for a
    source fault (or was missed because the run gave up on the network) would leave the claim
    rated on part of its evidence, so the claim is reported as not checked instead.
    """
    state = _ClaimSearch(claim)
    if missing_intervention(claim):
        state.skipped = NO_INTERVENTION
        return state
    lost = False
    for query in build_queries(claim):
        try:
            result = source.search(query)
        except OfflineMiss:
            state.error = "its searches are not in the cache"
            lost = lost or source.failure is not None
            continue
        except SourceError as exc:
            state.error = exc.message
            lost = True
            continue
        state.searches.append(result)
        for record_id in result.ids:
            if record_id not in state.ids and (len(state.ids) < per_claim or query.purpose == "citation"):
                state.ids.append(record_id)
    if state.searches and not lost:
        state.error = None  # the queries that answered are all it has: checked on what they found
    return state


def versions() -> tuple[tuple[str, str], ...]:
    found = [("python", platform.python_version())]
    for package in ("factcheck-pipeline", "spacy", "biopython", "jinja2"):
        try:
            found.append((package, metadata.version(package)))
        except metadata.PackageNotFoundError:
            pass
    return tuple(found)


def check_claims(claims_file: ClaimsFile, source: Source, progress: Progress = lambda _: None,
                 nlp: object | None = None, services: Services | None = None) -> RunResult:
    """Search, fetch, extract and rate every claim. Source failures mark claims as not checked."""
    total = len(claims_file.claims)
    states = []
    for number, claim in enumerate(claims_file.claims, 1):
        state = _search_claim(claim, source, MAX_RECORDS_PER_CLAIM)
        hits = sum(s.count for s in state.searches)
        status = f"not checked ({state.error or state.skipped})" if state.error or state.skipped else \
            f"{len(state.searches)} queries, {len(state.ids)} records ({hits} hits)"
        progress(f"[{number}/{total}] {claim.id}: {status}")
        states.append(state)

    all_ids = list(dict.fromkeys(i for s in states for i in s.ids))
    fetched: dict[str, Record] = {}
    if all_ids:
        progress(f"fetching {len(all_ids)} records from {source.name}")
        fetched = source.fetch(all_ids)
    services = services if services is not None else default_services(source)
    resolved = {s.claim.id: _resolve(s, source, services, fetched, progress) for s in states
                if s.claim.cites and not s.error}
    records = {r.id: r for r in fetched.values()}
    for found in resolved.values():
        records.update((r.id, r) for r in found.records)  # Crossref notices merged in
    if records:
        progress(f"extracting study design, sample size and effects from {len(records)} abstracts")
    finding_list = list(nlp_stage.extract_many(records.values(), nlp))
    findings = {f.record_id: f for f in finding_list}

    failure = source.failure
    assessments = []
    for state in states:
        lost = [i for i in state.ids if i not in fetched]
        if failure and lost and not state.error:  # rated on part of its evidence: do not rate it
            state.error = f"{len(lost)} of its {len(state.ids)} records could not be fetched ({failure})"
            progress(f"{state.claim.id}: not checked ({state.error})")
        if state.error:
            assessments.append(_not_checked(state.claim, state.error))
            continue
        if state.skipped:
            assessments.append(_not_searched(state.claim, state.skipped))
            continue
        ids = [fetched[i].id for i in state.ids if i in fetched]
        found = resolved.get(state.claim.id)
        ids += [r.id for r in found.records] if found else []
        evidence = [(records[i], findings[i]) for i in dict.fromkeys(ids)]
        assessments.append(_assess(state.claim, evidence, state.searches, found))

    return RunResult(
        claims_file=claims_file,
        assessments=tuple(assessments),
        records=records,
        findings=findings,
        source=source.name,
        generated=dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        versions=versions(),
        unchecked=tuple(s.claim.id for s in states if s.error),
        searched=source.searched,
    )


def without_tested_study(result: RunResult) -> tuple[str, ...]:
    """Ids of the checked claims for which no study that tests them was found."""
    return tuple(a.claim_id for a in result.assessments
                 if not a.error and not any(s.tests_claim for s in a.sources))


def default_services(source: Source) -> Services:
    """Crossref, Europe PMC and landing pages share the PubMed run's settings and cache (only the
    cache once PubMed found the network down); a local run has no network, so its checks say
    what they could not consult."""
    settings, cache = source.settings, source.cache
    if settings is None or cache is None:
        return Services(why_not=f"not consulted: --source {source.name} runs without the network")
    return Services.open(settings, cache, source.failure)


def _resolve(state: _ClaimSearch, source: Source, services: Services, fetched: dict[str, Record],
             progress: Progress) -> Resolved:
    progress(f"{state.claim.id}: looking for the cited {'work' if len(state.claim.cites) == 1 else 'works'}")
    return resolve(state.claim, source, services, state.searches, fetched)


def _assess(claim: Claim, evidence: list[tuple[Record, Finding]], searches: Sequence[SearchResult],
            found: Resolved | None) -> Assessment:
    """Rate the sources once, make the claim's checks on them with what the citation searches did,
    and give the verdict on those checks."""
    rated = rate(claim, evidence)
    checks = run_checks(claim, rated, found.lookups if found else (), found.integrity_failures if found else ())
    return assess(claim, rated, searches, checks)


def _not_checked(claim: Claim, error: str) -> Assessment:
    return Assessment(
        claim_id=claim.id,
        verdict="unverifiable",
        confidence=0.0,
        reasons=(f"Not checked: the source could not be searched ({error}). Run again when it is reachable.",),
        error=error,
    )


def _not_searched(claim: Claim, why: str) -> Assessment:
    """A claim the run could not search as written (not a source failure: the claims file must change)."""
    return Assessment(claim_id=claim.id, verdict="unverifiable", confidence=0.0,
                      reasons=(f"Not checked: {why}. Searching its outcome alone would rate it on studies "
                               "of other treatments.",), error=why)


def write_reports(result: RunResult, out_dir: Path, partial: bool = False) -> list[Path]:
    """Write the HTML, Markdown and JSON reports atomically (`<slug>.partial.*` when partial),
    then refresh `index.html`, the list of every report in out_dir."""
    paths = render(result, out_dir, partial=partial)
    return [*paths, write_index(out_dir)]
