"""Look for the works a claim cites: the run's source (PubMed or the local index), Crossref and
Europe PMC, and the cited page. This is the I/O half; `pipeline.rating.checks` judges the match.

For each citation the exact search (journal + year + topic) already ran with the claim's other
queries; here it is relaxed one part at a time (any year, any topic, any journal, the topic
alone) so a near miss can say what differs and a miss what was found instead, and Crossref (`query.bibliographic`, one year) and Europe PMC are asked
too. A service that fails is not asked again in the run; what failed is reported per check.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from pipeline.cache import Cache
from pipeline.config import Settings, redact
from pipeline.errors import OfflineMiss, SourceError
from pipeline.http import NotFound
from pipeline.queries import arm
from pipeline.sources import Source
from pipeline.sources.crossref import CrossrefClient
from pipeline.sources.europepmc import EuropePmcClient, citation_query
from pipeline.sources.landing import LandingClient
from pipeline.text import journals_match
from pipeline.types import Citation, Claim, LandingPage, Lookup, Query, QueryArm, Record, SearchResult


PER_SEARCH = 5  # candidates kept from each search
INTEGRITY_LOOKUPS = 3  # cited candidates whose Crossref record is read for updated-by
QUOTE_WORDS = 12  # a phrase this long is specific enough and survives small edits at the end
T = TypeVar("T")


@dataclass
class Services:
    """The network services a check may use, and which of them failed during the run."""

    crossref: CrossrefClient | None = None
    europepmc: EuropePmcClient | None = None
    landing: LandingClient | None = None
    settings: Settings | None = None
    why_not: str = ""  # why there are none, e.g. "--source local runs without the network"
    failed: dict[str, str] = field(default_factory=dict)
    cache_only: str = "--offline"  # why only the cache is served, when it is

    @classmethod
    def open(cls, settings: Settings, cache: Cache, network_down: str | None = None) -> Services:
        """The clients; when the run already lost the network they serve only the cache."""
        if network_down:
            settings = replace(settings, offline=True)
        return cls(CrossrefClient(settings, cache), EuropePmcClient(settings, cache),
                   LandingClient(settings, cache), settings,
                   cache_only=f"the network failed earlier in this run: {network_down}" if network_down else "--offline")

    def call(self, name: str, what: str, lookup: _Found, action: Callable[[], T],
             give_up: bool = True) -> T | None:
        """Run one request; a failure is noted in `lookup` and (`give_up`) the service is not asked again."""
        if name in self.failed:
            lookup.failures.append(f"{name} {what}: not asked ({name} failed earlier in this run: {self.failed[name]})")
            return None
        try:
            return action()
        except NotFound:
            raise
        except OfflineMiss:
            lookup.skipped.append(f"{name} {what}: not in the cache ({self.cache_only})")
        except SourceError as exc:
            message = redact(exc.message, self.settings) if self.settings else exc.message
            if give_up:
                self.failed[name] = message
            lookup.failures.append(message)
        return None


@dataclass
class _Found:
    searched: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    records: dict[str, Record] = field(default_factory=dict)
    page: LandingPage | None = None

    def note(self, full: str, short: str | None = None) -> None:
        """A search as run (for the evidence) and in a few words (for the one-line detail)."""
        self.searched.append(full)
        self.summary.append(short or full)

    def add(self, records: Sequence[Record]) -> None:
        for r in records[:PER_SEARCH]:
            self.records.setdefault(r.id, r)

    def lookup(self) -> Lookup:
        return Lookup(tuple(self.searched), tuple(self.failures), tuple(self.skipped), self.page,
                      tuple(self.summary))


@dataclass(frozen=True)
class Resolved:
    lookups: tuple[Lookup, ...]  # one per citation of the claim, in order
    records: tuple[Record, ...]  # records found here, with Crossref notices merged in
    integrity_failures: tuple[str, ...] = ()


def topic(claim: Claim) -> tuple[QueryArm, ...]:
    return tuple(a for a in (arm(claim, "intervention"), arm(claim, "population")) if a is not None)


def relaxed_queries(claim: Claim, cite: Citation) -> tuple[tuple[str, Query], ...]:
    """The exact citation search with one part dropped: (what was dropped, query). Pure."""
    if not cite.journal or cite.pmid or cite.doi:
        return ()
    journal, year = f'"{cite.journal}"[jour]', f"{cite.year}[dp]" if cite.year else None
    rungs = [("journal and topic, any year", topic(claim), (journal,))]
    if year:
        rungs += [(f"journal and {cite.year}, any topic", (), (journal, year)),
                  (f"topic and {cite.year}, any journal", topic(claim), (year,)),
                  ("journal only", (), (journal,))]
    rungs.append(("topic only", topic(claim), ()))
    # Filters alone are written as a raw query: a source renders a query without arms as nothing.
    return tuple((what, Query(claim_id=claim.id, arms=arms, filters=filters, purpose="citation") if arms
                  else Query(claim_id=claim.id, raw=" AND ".join(filters), purpose="citation"))
                 for what, arms, filters in rungs if arms or filters)


def _note(found: _Found, result: SearchResult, what: str = "as cited") -> None:
    found.note(f"{result.source} '{result.term}' ({what}) → {result.count} hit{'' if result.count == 1 else 's'}",
               f"{result.source} {what} → {result.count}")


def _bibliographic(claim: Claim, cite: Citation) -> str:
    words = [cite.title or "", " ".join(cite.authors), cite.journal or ""]
    words += [a.free_text[0] for a in topic(claim) if a.free_text]
    return " ".join(w for w in words if w)


def _search_source(claim: Claim, cite: Citation, source: Source, found: _Found) -> None:
    ids: list[str] = []
    for what, query in relaxed_queries(claim, cite):
        try:
            result = source.search(query)
        except OfflineMiss:
            found.skipped.append(f"{source.name} search with {what}: not in the cache")
            continue
        except SourceError as exc:
            found.failures.append(exc.message)
            continue
        _note(found, result, what)
        ids.extend(i for i in result.ids[:PER_SEARCH] if i not in ids)
    if ids:
        try:
            fetched = source.fetch(ids)
        except SourceError as exc:
            found.failures.append(exc.message)
            return
        found.add([fetched[i] for i in ids if i in fetched])


def _not_consulted(services: Services, what: str, found: _Found) -> None:
    found.skipped.append(f"{what} ({services.why_not or 'no network services in this run'})")


def _ran(found: _Found, name: str, got: tuple[str, int, tuple[Record, ...]] | None) -> tuple[Record, ...]:
    """Note a search that answered (what was asked, how many hits) and keep its first records."""
    if got is None:
        return ()
    shown, total, records = got
    found.note(f"{name} {shown} → {total} hit{'' if total == 1 else 's'}", f"{name} → {total}")
    found.add(records)
    return records


def _search_crossref(claim: Claim, cite: Citation, services: Services, found: _Found) -> None:
    crossref = services.crossref
    if crossref is None:
        _not_consulted(services, "Crossref", found)
        return
    if cite.doi:
        try:
            record = services.call("crossref", f"DOI {cite.doi}", found, lambda: crossref.work(cite.doi))
        except NotFound:
            found.searched.append(f"crossref DOI {cite.doi} → not a registered DOI (HTTP 404)")
            return
        if record is not None:
            found.searched.append(f"crossref DOI {cite.doi} → 1 record")
            found.add([record])
        return
    for year in dict.fromkeys((cite.year, None)):  # the cited year first, then any year for near misses
        got = services.call("crossref", "search", found,
                            lambda y=year: crossref.search(_bibliographic(claim, cite), y))
        records = _ran(found, "crossref", got)
        if got is None or any(journals_match(cite.journal, r.journal) for r in records):
            break


def _search_europepmc(claim: Claim, cite: Citation, services: Services, found: _Found) -> None:
    epmc = services.europepmc
    if epmc is None:
        _not_consulted(services, "Europe PMC", found)
        return
    if cite.doi or cite.pmid:
        query = f'DOI:"{cite.doi}"' if cite.doi else f"EXT_ID:{cite.pmid} AND SRC:MED"
    else:
        synonyms = [a.free_text for a in topic(claim) if a.free_text]
        query = citation_query(cite.journal, cite.year, synonyms, cite.title, cite.authors)
    _ran(found, "europepmc", services.call("europepmc", "search", found, lambda: epmc.search(query)))


def _search_quote(claim: Claim, services: Services, found: _Found) -> None:
    """Without a URL, the quoted words as a phrase in Europe PMC (its full texts include interviews
    and news items that quote people); the judge compares the quote with what comes back."""
    epmc = services.europepmc
    if epmc is None:
        _not_consulted(services, "Europe PMC phrase search for the quote", found)
        return
    words = claim.quote.replace('"', " ").split()[:QUOTE_WORDS]
    if len(words) >= 4:
        phrase = '"' + " ".join(words) + '"'
        _ran(found, "europepmc", services.call("europepmc", "search", found, lambda: epmc.search(phrase)))


def _fetch_page(cite: Citation, services: Services, found: _Found) -> None:
    if not cite.url:
        return
    landing = services.landing
    if landing is None:
        _not_consulted(services, f"the page {cite.url}", found)
        return
    try:
        # One site refusing us (403, a bot wall) says nothing of the next: never give up on pages.
        found.page = services.call("landing", f"page {cite.url}", found, lambda: landing.page(cite.url),
                                   give_up=False)
    except NotFound:
        found.failures.append(f"the page {cite.url} does not exist (HTTP 404)")
    if found.page is not None:
        found.searched.append(f"fetched {cite.url}")


def _with_crossref_notices(records: Sequence[Record], services: Services,
                           failures: list[str]) -> dict[str, Record]:
    """Crossref's updated-by (incl. Retraction Watch) merged into the records' notices."""
    merged: dict[str, Record] = {}
    if services.crossref is None:
        return merged
    for record in [r for r in records if r.doi and r.source != "crossref"][:INTEGRITY_LOOKUPS]:
        sink = _Found()
        try:
            work = services.call("crossref", f"DOI {record.doi}", sink, lambda d=record.doi: services.crossref.work(d))
        except NotFound:
            continue
        failures.extend(f"{record.id} (doi {record.doi}): {f}" for f in sink.failures)
        if work is not None and work.notices:
            notices = tuple(dict.fromkeys(record.notices + work.notices))
            merged[record.id] = replace(record, notices=notices, retracted=record.retracted or work.retracted)
    return merged


def resolve(claim: Claim, source: Source, services: Services, searches: Sequence[SearchResult],
            have: Mapping[str, Record]) -> Resolved:
    """Search every citation of a claim; the records returned are candidates for the judge."""
    lookups, records, integrity_failures = [], {}, []
    known_ids = {r.id for r in have.values()}
    known_dois = {r.doi.lower() for r in have.values() if r.doi}
    exact = [s for s in searches if s.query.purpose == "citation"]
    for cite in claim.cites:
        found = _Found()
        for search in exact:
            _note(found, search)
        if cite.journal or cite.title or cite.doi or cite.pmid:
            _search_source(claim, cite, source, found)
            _search_crossref(claim, cite, services, found)
            _search_europepmc(claim, cite, services, found)
        elif cite.person and not cite.url:
            _search_quote(claim, services, found)
        _fetch_page(cite, services, found)
        # A study the run already holds (same id or DOI) is not added a second time.
        new = [r for r in found.records.values() if r.id not in known_ids
               and not (r.doi and r.doi.lower() in known_dois)]
        cited = [have[i] for s in exact for i in s.ids[:INTEGRITY_LOOKUPS] if i in have]
        merged = _with_crossref_notices(cited + new, services, integrity_failures)
        records.update({r.id: merged.get(r.id, r) for r in new})
        records.update(merged)
        lookups.append(found.lookup())
    return Resolved(tuple(lookups), tuple(records.values()), tuple(dict.fromkeys(integrity_failures)))
