"""A real HTTP server on 127.0.0.1 that answers each path prefix with a recorded body (tests only)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Reply = tuple[int, str, bytes]  # status, content type, body


@contextmanager
def replay(routes: dict[str, Reply]) -> Iterator[tuple[str, list[str]]]:
    """Serve `routes` ({path prefix: reply}, longest prefix wins; else 404); yields (base URL, paths seen)."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            seen.append(self.path)
            prefix = max((p for p in routes if self.path.startswith(p)), key=len, default=None)
            status, ctype, body = routes[prefix] if prefix is not None else (404, "text/plain", b"Resource not found.")
            self.send_response(status)
            self.send_header("Content-Type", ctype)
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
