"""Web pages: journal landing pages (Highwire `citation_*` meta tags) and their visible text.

Build is the URL itself; send goes through HttpClient (polite, cached, size-capped); parsing with
BeautifulSoup is pure. A 403 or a bot wall is "no data", not a failure of the run.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bs4 import BeautifulSoup

from pipeline.cache import Cache
from pipeline.config import Settings
from pipeline.errors import ParseError
from pipeline.http import HttpClient
from pipeline.types import LandingPage
from pipeline.text import normalize_space

SOURCE = "landing"
PER_SECOND = 1.0  # one page a second per host: these are publishers' web servers, not APIs
_SKIP_TAGS = ("script", "style", "noscript", "template", "svg", "head")


def _visible(soup: BeautifulSoup) -> str:
    """The text a reader sees (scripts, styles and the head dropped), whitespace collapsed."""
    for tag in soup(_SKIP_TAGS):
        tag.decompose()
    return normalize_space(soup.get_text(" "))


def html_text(html: str | bytes) -> str:
    """The visible text of HTML or JATS markup."""
    return _visible(BeautifulSoup(html, "lxml")) if html else ""


def _meta(soup: BeautifulSoup, *names: str) -> list[str]:
    for name in names:
        values = [normalize_space(m.get("content") or "")
                  for m in soup.find_all("meta", attrs={"name": re.compile(f"^{re.escape(name)}$", re.I)})]
        values = [v for v in values if v]
        if values:
            return values
    return []


def parse_landing(html: str | bytes, url: str) -> LandingPage:
    """Meta tags (Highwire first, Dublin Core as fallback) and the visible text of a page."""
    soup = BeautifulSoup(html, "lxml")

    def first(*names: str) -> str | None:
        return next(iter(_meta(soup, *names)), None)

    doi = first("citation_doi", "dc.identifier", "DC.identifier")
    if doi:  # "doi:10.x/y" and https://doi.org/ forms; Project Euclid puts non-DOIs here
        doi = re.sub(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", "", doi, flags=re.I)
        doi = doi if doi.startswith("10.") else None
    title_tag = soup.find("title")
    page = LandingPage(
        url=url,
        title=first("citation_title", "dc.title") or (normalize_space(title_tag.get_text()) if title_tag else None),
        doi=doi,
        date=first("citation_publication_date", "citation_date", "citation_online_date", "dc.date"),
        journal=first("citation_journal_title", "citation_conference_title", "prism.publicationName"),
        authors=tuple(_meta(soup, "citation_author", "dc.creator")),
    )
    return replace(page, text=_visible(soup))


# --- quotes (pure) ---------------------------------------------------------------------------


# --- send ------------------------------------------------------------------------------------


def _looks_like_html(body: bytes) -> None:
    head = body[:2048].lower()
    if b"<html" not in head and b"<!doctype" not in head and b"<meta" not in head:
        raise ParseError(SOURCE, "the page is not HTML", "give the URL of the web page, not a PDF or a download")


class LandingClient:
    """Fetches pages politely through the cache (one per second per host)."""

    name = SOURCE

    def __init__(self, settings: Settings, cache: Cache, http: HttpClient | None = None) -> None:
        # the URLs come from claims files: every one and every redirect passes the URL policy
        self.http = http or HttpClient(settings, cache, SOURCE, PER_SECOND, untrusted=True)

    def page(self, url: str) -> LandingPage:
        fetched = self.http.get(url, what=f"page {url}", validate=_looks_like_html)
        return parse_landing(fetched.body, url)
