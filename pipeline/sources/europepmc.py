"""Europe PMC REST search: the second search engine for cited studies (core results, JSON).

Build (pure) -> send (HttpClient) -> parse (pure). Core results carry the abstract, publication
types and `commentCorrectionList` ("Retraction in", "Erratum in", "Expression of concern in"),
which become Record.notices; "Retracted Publication" or a retraction notice sets Record.retracted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urljoin

from pipeline.cache import Cache
from pipeline.config import Settings
from pipeline.errors import ParseError
from pipeline.http import HttpClient
from pipeline.sources.landing import html_text
from pipeline.types import Notice, Record

SOURCE = "europepmc"
PER_SECOND = 3.0  # apis.md: no official limit found; stay at or below 5/s
PAGE_SIZE = 10

Request = tuple[str, dict[str, str]]


# --- build (pure) ---------------------------------------------------------------------------


def _phrase(text: str) -> str:
    return '"' + " ".join(text.replace('"', " ").split()) + '"'


def citation_query(journal: str | None = None, year: int | None = None,
                   topic: Sequence[Sequence[str]] = (), title: str | None = None,
                   authors: Sequence[str] = ()) -> str:
    """Europe PMC syntax: JOURNAL:"..." AND PUB_YEAR:2021 AND (synonyms) AND ... (uppercase booleans)."""
    parts = []
    if journal:
        parts.append(f"JOURNAL:{_phrase(journal)}")
    if year:
        parts.append(f"PUB_YEAR:{year}")
    if title:
        parts.append(f"TITLE:{_phrase(title)}")
    parts.extend(f"AUTH:{_phrase(a)}" for a in authors)
    for synonyms in topic:
        terms = [_phrase(s) for s in synonyms if s.strip()]
        if terms:
            parts.append(terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")")
    return " AND ".join(parts)


def search_request(settings: Settings, query: str, page_size: int = PAGE_SIZE) -> Request:
    params = {"query": query, "resultType": "core", "format": "json", "pageSize": str(page_size)}
    return urljoin(settings.europepmc_base, "search"), params


# --- parse (pure) ---------------------------------------------------------------------------


def _data(body: bytes) -> Mapping[str, Any]:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(SOURCE, f"search: the answer is not JSON ({exc})",
                         "the service may be down; try again later") from None
    if not isinstance(data, dict) or "hitCount" not in data:
        raise ParseError(SOURCE, "search: the answer has no hitCount",
                         "check FACTCHECK_EUROPEPMC_URL points at the Europe PMC REST API")
    return data


def notice_kind(text: str) -> str:
    """'Retraction in' -> 'RetractionIn', the PubMed CommentsCorrections RefType spelling."""
    return "".join(w[:1].upper() + w[1:] for w in text.split())


def _pub_types(result: Mapping[str, Any]) -> tuple[str, ...]:
    listed = (result.get("pubTypeList") or {}).get("pubType")
    if isinstance(listed, str):
        listed = [listed]
    if not listed and result.get("pubType"):
        listed = str(result["pubType"]).split(";")
    return tuple(dict.fromkeys(t.strip() for t in listed or () if t and t.strip()))


def record_from_result(result: Mapping[str, Any]) -> Record | None:
    """One search result -> Record; PubMed records keep the id "pmid:N" so they merge with PubMed's."""
    pmid, doi = result.get("pmid") or None, result.get("doi") or None
    rid = f"pmid:{pmid}" if pmid else (f"doi:{doi.lower()}" if doi else
                                       (f"epmc:{result.get('source')}:{result['id']}" if result.get("id") else None))
    if rid is None:
        return None
    notices = tuple(
        Notice(kind=notice_kind(c.get("type") or ""), pmid=c.get("id") if c.get("source") == "MED" else None,
               ref=c.get("reference") or "", origin=SOURCE)
        for c in (result.get("commentCorrectionList") or {}).get("commentCorrection") or ()
        if (c.get("type") or "").lower().startswith(("retraction", "erratum", "expression of concern",
                                                     "partial retraction", "corrected and republished"))
    )
    pub_types = _pub_types(result)
    info = result.get("journalInfo") if isinstance(result.get("journalInfo"), dict) else {}
    journal = info.get("journal") or {}
    year = result.get("pubYear") or info.get("yearOfPublication")
    abstract = html_text(result.get("abstractText") or "")
    return Record(
        source=SOURCE,
        id=rid,
        title=html_text(result.get("title") or ""),
        sections=(("", abstract),) if abstract else (),
        pmid=pmid,
        doi=doi,
        journal=journal.get("title") or result.get("journalTitle") or None,
        journal_abbrev=journal.get("isoabbreviation") or journal.get("medlineAbbreviation") or None,
        year=int(year) if str(year or "").isdigit() else None,
        pub_types=pub_types,
        retracted="retracted publication" in {t.lower() for t in pub_types}
        or any(n.kind == "RetractionIn" for n in notices),
        notices=notices,
        url=f"https://europepmc.org/article/{result.get('source')}/{result.get('id')}" if result.get("id") else None,
        authors=tuple(a.strip() for a in str(result.get("authorString") or "").rstrip(".").split(",") if a.strip()),
    )


def parse_search(body: bytes) -> tuple[int, tuple[Record, ...]]:
    """(hitCount, the results as Records)."""
    data = _data(body)
    results = (data.get("resultList") or {}).get("result") or ()
    records = (record_from_result(r) for r in results)
    return int(data.get("hitCount") or 0), tuple(r for r in records if r is not None)


# --- send ------------------------------------------------------------------------------------


class EuropePmcClient:
    name = SOURCE

    def __init__(self, settings: Settings, cache: Cache, http: HttpClient | None = None) -> None:
        self.settings = settings
        self.http = http or HttpClient(settings, cache, SOURCE, PER_SECOND)

    def search(self, query: str) -> tuple[str, int, tuple[Record, ...]]:
        """(the query as shown to a reader, hitCount, records)."""
        url, params = search_request(self.settings, query)
        fetched = self.http.get(url, params, what="search", validate=lambda b: _data(b) and None)
        total, records = parse_search(fetched.body)
        return query, total, records
