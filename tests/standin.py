"""A fault-injecting stand-in for E-utilities, Crossref and Europe PMC on 127.0.0.1, for tests.

It serves recorded real bodies from ../shared/data (see the PROVENANCE.md files there):

- `entrez/eutils/esearch.fcgi`: the recorded esearch answer `eutils-samples/entrez/esearch1.xml`,
  its IdList (and Count, QueryTranslation) swapped for PMIDs of the article store, picked from a
  hash of the term, so every query gets a stable, real-looking answer;
- `entrez/eutils/efetch.fcgi` (GET or POST): a PubmedArticleSet of the requested PMIDs, each a
  real <PubmedArticle> from the recorded efetch answers and PubMed XML files (the article store);
- `crossref/...`: a recorded Crossref work; `europepmc/...`: a recorded Europe PMC search.

A test plans what the next matching requests get: a `Reply` (any status, headers, body) or a
fault by name (see FAULTS). Every request is logged with its arrival time, method, route and
parameters in `seen`, so tests can count requests and measure rates at the server.

Usage: `with StandIn() as server: settings = Settings(eutils_base=server.eutils, ...)`.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import socket
import sqlite3
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import yaml
from lxml import etree

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
EUTILS = DATA / "eutils-samples"
HTTP_SAMPLES = DATA / "http-samples"

OK = "ok"  # a planned normal answer, to space faults out
FAULTS = {
    "429": "HTTP 429 without Retry-After",
    "429-retry-after": "HTTP 429 with Retry-After: 1",
    "500": "HTTP 500", "502": "HTTP 502", "503": "HTTP 503",
    "timeout": "no answer at all until the client gives up",
    "reset": "the connection is reset (TCP RST) before any answer",
    "cut": "the body stops half-way and the connection closes (short of Content-Length)",
    "truncated": "HTTP 200 with the first half of the body (the XML or JSON is cut)",
    "html": "HTTP 200 with a recorded HTML error page instead of XML/JSON",
    "empty": "HTTP 200 with an empty body",
    "huge": "HTTP 200 with a 50 MB body and no Content-Length",
    "drip": "the body arrives a few bytes at a time, slower than the client's deadline",
}
HUGE_BYTES = 50 * 2**20


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Seen:
    time: float  # time.time() when the request line and headers had arrived
    method: str
    route: str  # esearch, efetch, crossref, europepmc or the path
    params: dict[str, str]
    answer: str  # "ok", a fault name or "reply <status>"


@dataclass
class _Plan:
    answer: Reply | str
    route: str | None
    times: int | None  # None: every matching request
    term: str | None  # only esearch requests whose term contains this


@dataclass
class ArticleStore:
    """Real <PubmedArticle> elements by PMID, read once from the recorded files."""

    header: bytes = b""
    articles: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    @functools.cache
    def load(cls) -> "ArticleStore":
        store = cls()
        files = sorted((EUTILS / "entrez").glob("pubmed*.xml")) + [EUTILS / "klortho" / "efetch.pubmed.xml"]
        files += sorted((DATA / "pubmed-xml").glob("*.xml*"))
        parser = etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False, huge_tree=False)
        for path in files:
            if not path.exists():
                continue
            data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
            if not store.header and b"<PubmedArticleSet>" in data:
                store.header = data[: data.index(b"<PubmedArticleSet>")]
            root = etree.fromstring(data, parser)
            for article in ([root] if root.tag == "PubmedArticle" else root.iter("PubmedArticle")):
                pmid = article.findtext("MedlineCitation/PMID")
                if pmid and article.find("MedlineCitation/Article/Abstract") is not None:
                    store.articles.setdefault(pmid, etree.tostring(article, encoding="UTF-8"))
        return store

    def pick(self, term: str, how_many: int) -> list[str]:
        """A stable choice of PMIDs for a term (the same term always gets the same ones)."""
        pmids = sorted(self.articles)
        seed = int(hashlib.sha256(term.encode()).hexdigest(), 16)
        return [pmids[(seed >> (8 * i)) % len(pmids)] for i in range(how_many)]

    def article_set(self, pmids: list[str]) -> bytes:
        found = [self.articles[p] for p in dict.fromkeys(pmids) if p in self.articles]
        return self.header + b"<PubmedArticleSet>\n" + b"\n".join(found) + b"\n</PubmedArticleSet>\n"


# --- helpers for whole runs against the stand-in ---------------------------------------------

REPO = Path(__file__).resolve().parent.parent
CLAIM_IDS = ("responders-exposure", "origin-anaesthetic", "rapid-relief", "jts-2021-87-percent")


def small_claims(path: Path) -> Path:
    """Four claims of the project's claims.yaml (one with cited sources), to keep runs short."""
    data = yaml.safe_load((REPO / "claims.yaml").read_text())
    data["claims"] = [c for c in data["claims"] if c["id"] in CLAIM_IDS]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def stored_search_keys(cache: Path) -> set[str]:
    """Keys of the responses a cache file holds; the file must pass SQLite's integrity check."""
    with sqlite3.connect(cache) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return {row[0] for row in db.execute("SELECT key FROM responses")}


def max_in_any_window(times: list[float], width: float = 1.0) -> int:
    """The most arrivals inside any window [t, t + width) (it suffices to start at each arrival)."""
    times = sorted(times)
    best, end = 0, 0
    for start, t in enumerate(times):
        while end < len(times) and times[end] < t + width:
            end += 1
        best = max(best, end - start)
    return best


def claims_of(report: dict) -> dict[str, dict]:
    """What a JSON report says about each claim (not when it was generated)."""
    keep = ("verdict", "confidence", "reasons", "sources", "error")
    return {c["id"]: {k: c.get(k) for k in keep} for c in report["claims"]}


class StandIn:
    """The server; `eutils`, `crossref` and `europepmc` are base URLs for Settings."""

    def __init__(self, hang_seconds: float = 3.0, drip_interval: float = 0.05, hits: tuple[int, int] = (2, 5)) -> None:
        self.hang_seconds = hang_seconds  # how long "timeout" keeps the client waiting
        self.drip_interval = drip_interval  # seconds between the 8-byte pieces of "drip"
        self.hits = hits  # min and max PMIDs per esearch answer
        self.seen: list[Seen] = []
        self._plans: list[_Plan] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.store = ArticleStore.load()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self.base = f"http://127.0.0.1:{self._httpd.server_address[1]}/"
        self.eutils = self.base + "entrez/eutils/"
        self.crossref = self.base + "crossref/"
        self.europepmc = self.base + "europepmc/"

    # --- control --------------------------------------------------------------------------

    def plan(self, *answers: Reply | str, route: str | None = None, times: int | None = 1,
             term: str | None = None) -> None:
        """The next matching requests get these answers, in order (each `times` times)."""
        for answer in answers:
            if isinstance(answer, str) and answer not in FAULTS and answer != OK:
                raise ValueError(f"unknown fault {answer!r}; known: {', '.join(FAULTS)}")
            with self._lock:
                self._plans.append(_Plan(answer, route, times, term))

    def clear(self) -> None:
        """Forget every planned answer: from now on, only normal ones."""
        with self._lock:
            self._plans.clear()

    def run_env(self, api_key: str | None = None, email: str = "standin@example.org") -> dict[str, str]:
        """Environment variables that point `factcheck run` here, with fast retries."""
        env = {"FACTCHECK_EUTILS_URL": self.eutils, "FACTCHECK_CROSSREF_URL": self.crossref,
               "FACTCHECK_EUROPEPMC_URL": self.europepmc, "FACTCHECK_BACKOFF": "0.01",
               "FACTCHECK_MAX_TRIES": "3", "NCBI_EMAIL": email}
        return {**env, "NCBI_API_KEY": api_key} if api_key else env

    def requests(self, route: str | None = None) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if route is None or s.route == route]

    def __enter__(self) -> "StandIn":
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    # --- answers ----------------------------------------------------------------------------

    def _take(self, route: str, params: dict[str, str]) -> Reply | str | None:
        with self._lock:
            for plan in self._plans:
                if plan.route not in (None, route) or (plan.term and plan.term not in params.get("term", "")):
                    continue
                if plan.times is not None:
                    plan.times -= 1
                    if plan.times <= 0:
                        self._plans.remove(plan)
                return plan.answer
        return None

    def _body(self, route: str, params: dict[str, str]) -> tuple[bytes, str]:
        """The normal answer for a route: (body, content type)."""
        if route == "esearch":
            term = params.get("term", "")
            low, high = self.hits
            count = low + int(hashlib.sha256(term.encode()).hexdigest(), 16) % (high - low + 1)
            pmids = self.store.pick(term, count)[: int(params.get("retmax", count))]
            # Read here, not at start: tests that script every reply run without ../shared.
            root = etree.fromstring((EUTILS / "entrez" / "esearch1.xml").read_bytes())
            root.find("Count").text = str(count)
            root.find("RetMax").text = str(len(pmids))
            id_list = root.find("IdList")
            for old in list(id_list):
                id_list.remove(old)
            for pmid in pmids:
                etree.SubElement(id_list, "Id").text = pmid
            for tag in ("TranslationSet", "TranslationStack"):
                for el in root.findall(tag):
                    root.remove(el)
            root.find("QueryTranslation").text = term
            return etree.tostring(root, encoding="UTF-8", xml_declaration=True), "text/xml; charset=UTF-8"
        if route == "efetch":
            return self.store.article_set(params.get("id", "").split(",")), "text/xml; charset=UTF-8"
        if route == "crossref":
            return (HTTP_SAMPLES / "crossref" / "habanero_work_pone.0020476.json").read_bytes(), "application/json"
        if route == "europepmc":
            return (HTTP_SAMPLES / "europepmc" / "pyeuropepmc_search_cancer.json").read_bytes(), "application/json"
        return b"no such route", "text/plain"

    def _html_page(self, route: str) -> bytes:
        if route in ("esearch", "efetch"):
            return (EUTILS / "entrez" / "pubmed3.html").read_bytes()
        return (HTTP_SAMPLES / "crossref" / "rcrossref_journals_facet_504.html").read_bytes()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                self._serve(b"")

            def do_POST(self) -> None:  # noqa: N802
                self._serve(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

            def log_message(self, *args: object) -> None:
                pass

            def _serve(self, form: bytes) -> None:
                arrived = time.time()
                parts = urlsplit(self.path)
                query = parts.query + ("&" if parts.query and form else "") + form.decode("latin-1")
                params = {k: v[0] for k, v in parse_qs(query).items()}
                path = parts.path.removeprefix("/")
                route = {"entrez/eutils/esearch.fcgi": "esearch", "entrez/eutils/efetch.fcgi": "efetch"}.get(
                    path, path.split("/", 1)[0])
                answer = server._take(route, params)
                answer = None if answer == OK else answer
                label = OK if answer is None else answer if isinstance(answer, str) else f"reply {answer.status}"
                with server._lock:
                    server.seen.append(Seen(arrived, self.command, route, params, label))
                try:
                    self._answer(route, params, answer)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (size cap, deadline): that is the point

            def _send(self, status: int, content_type: str, length: int | None = None,
                      headers: tuple[tuple[str, str], ...] = ()) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                for name, value in headers:
                    self.send_header(name, value)
                if length is not None:
                    self.send_header("Content-Length", str(length))
                self.end_headers()

            def _answer(self, route: str, params: dict[str, str], answer: Reply | str | None) -> None:
                if isinstance(answer, Reply):
                    headers = dict(answer.headers)
                    content_type = headers.pop("Content-Type", "text/xml; charset=UTF-8")
                    self._send(answer.status, content_type, len(answer.body), tuple(headers.items()))
                    self.wfile.write(answer.body)
                    return
                body, content_type = server._body(route, params)
                if answer is None:
                    self._send(200, content_type, len(body))
                    self.wfile.write(body)
                elif answer in ("429", "429-retry-after", "500", "502", "503"):
                    status = int(answer[:3])
                    extra = (("Retry-After", "1"),) if answer == "429-retry-after" else ()
                    error = b'{"error":"API rate limit exceeded","count":"4"}' if status == 429 else b"<html><body>Server Error</body></html>"
                    self._send(status, "text/html", len(error), extra)
                    self.wfile.write(error)
                elif answer == "timeout":
                    server._stop.wait(server.hang_seconds)
                    self.close_connection = True
                elif answer == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    self.close_connection = True
                elif answer == "cut":
                    self._send(200, content_type, len(body))
                    self.wfile.write(body[: len(body) // 2])
                    self.close_connection = True
                elif answer == "truncated":
                    half = body[: len(body) // 2]
                    self._send(200, content_type, len(half))
                    self.wfile.write(half)
                elif answer == "html":
                    page = server._html_page(route)
                    self._send(200, "text/html; charset=UTF-8", len(page))
                    self.wfile.write(page)
                elif answer == "empty":
                    self._send(200, content_type, 0)
                elif answer == "huge":
                    self._send(200, content_type)  # no length: the client must count
                    chunk = b"<" + b"x" * (2**20 - 1)
                    for _ in range(HUGE_BYTES // len(chunk)):
                        self.wfile.write(chunk)
                    self.close_connection = True
                elif answer == "drip":
                    self._send(200, content_type, len(body))
                    for start in range(0, len(body), 8):
                        if server._stop.wait(server.drip_interval):
                            break
                        self.wfile.write(body[start : start + 8])
                        self.wfile.flush()

        return Handler
