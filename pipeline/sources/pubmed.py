"""PubMed: XML parsing (pure) and an E-utilities client (thin I/O); queries are rendered in
`pubmed_syntax.py`.

Pure parts: `parse_esearch`, `parse_pubmed_xml`, `iter_pubmed_xml`,
`split_articles`. They use lxml with a locked-down parser (no DTD, no network, no entity
expansion) instead of `Entrez.read`, which needs the response's DTD and fetches unknown newer
DTDs from the network, so it breaks offline.

I/O part: `PubMedClient` builds esearch/efetch requests with `Bio.Entrez`'s request builder and
sends them through `pipeline.http.HttpClient` (configurable endpoint, timeout, deadline, size cap,
cross-process rate limiter, backoff honouring Retry-After), with the SQLite cache around it.
"""

from __future__ import annotations

import io
import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

import requests
from Bio import Entrez
from lxml import etree

from pipeline.cache import Cache
from pipeline.config import Settings, redact
from pipeline.cache_policy import plan, to_store
from pipeline.errors import InputError, OfflineMiss, ParseError, SourceError
from pipeline.http import HttpClient
from pipeline.sources.pubmed_syntax import render_query
from pipeline.text import normalize_space
from pipeline.types import Notice, Query, Record, SearchResult

log = logging.getLogger(__name__)

SOURCE = "pubmed"
# The canonical NCBI URLs our cache keys are built from, whatever Settings.eutils_base says.
ESEARCH_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esearch.fcgi"
EFETCH_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/efetch.fcgi"
EFETCH_BATCH = 200  # NCBI: use POST and modest batches beyond ~200 IDs; Bio.Entrez POSTs at 200

PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{pmid}/"
_ARTICLE_TAGS = ("PubmedArticle", "PubmedBookArticle", "DeleteCitation")
_EXPECTED_ROOTS = frozenset({"PubmedArticleSet", "PubmedArticle"})
# CommentsCorrections RefTypes that are corrections (not Cites/CommentIn/UpdateOf ... noise).
_NOTICE_PREFIXES = (
    "Retraction", "PartialRetraction", "ExpressionOfConcern", "Erratum",
    "CorrectedandRepublished", "RetractedandRepublished",
)
# Security: never load a DTD, touch the network or expand entities (XXE, billion laughs).
_SAFE = dict(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
    dtd_validation=False, attribute_defaults=False, remove_comments=True, remove_pis=True,
)
_NETWORK_HINT = "check your connection, or run with --offline / --source local"


# --- pure: esearch ---------------------------------------------------------------------


@dataclass(frozen=True)
class EsearchResult:
    """What an esearch answer says: hits, how PubMed read the query, what it dropped."""

    count: int
    ids: tuple[str, ...]
    query_translation: str = ""
    errors: tuple[str, ...] = ()  # "PhraseNotFound: abcXYZ" (PubMed ignored that part)
    warnings: tuple[str, ...] = ()  # "OutputMessage: No items found."

    @property
    def notes(self) -> tuple[str, ...]:
        translation = (f"QueryTranslation: {self.query_translation}",) if self.query_translation else ()
        return translation + self.errors + self.warnings


def _head_looks_like_html(data: bytes) -> bool:
    head = data[:512].lstrip().lower()
    return head.startswith((b"<html", b"<!doctype html")) or b"<html" in head


def _bad_body(data: bytes, what: str, detail: str) -> ParseError:
    """A ParseError that says what the body looked like, so the user knows what happened."""
    if not data.strip():
        return ParseError(SOURCE, f"{what}: the response was empty", "retry later; " + _NETWORK_HINT)
    if _head_looks_like_html(data):
        return ParseError(
            SOURCE,
            f"{what}: PubMed sent an HTML page where XML was expected",
            "E-utilities may be down or blocking this address: retry later, "
            "or run with --offline / --source local",
        )
    return ParseError(
        SOURCE,
        f"{what}: the response is not valid XML ({detail})",
        "if the download was cut short, retry; or run with --offline if the cache has it",
    )


def _parse_tree(data: bytes, what: str) -> etree._Element:
    data = data.lstrip()
    if not data:
        raise _bad_body(data, what, "")
    try:
        return etree.fromstring(data, etree.XMLParser(**_SAFE))
    except etree.XMLSyntaxError as exc:
        raise _bad_body(data, what, str(exc)[:200]) from None


def _server_error(root: etree._Element, what: str) -> SourceError | None:
    """A SourceError for an E-utilities <ERROR> element directly under the root, if any."""
    messages = [normalize_space(_text(e)) for e in root.findall("ERROR")]
    messages = [m for m in messages if m]
    if not messages:
        return None
    return SourceError(
        SOURCE,
        f"{what}: PubMed answered with an error: {'; '.join(messages)}",
        "check the query syntax (see QueryTranslation in the report) or the PMIDs asked for",
    )


def parse_esearch(data: bytes) -> EsearchResult:
    """Parse an esearch XML answer. Zero hits is a normal result, not an error.

    Raises ParseError for a body that is not an eSearchResult, SourceError for an <ERROR>.
    """
    root = _parse_tree(data, "esearch")
    if root.tag != "eSearchResult":
        raise _bad_body(data, "esearch", f"root element <{root.tag}> instead of <eSearchResult>")
    error = _server_error(root, "esearch")
    if error:
        raise error
    count_text = (root.findtext("Count") or "").strip()
    if not count_text.isdigit():
        raise _bad_body(data, "esearch", "no <Count> in the answer")
    ids = tuple(t.strip() for t in root.xpath("IdList/Id/text()") if t.strip())
    return EsearchResult(
        count=int(count_text),
        ids=tuple(dict.fromkeys(ids)),
        query_translation=normalize_space(root.findtext("QueryTranslation") or ""),
        errors=_tagged_messages(root.find("ErrorList")),
        warnings=_tagged_messages(root.find("WarningList")),
    )


def _tagged_messages(parent: etree._Element | None) -> tuple[str, ...]:
    if parent is None:
        return ()
    return tuple(
        f"{child.tag}: {text}"
        for child in parent
        if isinstance(child.tag, str) and (text := normalize_space(_text(child)))
    )


# --- pure: PubMed article XML ------------------------------------------------------------


def _text(el: etree._Element | None) -> str:
    """All text inside an element (inline <i>, <sub>, MathML ...), entity references skipped.

    `itertext()` would yield an unexpanded entity reference as "&name;"; we drop it instead.
    """
    if el is None:
        return ""
    if len(el) == 0:  # the common case (a leaf: PMID, LastName ...), kept fast
        text = el.text or ""
        return " ".join(text.split()) if isinstance(el.tag, str) else ""
    parts: list[str] = []

    def keep(text: str | None, in_math: bool) -> bool:
        # MathML is pretty-printed: its whitespace-only text is layout, not content
        # (otherwise "VO2max" would read "V . O 2 m a x").
        return bool(text) and not (in_math and text.isspace())

    def walk(node: etree._Element, in_math: bool) -> None:
        in_math = in_math or str(node.tag).startswith(_MATHML)
        if keep(node.text, in_math):
            parts.append(node.text)
        for child in node:
            if isinstance(child.tag, str):  # elements; comments, PIs and entities are not
                walk(child, in_math)
            if keep(child.tail, in_math):
                parts.append(child.tail)

    walk(el, False)
    return normalize_space("".join(parts))


_MATHML = "{http://www.w3.org/1998/Math/MathML}"
_YEAR = re.compile(r"(1[5-9]\d\d|2\d\d\d)")


def _year(article: etree._Element) -> int | None:
    """PubDate/Year, else the first year in MedlineDate ("1998 Dec-1999 Jan"), else ArticleDate."""
    pub_date = article.find("Journal/JournalIssue/PubDate")
    candidates = []
    if pub_date is not None:
        candidates += [pub_date.findtext("Year"), pub_date.findtext("MedlineDate")]
    candidates += [d.findtext("Year") for d in article.findall("ArticleDate")]
    for text in candidates:
        match = _YEAR.search(text or "")
        if match:
            return int(match.group(1))
    return None


def _doi(article_el: etree._Element, article: etree._Element | None) -> str | None:
    # Only the article's own IDs: ReferenceList/Reference/ArticleIdList holds cited works' DOIs.
    for aid in article_el.findall("PubmedData/ArticleIdList/ArticleId"):
        if aid.get("IdType") == "doi" and (value := _text(aid)):
            return value
    if article is not None:
        for loc in article.findall("ELocationID"):
            if loc.get("EIdType") == "doi" and (value := _text(loc)):
                return value
    return None


def _authors(article: etree._Element) -> tuple[str, ...]:
    names = []
    for author in article.findall("AuthorList/Author"):
        if author.get("ValidYN") == "N":
            continue
        last = _text(author.find("LastName"))
        initials = _text(author.find("Initials")) or _text(author.find("ForeName"))
        name = f"{last} {initials}".strip() if last else _text(author.find("CollectiveName"))
        if name:
            names.append(name)
    return tuple(names)


def _notices(citation: etree._Element) -> tuple[Notice, ...]:
    notices = []
    for cc in citation.findall("CommentsCorrectionsList/CommentsCorrections"):
        kind = cc.get("RefType") or ""
        if kind.startswith(_NOTICE_PREFIXES):
            notices.append(Notice(kind=kind, pmid=_text(cc.find("PMID")) or None, ref=_text(cc.find("RefSource"))))
    return tuple(notices)


def record_from_element(article_el: etree._Element) -> Record | None:
    """One <PubmedArticle> to a Record; None when it has no PMID (nothing to cite it by)."""
    citation = article_el.find("MedlineCitation")
    if citation is None:
        return None
    pmid = _text(citation.find("PMID"))
    if not pmid:
        return None
    article = citation.find("Article")
    if article is None:  # not in the DTD, but keep what we have rather than crash
        article = etree.Element("Article")
    title = _text(article.find("ArticleTitle")) or _text(article.find("VernacularTitle"))
    sections = []
    for part in article.findall("Abstract/AbstractText"):
        text = _text(part)
        if text:
            sections.append((part.get("Label") or part.get("NlmCategory") or "", text))
    pub_types = tuple(t for t in map(_text, article.findall("PublicationTypeList/PublicationType")) if t)
    notices = _notices(citation)
    retracted = "Retracted Publication" in pub_types or any(n.kind == "RetractionIn" for n in notices)
    return Record(
        source=SOURCE,
        id=f"pmid:{pmid}",
        title=title,
        sections=tuple(sections),
        pmid=pmid,
        doi=_doi(article_el, article),
        journal=_text(article.find("Journal/Title")) or None,
        journal_abbrev=_text(article.find("Journal/ISOAbbreviation"))
        or _text(citation.find("MedlineJournalInfo/MedlineTA"))
        or None,
        year=_year(article),
        pub_types=pub_types,
        mesh=tuple(
            t for t in map(_text, citation.findall("MeshHeadingList/MeshHeading/DescriptorName")) if t
        ),
        retracted=retracted,
        notices=notices,
        url=PUBMED_URL.format(pmid=pmid),
        authors=_authors(article),
    )


class _Replay(io.RawIOBase):
    """A stream that first replays bytes already read (to sniff the body), then the rest."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:  # type: ignore[override]
        if self._head:
            if size is None or size < 0:
                data, self._head = self._head + self._rest.read(), b""
                return data
            data, self._head = self._head[:size], self._head[size:]
            return data
        return self._rest.read(size)


def iter_pubmed_xml(stream: BinaryIO, what: str = "PubMed XML") -> Iterator[Record]:
    """Stream Records out of a PubmedArticleSet (efetch answer or baseline file) or a bare
    <PubmedArticle>, clearing each element once read so memory stays flat on big files.

    Books (PubmedBookArticle), DeleteCitation blocks and records without a PMID are skipped.
    Raises ParseError (after the records read so far) when the XML is broken or not PubMed.
    """
    head = stream.read(4096)
    if not head.strip():
        raise _bad_body(head, what, "")
    if _head_looks_like_html(head):
        raise _bad_body(head, what, "")
    context = etree.iterparse(_Replay(head, stream), events=("end",), tag=_ARTICLE_TAGS, **_SAFE)
    try:
        for _, elem in context:
            if elem.tag == "PubmedArticle":
                record = record_from_element(elem)
                if record is not None:
                    yield record
            elem.clear(keep_tail=False)
            parent = elem.getparent()
            if parent is not None:  # drop the cleared siblings, or the root keeps growing
                while elem.getprevious() is not None:
                    del parent[0]
        root = context.root
    except etree.XMLSyntaxError as exc:
        raise _bad_body(head, what, str(exc)[:200]) from None
    if root is None or root.tag not in _EXPECTED_ROOTS:
        error = _server_error(root, what) if root is not None else None
        if error:
            raise error
        tag = root.tag if root is not None else "nothing"
        raise _bad_body(head, what, f"root element <{tag}> instead of <PubmedArticleSet>")


def parse_pubmed_xml(data: bytes) -> list[Record]:
    """All Records of a PubmedArticleSet (or a bare <PubmedArticle>) held in memory."""
    return list(iter_pubmed_xml(io.BytesIO(data.lstrip())))


def split_articles(data: bytes) -> dict[str, bytes]:
    """PMID -> that <PubmedArticle> serialized alone (UTF-8), to cache one document per PMID.

    Raises ParseError like `parse_pubmed_xml` when the body is not PubMed XML.
    """
    root = _parse_tree(data, "efetch")
    if root.tag not in _EXPECTED_ROOTS:
        error = _server_error(root, "efetch")
        if error:
            raise error
        raise _bad_body(data, "efetch", f"root element <{root.tag}> instead of <PubmedArticleSet>")
    articles = [root] if root.tag == "PubmedArticle" else root.findall("PubmedArticle")
    docs: dict[str, bytes] = {}
    for article in articles:
        pmid = _text(article.find("MedlineCitation/PMID"))
        if pmid and pmid not in docs:  # a repeated PMID: the first copy, as parse_pubmed_xml's readers take
            docs[pmid] = etree.tostring(article, encoding="UTF-8", xml_declaration=False, with_tail=False)
    return docs


# --- I/O: the E-utilities client -----------------------------------------------------------


class PubMedClient:
    """esearch and efetch against PubMed, through the cache, a shared rate limit and backoff.

    Each request is built by Bio.Entrez's own request builder (`Entrez._build_request`: tool,
    email and api_key handling, and POST for long ID lists as NCBI asks), on the endpoint
    `settings.eutils_base` (FACTCHECK_EUTILS_URL), and sent through `HttpClient`, which adds
    what `Entrez._open` lacks: a timeout and a deadline on the whole body, a size cap,
    Retry-After, and a rate limiter shared across processes. Cache keys stay built from the
    canonical NCBI URLs, so a cache filled against a mirror or stand-in is the same cache.
    """

    def __init__(
        self,
        settings: Settings,
        cache: Cache,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ) -> None:
        self.settings = settings
        self.cache = cache
        self.http = HttpClient(settings, cache, SOURCE, settings.requests_per_second, session=session, sleep=sleep)
        self.last_missing: tuple[str, ...] = ()  # PMIDs the last fetch() asked for and did not get

    # --- identity and errors ---------------------------------------------------------

    def _identity(self) -> dict[str, str | None]:
        # Bio.Entrez's _construct_params only setdefault()s its globals, so these win;
        # api_key=None keeps a global Entrez.api_key from leaking in (None is dropped).
        return {"email": self.settings.email, "tool": self.settings.tool, "api_key": self.settings.api_key}

    def _redacted(self, exc: SourceError) -> SourceError:
        """The same error, its message cleaned of the email/api key an error page might echo."""
        message = exc.message.removeprefix(f"{SOURCE}: ")
        return type(exc)(SOURCE, redact(message, self.settings), exc.hint)

    # --- sending -----------------------------------------------------------------------

    def _call(self, what: str, cgi: str, params: dict[str, Any], validate: Callable[[bytes], object],
              recheck: Callable[[], bytes | None] = lambda: None) -> bytes:
        """One E-utilities request with retries; a body `validate` rejects is retried, never kept."""
        request = Entrez._build_request(self.settings.eutils_base.rstrip("/") + "/" + cgi, {**params, **self._identity()})
        try:
            return self.http.send(request.get_method(), request.full_url, data=request.data, what=what,
                                  validate=validate, recheck=recheck)
        except SourceError as exc:
            error = self._redacted(exc)
        raise error  # outside the except block: no chained error that might quote a secret

    # --- esearch -------------------------------------------------------------------------

    def search(self, query: Query, retmax: int | None = None) -> SearchResult:
        """Run the query's PubMed term; served from the cache when it holds the same request."""
        term = render_query(query)
        if not term:
            raise InputError(
                f"claim {query.claim_id}: the PubMed query has no search terms",
                "give the claim population/intervention/outcome terms or a queries: override",
            )
        params = {"db": "pubmed", "term": term, "sort": "relevance",
                  "retmax": retmax if retmax is not None else self.settings.max_results}
        action = plan(self.cache.get_response(ESEARCH_URL, params), self.settings.offline)
        body, from_cache = action.cached, action.serve
        if not action.serve:
            if action.miss:
                raise OfflineMiss(
                    SOURCE,
                    f"claim {query.claim_id}: the search {term!r} is not in the cache",
                    "run once without --offline to fill the cache, or use --source local --corpus DB",
                )
            body = self._call("esearch", "esearch.fcgi", params, parse_esearch,
                              recheck=lambda: self.cache.get_response(ESEARCH_URL, params))
        try:
            result = parse_esearch(body)
        except SourceError as exc:
            raise self._redacted(exc) from None
        if not from_cache:
            self.cache.put_response(ESEARCH_URL, params, body)  # only bodies that parsed cleanly
        return SearchResult(
            query=query, term=term, source=SOURCE, ids=result.ids, count=result.count,
            from_cache=from_cache, notes=result.notes,
        )

    # --- efetch --------------------------------------------------------------------------

    def fetch(self, pmids: Sequence[str]) -> list[Record]:
        """Records for the PMIDs, in the order asked; cached documents first, efetch the rest.

        PMIDs PubMed does not return (unknown, deleted, books) are left out and listed in
        `last_missing`.
        """
        wanted = list(dict.fromkeys(p.strip() for p in pmids if p and p.strip()))
        records: dict[str, Record] = {}
        for pmid, doc in self.cache.get_documents(SOURCE, wanted).items():
            try:
                records.update((r.pmid, r) for r in parse_pubmed_xml(doc) if r.pmid == pmid)
            except SourceError:
                log.warning("pubmed: cached document for PMID %s is unreadable; fetching it again", pmid)
        missing = [p for p in wanted if p not in records]
        if missing and plan(None, self.settings.offline).miss:  # the policy for what is not cached
            shown = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
            raise OfflineMiss(
                SOURCE,
                f"{len(missing)} PubMed record(s) not in the cache: {shown}",
                "run once without --offline to fill the cache, or use --source local --corpus DB",
            )
        for start in range(0, len(missing), EFETCH_BATCH):
            batch = missing[start : start + EFETCH_BATCH]
            params = {"db": "pubmed", "id": ",".join(batch), "retmode": "xml"}
            body = self._call("efetch", "efetch.fcgi", params, split_articles)
            # Only the PMIDs asked for, one copy each, and the records read from exactly the copies
            # stored: an --offline rerun reports the same, and an answer cannot plant other records.
            try:  # validated by _call; parsed here before anything is cached
                docs = to_store(batch, split_articles(body))
                parsed = {pmid: [r for r in parse_pubmed_xml(doc) if r.pmid == pmid] for pmid, doc in docs.items()}
            except SourceError as exc:
                raise self._redacted(exc) from None
            self.cache.put_documents(SOURCE, docs)
            records.update((pmid, found[0]) for pmid, found in parsed.items() if found)
        self.last_missing = tuple(p for p in wanted if p not in records)
        if self.last_missing:
            log.warning("pubmed: %d PMID(s) not returned: %s", len(self.last_missing), ", ".join(self.last_missing))
        return [records[p] for p in wanted if p in records]
