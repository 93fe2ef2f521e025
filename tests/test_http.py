"""HttpClient against a real HTTP server on 127.0.0.1 that answers from a script of replies."""

from __future__ import annotations

import email.message
import re

import pytest

from pipeline.config import Settings
from pipeline.errors import OfflineMiss, ParseError, SourceError
from pipeline.http import MAX_RETRY_AFTER, HttpClient, NotFound, retry_after_seconds
from replay_server import replay


@pytest.fixture
def server():
    """(routes to fill, paths seen, base URL) of a real server on 127.0.0.1."""
    routes: dict = {}
    with replay(routes) as (base, seen):
        yield routes, seen, base


def _client(memory_cache, sleeps, **settings) -> HttpClient:
    base = Settings(email="sentinel-email@example.org", max_tries=3, backoff_base=0.5, timeout=5.0)
    return HttpClient(
        Settings(**{**base.__dict__, **settings}), memory_cache, "test", per_second=1000.0,
        identity={"mailto": "sentinel-email@example.org"}, sleep=sleeps.append,
    )


def _json_only(body: bytes) -> None:
    if not body.startswith(b"{"):
        raise ParseError("test", "not JSON")


def test_get_caches_a_good_body_without_the_identity(server, memory_cache):
    routes, seen, base = server
    routes["/"] = [(200, "text/plain", b'{"ok": 1}')]
    client = _client(memory_cache, [])
    first = client.get(base + "works", {"query": "x"}, what="search", validate=_json_only)
    second = client.get(base + "works", {"query": "x"}, what="search", validate=_json_only)
    assert (first.body, first.from_cache, second.from_cache) == (b'{"ok": 1}', False, True)
    assert len(seen) == 1 and "mailto=sentinel-email" in seen[0]
    stored = memory_cache._db.execute("SELECT key, params FROM responses").fetchall()
    assert "sentinel" not in repr(stored)


def test_429_then_success_waits_as_retry_after_says(server, memory_cache):
    routes, seen, base = server
    routes["/"] = [(429, "text/plain", b"slow down", {"Retry-After": "7"}), (503, "text/plain", b"busy"), (200, "text/plain", b"{}")]
    sleeps: list[float] = []
    assert _client(memory_cache, sleeps).get(base, what="x", validate=_json_only).body == b"{}"
    assert sleeps == [7.0, 1.0]  # Retry-After honoured, then the backoff for the 2nd attempt


def test_junk_with_status_200_is_retried_and_never_cached(server, memory_cache):
    routes, seen, base = server
    routes["/"] = [(200, "text/plain", b"<html>error</html>")]
    with pytest.raises(SourceError, match="3 tries.*not JSON"):
        _client(memory_cache, []).get(base, what="x", validate=_json_only)
    assert memory_cache.get_response(base, {}) is None and len(seen) == 3


def test_404_is_not_found_at_once(server, memory_cache):
    routes, seen, base = server
    routes["/"] = [(404, "text/plain", b"Resource not found.")]
    with pytest.raises(NotFound):
        _client(memory_cache, []).get(base, what="x")
    assert len(seen) == 1


def test_oversized_body_is_refused_without_retrying(server, memory_cache):
    routes, seen, base = server
    routes["/"] = [(200, "text/plain", b"{" + b" " * 300_000)]
    with pytest.raises(SourceError, match="larger than"):
        _client(memory_cache, [], max_body_bytes=100_000).get(base, what="x")
    assert len(seen) == 1


def test_offline_never_sends(server, memory_cache):
    routes, seen, base = server
    routes["/"] = [(200, "text/plain", b"{}")]
    with pytest.raises(OfflineMiss):
        _client(memory_cache, [], offline=True).get(base, what="x")
    assert seen == []


def test_retry_after_http_date():
    headers = email.message.Message()
    headers["Retry-After"] = "Wed, 21 Oct 2015 07:28:00 GMT"  # in the past: no wait
    assert retry_after_seconds(headers) == 0.0
    headers.replace_header("Retry-After", "100000")
    assert retry_after_seconds(headers) == MAX_RETRY_AFTER
    assert retry_after_seconds(email.message.Message()) is None
    assert re.fullmatch(r"[\d.]+", str(retry_after_seconds(headers)))
