"""Offline corpus: an SQLite FTS5 index over PubMed XML / JSONL / other corpus files.

`build_index` (I/O) writes the index; `LocalIndex` searches it with BM25 and the same Query
objects PubMed gets, rendered into FTS5 by `fts_query.py`.

Schema: records(n INTEGER PRIMARY KEY, id TEXT UNIQUE, pmid, doi, year, json) with the Record
as JSON (pipeline.serialize), fts(title, abstract, mesh, pub_types, journal) keyed by
records.n, and meta(key, value) whose `complete=1` is written last. Which records are the
same paper: dedupe.py; the build's temporary file and killed builds' leftovers: building.py.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from pipeline.errors import CorpusError, SourceError
from pipeline.serialize import record_from_dict, to_jsonable
from pipeline.sources.building import building_path, remove_stale
from pipeline.sources.dedupe import Seen, merge
from pipeline.sources.fts_query import NO_MESH, render
from pipeline.sources.importers import NotACorpusFile, discover, iter_records
from pipeline.sources.phrase_filter import PHRASE_SCAN, phrases_checked
from pipeline.sources.pubmed_syntax import render_query
from pipeline.types import Query, Record, SearchResult

SOURCE = "local"
FORMAT = "factcheck-local-1"
COLUMNS = ("title", "abstract", "mesh", "pub_types", "journal")
# BM25 column weights, in COLUMNS order: a phrase in the title says far more about what a
# paper is about than one passing mention in the abstract.
WEIGHTS = (5.0, 1.0, 2.0, 0.5, 0.5)
# Stored in pub_types when a record has none (NO_MESH, its twin for MeSH, lives with the query side).
NO_PT = "zznoptzz"
_INDEX_HINT = "build it with `factcheck index FILE... --db {db}`"


# --- build ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexStats:
    """What one `build_index` did."""

    files: tuple[str, ...]
    records: int
    skipped: tuple[tuple[str, str], ...]  # (file or record id, reason)
    duplicates: int
    seconds: float
    dropped: tuple[tuple[str, str], ...] = ()  # (record id, why): duplicates and replacements
    per_file: tuple[tuple[str, int], ...] = ()  # records kept from each file
    db: str = ""
    size_bytes: int = 0


_SCHEMA = f"""
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- n is an INTEGER PRIMARY KEY so the FTS rowids stay valid (a VACUUM can renumber the hidden
-- rowid of a table keyed by TEXT).
CREATE TABLE records(
    n INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    pmid TEXT,
    doi TEXT,
    year INTEGER,
    json TEXT NOT NULL
);
CREATE INDEX records_pmid ON records(pmid);
CREATE VIRTUAL TABLE fts USING fts5(
    {", ".join(COLUMNS)},
    content='',
    tokenize='porter unicode61 remove_diacritics 2'
);
"""


def _fts_row(record: Record) -> tuple[str, str, str, str, str]:
    journal = " ".join(j for j in (record.journal, record.journal_abbrev) if j)
    return (
        record.title,
        record.abstract,
        "; ".join(record.mesh) or NO_MESH,
        "; ".join(record.pub_types) or NO_PT,
        journal,
    )


def _stored(conn: sqlite3.Connection, n: int) -> Record:
    row = conn.execute("SELECT json FROM records WHERE n = ?", (n,)).fetchone()
    return record_from_dict(json.loads(row[0]))


def _replace_row(conn: sqlite3.Connection, n: int, old: Record, new: Record) -> None:
    """Put `new` in row n of records and fts (a contentless FTS5 delete needs the old values)."""
    cols = ", ".join(COLUMNS)
    conn.execute(
        f"INSERT INTO fts(fts, rowid, {cols}) VALUES ('delete', ?, ?, ?, ?, ?, ?)", (n, *_fts_row(old))
    )
    conn.execute(
        "UPDATE records SET pmid = ?, doi = ?, year = ?, json = ? WHERE n = ?",
        (new.pmid, new.doi, new.year, json.dumps(to_jsonable(new), ensure_ascii=False), n),
    )
    conn.execute(f"INSERT INTO fts(rowid, {cols}) VALUES (?, ?, ?, ?, ?, ?)", (n, *_fts_row(new)))


def build_index(
    paths: Sequence[Path],
    db: Path,
    progress: Callable[[str, int], None] | None = None,
) -> IndexStats:
    """Index corpus files (folders recursively) into an SQLite FTS5 database at `db`.

    Writes a temporary file beside `db` and renames it into place only when complete, so an
    interrupted or failed build leaves the previous database (if any) untouched. Duplicates
    (same PMID, DOI, id, or long title + year) keep the first record seen.
    """
    started = time.monotonic()
    db = Path(db)
    try:
        db.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CorpusError(f"{db}: cannot create folder {db.parent} ({exc.strerror})",
                          "choose a --db path in a folder you can write to") from None
    if db.is_dir():
        raise CorpusError(f"{db} is a folder", "give a file name for the index, e.g. corpus.db")
    files, skipped = discover([Path(p) for p in paths])
    remove_stale(db)  # killed builds' leftovers
    tmp = building_path(db)
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp)
    try:
        conn.execute("PRAGMA journal_mode=OFF")  # the rename is the transaction
        conn.execute("PRAGMA synchronous=OFF")
        conn.executescript(_SCHEMA)
        seen = Seen()
        duplicates = total = 0
        dropped: list[tuple[str, str]] = []
        per_file: list[tuple[str, int]] = []
        for path, explicit in files:
            kept = 0
            try:
                for record in iter_records(path):
                    if not record.title.strip() and not record.abstract.strip():
                        skipped.append((record.id, "no title and no abstract"))
                        continue
                    hit = seen.match(record)
                    if hit is not None:
                        duplicates += 1
                        n, _, had_abstract = hit
                        first = _stored(conn, n)
                        why = f"duplicate of {first.id}"
                        if not had_abstract and record.abstract.strip():
                            # First wins, but borrows the abstract of a later copy when it has none.
                            merged = merge(first, record)
                            _replace_row(conn, n, first, merged)
                            seen.add(merged, n, merged=True)
                            why += f"; its abstract was added to {first.id}"
                        dropped.append((record.id, why))
                        continue
                    cur = conn.execute(
                        "INSERT INTO records(id, pmid, doi, year, json) VALUES (?, ?, ?, ?, ?)",
                        (record.id, record.pmid, record.doi, record.year,
                         json.dumps(to_jsonable(record), ensure_ascii=False)),
                    )
                    n = int(cur.lastrowid or 0)
                    conn.execute(
                        f"INSERT INTO fts(rowid, {', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)",
                        (n, *_fts_row(record)),
                    )
                    seen.add(record, n)
                    kept += 1
                    total += 1
                    if progress and total % 1000 == 0:
                        progress(str(path), total)
            except NotACorpusFile as exc:
                if explicit:
                    raise
                skipped.append((str(path), exc.message))
                continue
            per_file.append((str(path), kept))
            if progress:
                progress(str(path), total)
        if total == 0:
            raise CorpusError(
                f"no records found in {', '.join(map(str, paths))}",
                "give corpus files with titles or abstracts (see `factcheck index --help`)",
            )
        conn.execute("INSERT INTO fts(fts) VALUES ('optimize')")  # fewer b-trees: faster search
        seconds = time.monotonic() - started
        meta = {
            "format": FORMAT,
            "built": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "files": json.dumps([str(p) for p, _ in files]),
            "records": str(total),
            "duplicates": str(duplicates),
            "skipped": str(len(skipped)),
            "seconds": f"{seconds:.2f}",
        }
        conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        conn.commit()
        conn.execute("INSERT INTO meta VALUES ('complete', '1')")  # last: marks a whole index
        conn.commit()
        conn.close()
        os.replace(tmp, db)
    except BaseException:
        conn.close()
        tmp.unlink(missing_ok=True)
        raise
    return IndexStats(
        files=tuple(str(p) for p, _ in files),
        records=total,
        skipped=tuple(skipped),
        duplicates=duplicates,
        seconds=time.monotonic() - started,
        dropped=tuple(dropped),
        per_file=tuple(per_file),
        db=str(db),
        size_bytes=db.stat().st_size,
    )


# --- search ---------------------------------------------------------------------------------


class LocalIndex:
    """A built index, opened read-only: BM25 search and record look-up."""

    def __init__(self, db: Path) -> None:
        self.db = Path(db)
        hint = _INDEX_HINT.format(db=self.db)
        if not self.db.is_file():
            raise CorpusError(f"{self.db}: no such corpus database", hint)
        try:
            self._conn = sqlite3.connect(f"{self.db.resolve().as_uri()}?mode=ro", uri=True)
            tables = {r[0] for r in self._conn.execute("SELECT name FROM sqlite_master")}
        except sqlite3.DatabaseError as exc:
            raise CorpusError(f"{self.db}: not an SQLite database ({exc})", hint) from exc
        if not {"meta", "records", "fts"} <= tables:
            self._conn.close()
            raise CorpusError(f"{self.db}: not a factcheck corpus index", hint)
        try:
            self.meta = dict(self._conn.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            raise self._damaged(exc) from exc
        if self.meta.get("complete") != "1":
            self._conn.close()
            raise CorpusError(f"{self.db}: the index was never finished (an interrupted build)", hint)

    def _damaged(self, exc: sqlite3.DatabaseError) -> CorpusError:
        self._conn.close()
        return CorpusError(f"{self.db}: the corpus index is damaged ({exc})",
                           "rebuild it: " + _INDEX_HINT.format(db=self.db))

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> LocalIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM records").fetchone()[0])

    def search(self, query: Query, limit: int = 20) -> SearchResult:
        """BM25-ranked ids (title weighted highest) and the total number of matches."""
        rendered = render(query)
        if not rendered.match:
            return SearchResult(query=query, term=render_query(query), source=SOURCE, ids=(), count=0,
                                notes=rendered.notes)
        where = "fts MATCH ?"
        params: list[object] = [rendered.match]
        low, high = rendered.years
        if low is not None or high is not None:
            where += " AND (r.year IS NULL OR r.year BETWEEN ? AND ?)"
            params += [low if low is not None else 0, high if high is not None else 9999]
        weights = ", ".join(map(str, WEIGHTS))
        phrased = bool(query.arms) and not (query.raw and query.raw.strip())
        try:
            count = self._conn.execute(
                f"SELECT count(*) FROM fts JOIN records r ON r.n = fts.rowid WHERE {where}", params
            ).fetchone()[0]
            rows = self._conn.execute(
                f"SELECT r.id, r.json FROM fts JOIN records r ON r.n = fts.rowid WHERE {where} "
                f"ORDER BY bm25(fts, {weights}), r.n LIMIT ?",
                [*params, PHRASE_SCAN if phrased else int(limit)],
            ).fetchall()
        except sqlite3.OperationalError as exc:
            raise SourceError(
                SOURCE,
                f"the index rejected the query {rendered.match!r} ({exc})",
                "this is a bug in the query translation: report it with the query; meanwhile "
                "rewrite the claim's query with plain words",
            ) from exc
        except sqlite3.DatabaseError as exc:  # not the query: the file itself
            raise self._damaged(exc) from exc
        ids = [r[0] for r in rows]
        notes = rendered.notes
        if phrased:
            ids, count, notes = phrases_checked(query, rows, int(count), notes)
        # Shown in PubMed syntax, to paste into PubMed; the FTS5 expression is this index's internal.
        return SearchResult(
            query=query, term=render_query(query), source=SOURCE,
            ids=tuple(ids[:limit]), count=int(count), notes=notes,
        )

    def _records(self, sql: str, params: Sequence[object]) -> Iterator[Record]:
        try:
            rows = self._conn.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise self._damaged(exc) from exc
        for (data,) in rows:
            yield record_from_dict(json.loads(data))

    def get(self, id: str) -> Record | None:
        """One record by its id ("pmid:123", "doc:4983" ...), or None."""
        return next(self._records("SELECT json FROM records WHERE id = ?", (id,)), None)

    def get_pmid(self, pmid: str) -> Record | None:
        """One record by PMID, or None (for citation look-ups offline)."""
        return next(self._records("SELECT json FROM records WHERE pmid = ?", (str(pmid),)), None)

    def fetch(self, ids: Sequence[str]) -> list[Record]:
        """Records for ids, in the order asked; ids not in the index are left out."""
        found: dict[str, Record] = {}
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), 500):  # stay under SQLite's variable limit
            chunk = unique[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            for record in self._records(f"SELECT json FROM records WHERE id IN ({marks})", chunk):
                found[record.id] = record
        return [found[i] for i in unique if i in found]
