"""Polite HTTP GET for the JSON and HTML services (Crossref, Europe PMC, landing pages).

One `HttpClient` per service: every request goes through the SQLite cache, the cross-process
rate limiter, a timeout on the whole request (so a slow drip cannot stall a run), a cap on the
body size, and exponential backoff on 429, 5xx and connection errors that honours Retry-After.
A body is cached only after the caller's `validate` accepted it, so nothing malformed is stored.
A client for URLs that come from input (`untrusted`: landing pages, articles) checks every
URL and redirect hop against the URL policy (urlpolicy.py) before anything is sent.
The caller's identity (mailto, email, api keys) is sent but never part of a cache key or message.
"""

from __future__ import annotations

import email.utils
import errno
import logging
import re
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from pipeline.cache import Cache
from pipeline.config import MAX_BACKOFF, SECRET_PARAMS, Settings, redact
from pipeline.cache_policy import plan
from pipeline.errors import OfflineMiss, ParseError, RefusedUrl, SourceError
from pipeline.urlpolicy import MAX_REDIRECTS, check_url

log = logging.getLogger(__name__)


class _RedactUrls(logging.Filter):
    """urllib3 logs every request's full URL at DEBUG level: take the identity parameters out."""

    _SECRET = re.compile(r"\b(" + "|".join(sorted(SECRET_PARAMS)) + r")=[^&\s\"']*", re.IGNORECASE)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self._SECRET.sub(r"\1=***", message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_RedactUrls())

MAX_RETRY_AFTER = 120.0  # seconds; a longer Retry-After would stall a run, so we cap it
CHUNK = 64 * 1024
NETWORK_HINT = "check your connection, or run with --offline / --source local"


class NotFound(SourceError):
    """The service answered 404: the thing asked for does not exist (not a failure to retry)."""


def retry_after_seconds(headers: Mapping[str, Any] | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), capped; None if absent."""
    value = headers.get("Retry-After") if headers is not None else None
    if not value:
        return None
    value = str(value).strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


@dataclass(frozen=True)
class Fetched:
    body: bytes
    url: str
    from_cache: bool


class Unreachable(SourceError):
    """Every try failed to connect at all (DNS, refused, connect timeout): the service is down or
    the network is; a service that accepts connections and then fails is not 'unreachable'."""


class _Retry(Exception):
    """One attempt failed in a way worth trying again."""

    def __init__(self, problem: str, delay: float | None = None, connected: bool = True,
                 absent: bool = False) -> None:
        super().__init__(problem)
        self.problem = problem
        self.delay = delay
        self.connected = connected  # False: no connection could be made
        self.absent = absent  # True: no network at all (no name resolves, no route): retrying cannot help


def network_absent(reason: object) -> bool:
    """The host name could not be resolved or there is no route: the machine has no network, which
    no retry within a run will change (a refused or timed-out connection is still retried)."""
    cause = getattr(reason, "__cause__", None) or getattr(reason, "__context__", None)
    return (isinstance(reason, urllib3.exceptions.NameResolutionError) or isinstance(cause, socket.gaierror)
            or getattr(cause, "errno", None) in (errno.ENETUNREACH, errno.EHOSTUNREACH))


class HttpClient:
    """GETs for one service (`source`, e.g. "crossref"), rate-limited per host across processes.

    `untrusted`: the URLs come from claims files or articles, not from the operator's settings;
    each one and each redirect hop must pass the URL policy.
    """

    def __init__(
        self,
        settings: Settings,
        cache: Cache,
        source: str,
        per_second: float,
        identity: Mapping[str, str] | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        untrusted: bool = False,
    ) -> None:
        self.settings = settings
        self.untrusted = untrusted
        self.cache = cache
        self.source = source
        self.per_second = per_second
        self.identity = dict(identity or {})  # e.g. {"mailto": email}: sent, never cached or logged
        self.session = session or requests.Session()
        self.session.headers.setdefault(
            "User-Agent", f"{settings.tool} (https://github.com/factcheck-pipeline; mailto:{settings.email})"
        )
        self.sleep = sleep

    def _safe(self, text: str) -> str:
        return redact(text, self.settings)

    def get(
        self,
        url: str,
        params: Mapping[str, object] | None = None,
        *,
        what: str,
        validate: Callable[[bytes], None] = lambda body: None,
    ) -> Fetched:
        """The body of a GET, from the cache or the service; `validate` raises ParseError on junk.

        Raises NotFound on 404, SourceError on other refusals or when every try failed, and
        OfflineMiss when offline and nothing is cached.
        """
        params = dict(params or {})
        action = plan(self.cache.get_response(url, params), self.settings.offline)
        if action.serve:
            return Fetched(action.cached, url, True)
        if action.miss:
            raise OfflineMiss(self.source, f"{what}: not in the cache", "run once without --offline to fill the cache")
        body = self.send("GET", url, params={**params, **self.identity}, what=what, validate=validate,
                         recheck=lambda: self.cache.get_response(url, params))
        self.cache.put_response(url, params, body)
        return Fetched(body, url, False)

    def send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, object] | None = None,
        data: bytes | None = None,
        what: str,
        validate: Callable[[bytes], None] = lambda body: None,
        recheck: Callable[[], bytes | None] = lambda: None,
    ) -> bytes:
        """One request, retried with backoff; no cache. `url`/`params`/`data` are sent as given.

        For callers that build their own requests (PubMed: Bio.Entrez's request builder) and
        cache the result their own way. `recheck` looks in the cache again while waiting for a
        rate-limit slot: another run sharing the cache may have stored the answer meanwhile,
        and asking again would be a duplicate request. Same errors as `get`, except OfflineMiss.
        """
        tries = max(1, self.settings.max_tries)
        problem = ""
        connected = False
        for attempt in range(tries):
            delay = min(self.settings.backoff_base * 2**attempt, MAX_BACKOFF)
            try:
                body = self._attempt(method, url, params, data, what, recheck)
                validate(body)
            except _Retry as retry:
                problem = retry.problem
                delay = retry.delay if retry.delay is not None else delay
                connected = connected or retry.connected
                if retry.absent and not connected:
                    break
            except ParseError as exc:
                problem = self._safe(exc.message.removeprefix(f"{self.source}: "))
                connected = True
            else:
                return body
            log.info("%s %s: attempt %d/%d failed (%s)", self.source, what, attempt + 1, tries, problem)
            if attempt < tries - 1:
                self.sleep(delay)
        error = SourceError if connected else Unreachable
        made = f"{attempt + 1} {'try' if attempt == 0 else 'tries'}"
        raise error(self.source, f"{what}: no usable answer after {made} (last: {problem})", NETWORK_HINT)

    def _attempt(
        self, method: str, url: str, params: Mapping[str, object] | None, data: bytes | None, what: str,
        recheck: Callable[[], bytes | None],
    ) -> bytes:
        """One request: status handling, a deadline on the whole body, and the size cap."""
        if self.untrusted:  # before taking a rate-limit slot: a refused URL costs nothing
            self._check(url)
        stored = self.cache.wait_for_slot(urlsplit(url).netloc or url, self.per_second, recheck)
        if stored is not None:
            return stored
        deadline = time.monotonic() + self.settings.timeout
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if data is not None else None
        try:
            response = self._open(method, url, params, data, headers, what)
        except requests.RequestException as exc:
            reason = getattr(exc.args[0], "reason", None) if exc.args else None
            connected = not (isinstance(exc, requests.ConnectTimeout)
                             or isinstance(reason, urllib3.exceptions.NewConnectionError))
            raise _Retry(self._safe(type(exc).__name__ + ": " + str(exc)), connected=connected,
                         absent=network_absent(reason)) from None
        with response:
            status = response.status_code
            if status == 404:
                raise NotFound(self.source, f"{what}: not found (HTTP 404)")
            if status == 429 or status >= 500:
                raise _Retry(f"HTTP {status}", retry_after_seconds(response.headers))
            if status >= 400:
                raise SourceError(
                    self.source, f"{what}: the service refused the request (HTTP {status})",
                    "this is not a temporary failure; check the request",
                )
            body = self._read_body(response, deadline, what)
        if not body.strip():
            raise _Retry("empty body")
        return body

    def _check(self, url: str) -> None:
        """The URL policy; a host that does not resolve is a connection failure worth retrying."""
        try:
            check_url(url, self.source, self.settings.allow_private_hosts)
        except OSError as exc:
            raise _Retry(f"{urlsplit(url).hostname}: does not resolve ({exc})", connected=False) from None

    def _open(self, method: str, url: str, params: Mapping[str, object] | None, data: bytes | None,
              headers: dict[str, str] | None, what: str) -> requests.Response:
        """The response; for untrusted URLs each redirect hop is checked, at most MAX_REDIRECTS."""
        if not self.untrusted:
            return self.session.request(method, url, params=params, data=data, headers=headers,
                                        timeout=self.settings.timeout, stream=True)
        for _hop in range(MAX_REDIRECTS + 1):
            response = self.session.request(method, url, params=params, data=data, headers=headers,
                                            timeout=self.settings.timeout, stream=True, allow_redirects=False)
            if not response.is_redirect:
                return response
            response.close()
            url, params = urljoin(response.url, response.headers["Location"]), None
            if response.status_code == 303:
                method, data, headers = "GET", None, None
            self._check(url)
        raise RefusedUrl(self.source, f"{what}: more than {MAX_REDIRECTS} redirects; nothing more was fetched",
                         "give the address the page finally lives at")

    def _read_body(self, response: requests.Response, deadline: float, what: str) -> bytes:
        """The body, refused past the size cap and given up on past the deadline.

        `read1` returns whatever has arrived, so a body dripped a byte at a time still meets the
        deadline check (a plain read(CHUNK) would wait for the whole chunk).
        """
        limit = self.settings.max_body_bytes
        too_big = SourceError(  # not retried: it would be as large again
            self.source, f"{what}: the answer is larger than {limit} bytes",
            "narrow the request, or raise FACTCHECK_MAX_BODY_MB",
        )
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise too_big
        chunks: list[bytes] = []
        size = 0
        try:
            while chunk := response.raw.read1(CHUNK, decode_content=True):
                chunks.append(chunk)
                size += len(chunk)
                if size > limit:
                    raise too_big
                if time.monotonic() > deadline:
                    raise _Retry(f"body not complete after {self.settings.timeout:g} s")
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise _Retry(self._safe(type(exc).__name__ + ": " + str(exc))) from None
        return b"".join(chunks)
