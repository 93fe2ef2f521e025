"""A real HTTP server on 127.0.0.1 that answers each path prefix with a recorded body (tests only)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Reply = tuple  # (status, content type, body) or (status, content type, body, {header: value})
NOT_FOUND: Reply = (404, "text/plain", b"Resource not found.")


def _next(reply: Reply | list[Reply]) -> Reply:
    """A route's reply; a list is served in order, its last reply again and again."""
    if isinstance(reply, list):
        return reply.pop(0) if len(reply) > 1 else reply[0]
    return reply


@contextmanager
def replay(routes: dict[str, Reply | list[Reply]]) -> Iterator[tuple[str, list[str]]]:
    """Serve `routes` ({path prefix: reply or replies}, longest prefix wins; else 404).

    Yields (base URL, paths seen). `routes` is read at each request, so a test may fill it later.
    """
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            seen.append(self.path)
            prefix = max((p for p in routes if self.path.startswith(p)), key=len, default=None)
            status, ctype, body, *extra = _next(routes[prefix]) if prefix is not None else NOT_FOUND
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            for name, value in (extra[0] if extra else {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", seen
    finally:
        httpd.shutdown()
        httpd.server_close()
