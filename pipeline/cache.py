"""SQLite store for raw HTTP responses and per-record documents, plus a cross-process rate limiter.

Keys never contain secrets: `request_key` drops email, tool, api_key and mailto before hashing.
Only successful, parsed-and-checked bodies are stored; callers decide that before `put_*`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from pipeline.config import SECRET_PARAMS
from pipeline.errors import InputError

log = logging.getLogger(__name__)

# Slots are spaced 10% wider than 1/rate (Bio.Entrez uses 0.37 s for 3/s) so that a request sent
# a little late, after a busy scheduler, still never puts rate+1 requests in one second.
SPACING = 1.1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    params TEXT NOT NULL,
    body BLOB NOT NULL,
    fetched_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    body BLOB NOT NULL,
    fetched_at REAL NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE TABLE IF NOT EXISTS rate_limit (
    host TEXT PRIMARY KEY,
    next_slot REAL NOT NULL
);
"""


def public_params(params: Mapping[str, object]) -> dict[str, str]:
    """The request parameters without the caller's identity and secrets, sorted."""
    return {k: str(v) for k, v in sorted(params.items()) if k.lower() not in SECRET_PARAMS}


def request_key(url: str, params: Mapping[str, object]) -> str:
    """A stable cache key for a request; secrets are not part of it."""
    canonical = json.dumps([url, public_params(params)], sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


SQLITE_HEADER = b"SQLite format 3\x00"
READ_ONLY_FIX = "make it writable (chmod u+w on the file and its folder), or point --cache / FACTCHECK_CACHE at a file you can write"


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def read_only_error(path: str) -> InputError:
    return InputError(f"cache {path} is read-only, and a run must store what it downloads", READ_ONLY_FIX)


class Cache:
    """A SQLite file (or ':memory:') holding responses and documents; safe across processes.

    A cache file that SQLite finds damaged is moved aside (`<name>.damaged-<time>`) with a
    warning and started afresh: it only holds downloaded copies. A file that is not SQLite at
    all is never touched (it may be something else the user pointed at by mistake).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._refuse_read_only()
        problem = self._connect()
        if problem:
            self._move_aside(problem)
            if self._connect():
                raise InputError(f"cache {self.path} cannot be created afresh", "point FACTCHECK_CACHE elsewhere")

    def _refuse_read_only(self) -> None:
        file = Path(self.path)
        if (file.exists() and not os.access(file, os.W_OK)) or not os.access(file.parent, os.W_OK | os.X_OK):
            raise read_only_error(self.path)

    def _connect(self) -> str | None:
        """Open the file; the damage SQLite reports, or None when it is sound."""
        try:
            # isolation_level=None: we issue BEGIN ourselves, so the limiter can take a write lock.
            self._db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            if self.path != ":memory:":
                self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
            if self.path != ":memory:":
                (verdict,) = self._db.execute("PRAGMA quick_check(1)").fetchone()
                return None if verdict == "ok" else str(verdict)
        except sqlite3.OperationalError as exc:
            if "readonly" in str(exc):
                raise read_only_error(self.path) from None
            if _is_sqlite(Path(self.path)):
                return str(exc)
            raise self._unusable(exc) from exc
        except sqlite3.DatabaseError as exc:
            if _is_sqlite(Path(self.path)):  # a damaged cache of ours
                return str(exc)
            raise self._unusable(exc) from exc
        return None

    def _unusable(self, exc: Exception) -> InputError:
        return InputError(
            f"cache {self.path} is not a usable SQLite database ({exc})",
            "delete the file (it only holds downloaded copies) or point FACTCHECK_CACHE elsewhere",
        )

    def _move_aside(self, problem: str) -> None:
        self._db.close()
        aside = f"{self.path}.damaged-{time.strftime('%Y%m%d-%H%M%S')}"
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(self.path + suffix):
                os.replace(self.path + suffix, aside + suffix)
        log.warning("cache %s is damaged (%s): moved aside to %s and started afresh", self.path, problem, aside)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "Cache":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- responses ------------------------------------------------------------------

    def get_response(self, url: str, params: Mapping[str, object]) -> bytes | None:
        row = self._db.execute(
            "SELECT body FROM responses WHERE key = ?", (request_key(url, params),)
        ).fetchone()
        return bytes(row[0]) if row else None

    def put_response(self, url: str, params: Mapping[str, object], body: bytes) -> None:
        try:
            self._db.execute(
                "INSERT OR REPLACE INTO responses (key, url, params, body, fetched_at) VALUES (?,?,?,?,?)",
                (request_key(url, params), url, json.dumps(public_params(params)), body, time.time()),
            )
        except sqlite3.OperationalError as exc:
            raise self._write_failed(exc) from None

    def _write_failed(self, exc: sqlite3.OperationalError) -> Exception:
        """A file made read-only during the run is the user's to fix; anything else is a bug."""
        return read_only_error(self.path) if "readonly" in str(exc) else exc

    # --- documents (one per record, e.g. one PubmedArticle's XML per PMID) ---------

    def get_documents(self, kind: str, ids: Iterable[str]) -> dict[str, bytes]:
        wanted = list(dict.fromkeys(ids))
        found: dict[str, bytes] = {}
        for start in range(0, len(wanted), 500):  # stay under SQLite's variable limit
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for doc_id, body in self._db.execute(
                f"SELECT id, body FROM documents WHERE kind = ? AND id IN ({marks})", (kind, *chunk)
            ):
                found[doc_id] = bytes(body)
        return found

    def put_documents(self, kind: str, docs: Mapping[str, bytes]) -> None:
        now = time.time()
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.executemany(
                "INSERT OR REPLACE INTO documents (kind, id, body, fetched_at) VALUES (?,?,?,?)",
                [(kind, doc_id, body, now) for doc_id, body in docs.items()],
            )
            self._db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            self._db.execute("ROLLBACK")
            raise self._write_failed(exc) from None
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    # --- rate limiting ---------------------------------------------------------------

    def take_slot(self, host: str, per_second: float, now: float | None = None) -> float:
        """Take the request slot for `host` if it is free (returns 0.0), else how long until it is.

        The slot lives in the shared SQLite file, so runs sharing a cache share the limit. A slot
        is only taken when a request goes out at once: a caller that has to wait reserves nothing,
        so if the answer turns up in the cache meanwhile (another run asked), no slot is wasted.
        """
        interval = SPACING / per_second
        now = time.time() if now is None else now
        self._db.execute("BEGIN IMMEDIATE")
        try:
            row = self._db.execute("SELECT next_slot FROM rate_limit WHERE host = ?", (host,)).fetchone()
            if row and row[0] > now:
                self._db.execute("COMMIT")
                return row[0] - now
            self._db.execute("INSERT OR REPLACE INTO rate_limit (host, next_slot) VALUES (?, ?)", (host, now + interval))
            self._db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            self._db.execute("ROLLBACK")
            raise self._write_failed(exc) from None
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return 0.0

    def wait_for_slot(self, host: str, per_second: float, recheck: Callable[[], bytes | None] = lambda: None) -> bytes | None:
        """Wait until a slot is taken (returns None), or until `recheck` finds the answer (returns it)."""
        while (wait := self.take_slot(host, per_second)) > 0:
            time.sleep(wait)
            stored = recheck()
            if stored is not None:
                return stored
        return None
