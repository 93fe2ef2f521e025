"""HttpClient against a real HTTP server on 127.0.0.1 that answers from a script of replies."""

from __future__ import annotations

import email.message
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pipeline.config import Settings
from pipeline.errors import OfflineMiss, ParseError, SourceError
from pipeline.http import MAX_RETRY_AFTER, HttpClient, NotFound, retry_after_seconds


class _Script:
    """Replies served in order (the last one repeats) and the request paths seen."""

    def __init__(self) -> None:
        self.replies: list[tuple[int, dict[str, str], bytes]] = []
        self.paths: list[str] = []


@pytest.fixture
def server():
    script = _Script()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            script.paths.append(self.path)
            status, headers, body = script.replies.pop(0) if len(script.replies) > 1 else script.replies[0]
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield script, f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


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
    script, base = server
    script.replies = [(200, {}, b'{"ok": 1}')]
    client = _client(memory_cache, [])
    first = client.get(base + "works", {"query": "x"}, what="search", validate=_json_only)
    second = client.get(base + "works", {"query": "x"}, what="search", validate=_json_only)
    assert (first.body, first.from_cache, second.from_cache) == (b'{"ok": 1}', False, True)
    assert len(script.paths) == 1 and "mailto=sentinel-email" in script.paths[0]
    stored = memory_cache._db.execute("SELECT key, params FROM responses").fetchall()
    assert "sentinel" not in repr(stored)


def test_429_then_success_waits_as_retry_after_says(server, memory_cache):
    script, base = server
    script.replies = [(429, {"Retry-After": "7"}, b"slow down"), (503, {}, b"busy"), (200, {}, b"{}")]
    sleeps: list[float] = []
    assert _client(memory_cache, sleeps).get(base, what="x", validate=_json_only).body == b"{}"
    assert sleeps == [7.0, 1.0]  # Retry-After honoured, then the backoff for the 2nd attempt


def test_junk_with_status_200_is_retried_and_never_cached(server, memory_cache):
    script, base = server
    script.replies = [(200, {}, b"<html>error</html>")]
    with pytest.raises(SourceError, match="3 tries.*not JSON"):
        _client(memory_cache, []).get(base, what="x", validate=_json_only)
    assert memory_cache.get_response(base, {}) is None and len(script.paths) == 3


def test_404_is_not_found_at_once(server, memory_cache):
    script, base = server
    script.replies = [(404, {}, b"Resource not found.")]
    with pytest.raises(NotFound):
        _client(memory_cache, []).get(base, what="x")
    assert len(script.paths) == 1


def test_oversized_body_is_refused_without_retrying(server, memory_cache):
    script, base = server
    script.replies = [(200, {}, b"{" + b" " * 300_000)]
    with pytest.raises(SourceError, match="larger than"):
        _client(memory_cache, [], max_body_bytes=100_000).get(base, what="x")
    assert len(script.paths) == 1


def test_offline_never_sends(server, memory_cache):
    script, base = server
    script.replies = [(200, {}, b"{}")]
    with pytest.raises(OfflineMiss):
        _client(memory_cache, [], offline=True).get(base, what="x")
    assert script.paths == []


def test_retry_after_http_date():
    headers = email.message.Message()
    headers["Retry-After"] = "Wed, 21 Oct 2015 07:28:00 GMT"  # in the past: no wait
    assert retry_after_seconds(headers) == 0.0
    headers.replace_header("Retry-After", "100000")
    assert retry_after_seconds(headers) == MAX_RETRY_AFTER
    assert retry_after_seconds(email.message.Message()) is None
    assert re.fullmatch(r"[\d.]+", str(retry_after_seconds(headers)))
