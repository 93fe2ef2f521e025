"""Crossref REST API: a DOI's record (`/works/{doi}`) and citation search (`/works?query.bibliographic`).

Build (pure) -> send (HttpClient: polite pool via `mailto`, cache, limiter) -> parse (pure).
A work's `updated-by` entries (retraction, expression_of_concern, correction ...; `source` is
"publisher" or "retraction-watch") become Record.notices, and a retraction sets Record.retracted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, urljoin

from pipeline.cache import Cache
from pipeline.config import Settings
from pipeline.errors import ParseError
from pipeline.http import HttpClient
from pipeline.sources.landing import html_text
from pipeline.types import Notice, Record

SOURCE = "crossref"
# apis.md: limits were lowered in Dec 2025 and are announced in headers; stay well below the
# public pool and send one request at a time.
PER_SECOND = 3.0
ROWS = 10
SELECT = ("DOI,title,container-title,short-container-title,issued,published,type,author,"
          "abstract,update-to,updated-by")
# updated-by types that mean the work itself no longer stands.
RETRACTION_TYPES = frozenset({"retraction", "withdrawal", "removal", "partial_retraction"})

Request = tuple[str, dict[str, str]]


# --- build (pure) ---------------------------------------------------------------------------


def work_request(settings: Settings, doi: str) -> Request:
    return urljoin(settings.crossref_base, "works/" + quote(doi.strip(), safe="/")), {}


def search_request(settings: Settings, bibliographic: str, year: int | None = None,
                   rows: int = ROWS) -> Request:
    """`/works` search for a citation-like string, limited to journal articles (of one year)."""
    filters = ["type:journal-article"]
    if year:
        filters[:0] = [f"from-pub-date:{year}-01-01", f"until-pub-date:{year}-12-31"]
    params = {"query.bibliographic": bibliographic, "filter": ",".join(filters),
              "rows": str(rows), "select": SELECT}
    return urljoin(settings.crossref_base, "works"), params


# --- parse (pure) ---------------------------------------------------------------------------


def _message(body: bytes, what: str) -> Any:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(SOURCE, f"{what}: the answer is not JSON ({exc})",
                         "the service may be down or behind a proxy; try again later") from None
    if not isinstance(data, dict) or data.get("status") != "ok" or not isinstance(data.get("message"), dict):
        raise ParseError(SOURCE, f"{what}: unexpected answer (status {data.get('status') if isinstance(data, dict) else '?'})",
                         "check FACTCHECK_CROSSREF_URL points at the Crossref REST API")
    return data["message"]


def _first(value: object) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    return " ".join(value.split()) if isinstance(value, str) and value.strip() else None


def _year(work: Mapping[str, Any]) -> int | None:
    for key in ("issued", "published", "published-print", "published-online"):
        parts = (work.get(key) or {}).get("date-parts") or [[None]]
        if parts and parts[0] and isinstance(parts[0][0], int):
            return parts[0][0]
    return None


def _date(value: Mapping[str, Any] | None) -> str:
    parts = ((value or {}).get("date-parts") or [[]])[0]
    return "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts) if isinstance(p, int))


def notices_from_updates(updates: Sequence[Mapping[str, Any]]) -> tuple[Notice, ...]:
    """`updated-by` entries -> Notices (kind is Crossref's type, e.g. retraction, correction)."""
    out = []
    for u in updates:
        kind = str(u.get("type") or "").strip()
        if not kind:
            continue
        date = _date(u.get("updated"))
        label = u.get("label") or kind.replace("_", " ")
        out.append(Notice(kind=kind, doi=u.get("DOI") or None, origin=str(u.get("source") or "publisher"),
                          ref=f"{label}{', ' + date if date else ''}"))
    return tuple(dict.fromkeys(out))


def _authors(work: Mapping[str, Any]) -> tuple[str, ...]:
    names = []
    for a in work.get("author") or ():
        family, given = a.get("family") or "", a.get("given") or ""
        initials = "".join(w[0] for w in given.replace("-", " ").split() if w)
        name = f"{family} {initials}".strip() if family else (a.get("name") or "")
        if name:
            names.append(name)
    return tuple(names)


def record_from_work(work: Mapping[str, Any]) -> Record | None:
    """One Crossref work -> Record (None without a DOI: nothing to cite it by)."""
    doi = work.get("DOI")
    if not doi:
        return None
    # Only the notices that update this work; a work that is itself a notice carries update-to.
    notices = notices_from_updates([u for u in work.get("updated-by") or () if u.get("DOI") != doi])
    abstract = html_text(work.get("abstract") or "")
    return Record(
        source=SOURCE,
        id=f"doi:{doi.lower()}",
        title=_first(work.get("title")) or "",
        sections=(("", abstract),) if abstract else (),
        doi=doi,
        journal=_first(work.get("container-title")),
        journal_abbrev=_first(work.get("short-container-title")),
        year=_year(work),
        pub_types=(str(work["type"]),) if work.get("type") else (),
        retracted=any(n.kind in RETRACTION_TYPES for n in notices),
        notices=notices,
        url=f"https://doi.org/{doi}",
        authors=_authors(work),
    )


def parse_work(body: bytes) -> Record:
    record = record_from_work(_message(body, "work"))
    if record is None:
        raise ParseError(SOURCE, "work: the answer has no DOI", "check FACTCHECK_CROSSREF_URL")
    return record


def parse_search(body: bytes) -> tuple[int, tuple[Record, ...]]:
    """(total-results, the items as Records) of a `/works` search."""
    message = _message(body, "search")
    records = (record_from_work(item) for item in message.get("items") or ())
    return int(message.get("total-results") or 0), tuple(r for r in records if r is not None)


# --- send ------------------------------------------------------------------------------------


class CrossrefClient:
    """Crossref through the cache, in the polite pool (mailto is sent, never cached)."""

    name = SOURCE

    def __init__(self, settings: Settings, cache: Cache, http: HttpClient | None = None) -> None:
        self.settings = settings
        self.http = http or HttpClient(settings, cache, SOURCE, PER_SECOND, identity={"mailto": settings.email})

    def work(self, doi: str) -> Record:
        """The work for a DOI; raises NotFound (a 404) when Crossref does not know it."""
        url, params = work_request(self.settings, doi)
        fetched = self.http.get(url, params, what=f"DOI {doi}", validate=lambda b: _message(b, "work") and None)
        return parse_work(fetched.body)

    def search(self, bibliographic: str, year: int | None = None) -> tuple[str, int, tuple[Record, ...]]:
        """(the search as shown to a reader, total hits, records)."""
        url, params = search_request(self.settings, bibliographic, year)
        shown = f'query.bibliographic="{bibliographic}" filter={params["filter"]}'
        fetched = self.http.get(url, params, what="search", validate=lambda b: _message(b, "search") and None)
        total, records = parse_search(fetched.body)
        return shown, total, records
