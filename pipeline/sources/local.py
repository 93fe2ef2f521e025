"""Offline corpus: an SQLite FTS5 index over PubMed XML / JSONL / other corpus files.

`build_index` (I/O) writes the index; `LocalIndex` searches it with BM25 and the same Query
objects PubMed gets; `to_fts` (pure) renders a Query, or an editor's raw PubMed syntax, into
an FTS5 MATCH expression and says which parts it could not honour.

Schema: records(n INTEGER PRIMARY KEY, id TEXT UNIQUE, pmid, doi, year, json) with the Record
as JSON (pipeline.serialize), fts(title, abstract, mesh, pub_types, journal) keyed by
records.n, and meta(key, value) whose `complete=1` is written last. Which records are the
same paper: dedupe.py; the build's temporary file and killed builds' leftovers: building.py.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from pipeline.errors import CorpusError, SourceError
from pipeline.serialize import record_from_dict, to_jsonable
from pipeline.sources.building import building_path, remove_stale
from pipeline.sources.dedupe import Seen, merge
from pipeline.sources.importers import NotACorpusFile, discover, iter_records
from pipeline.sources.phrase_filter import PHRASE_SCAN, phrases_checked
from pipeline.text import normalize_space
from pipeline.types import Query, QueryArm, Record, SearchResult

SOURCE = "local"
FORMAT = "factcheck-local-1"
COLUMNS = ("title", "abstract", "mesh", "pub_types", "journal")
# BM25 column weights, in COLUMNS order: a phrase in the title says far more about what a
# paper is about than one passing mention in the abstract.
WEIGHTS = (5.0, 1.0, 2.0, 0.5, 0.5)
# Stored in mesh / pub_types when a record has none, so a filter like humans[mh] can keep
# records that were never indexed with MeSH instead of silently dropping a whole corpus.
NO_MESH = "zznomeshzz"
NO_PT = "zznoptzz"
TEXT_COLUMNS = "{title abstract mesh}"
_INDEX_HINT = "build it with `factcheck index FILE... --db {db}`"


# --- pure: Query -> FTS5 --------------------------------------------------------------------


def _phrase(text: str, prefix: bool = False) -> str | None:
    """A user phrase as an FTS5 string; None when it has no word characters to match.

    Quoting every term (and doubling inner quotes) means NEAR, *, -, ( and : in user text are
    plain characters, never FTS5 syntax.
    """
    text = normalize_space(text.replace("\x00", " "))
    if not any(ch.isalnum() for ch in text):
        return None
    quoted = '"' + text.replace('"', '""') + '"'
    return f"{quoted} *" if prefix else quoted


def _mesh_as_text(heading: str) -> str:
    """'Depressive Disorder, Treatment-Resistant' -> 'Treatment-Resistant Depressive Disorder'."""
    parts = [p.strip() for p in heading.split(",")]
    return " ".join(reversed(parts)) if len(parts) == 2 else heading


def render_arm(arm: QueryArm) -> str | None:
    """One concept: its phrases and MeSH headings ORed over title, abstract and MeSH."""
    terms: list[str] = []
    for text in (*arm.free_text, *arm.mesh, *map(_mesh_as_text, arm.mesh)):
        quoted = _phrase(text)
        if quoted and quoted not in terms:
            terms.append(quoted)
    return f"{TEXT_COLUMNS} : ({' OR '.join(terms)})" if terms else None


@dataclass(frozen=True)
class _Term:
    text: str
    tag: str = ""  # lower-case PubMed field tag without brackets, "" when untagged
    prefix: bool = False


@dataclass(frozen=True)
class _Op:
    op: Literal["AND", "OR", "NOT"]
    left: _Node
    right: _Node


_Node = _Term | _Op
_TOKEN = re.compile(r'"[^"]*"?|\[[^\]]*\]?|\(|\)|[^\s()\[\]"]+')


def _tokens(raw: str) -> list[tuple[str, str]]:
    """PubMed syntax as (kind, value): phrase, word, tag, op, paren."""
    out: list[tuple[str, str]] = []
    for tok in _TOKEN.findall(raw):
        if tok.startswith('"'):
            out.append(("phrase", tok.strip('"')))
        elif tok.startswith("["):
            out.append(("tag", tok.strip("[]")))
        elif tok in "()":
            out.append(("paren", tok))
        elif tok in ("AND", "OR", "NOT"):
            out.append(("op", tok))
        else:
            out.append(("word", tok))
    return out


def _norm_tag(tag: str) -> str:
    tag = normalize_space(tag.lower())
    return tag.split(":")[0] if tag.split(":")[0] in ("mh", "majr", "mesh") else tag


def _terms(tokens: list[tuple[str, str]]) -> list[tuple[str, object]]:
    """Attach [tags] to terms. A run of bare words followed by a tag is one tagged phrase,
    as PubMed reads `treatment resistant depression[tiab]`."""
    out: list[tuple[str, object]] = []
    run: list[int] = []  # indexes in out of the current run of untagged bare words
    for kind, value in tokens:
        if kind == "tag":
            if out and out[-1][0] == "term":
                last = out[-1][1]
                assert isinstance(last, _Term)
                if run and len(run) > 1 and run[-1] == len(out) - 1:
                    words = [out[i][1].text for i in run]  # type: ignore[union-attr]
                    del out[run[0]:]
                    out.append(("term", _Term(" ".join(words), _norm_tag(value), last.prefix)))
                else:
                    out[-1] = ("term", _Term(last.text, _norm_tag(value), last.prefix))
            run = []
        elif kind in ("word", "phrase"):
            term = _Term(value.rstrip("*"), "", value.endswith("*"))
            out.append(("term", term))
            run = run + [len(out) - 1] if kind == "word" else []
        else:
            out.append((kind, value))
            run = []
    return out


class _Parser:
    """PubMed Boolean syntax: evaluated left to right, parentheses first (no precedence)."""

    def __init__(self, items: list[tuple[str, object]], notes: list[str]) -> None:
        self.items, self.pos, self.notes = items, 0, notes

    def peek(self) -> tuple[str, object] | None:
        return self.items[self.pos] if self.pos < len(self.items) else None

    def parse(self) -> _Node | None:
        node = self.expr()
        while self.peek() is not None:  # a stray ')' ends expr early: skip it and go on
            self.notes.append("ignored an unmatched ')'")
            self.pos += 1
            rest = self.expr()
            node = rest if node is None else (node if rest is None else _Op("AND", node, rest))
        return node

    def expr(self) -> _Node | None:
        node = self.primary()
        while (item := self.peek()) is not None and item != ("paren", ")"):
            op: Literal["AND", "OR", "NOT"] = "AND"
            if item[0] == "op":
                op = item[1]  # type: ignore[assignment]
                self.pos += 1
                if op == "AND" and self.peek() == ("op", "NOT"):  # "AND NOT" is NOT
                    op = "NOT"
                    self.pos += 1
            right = self.primary()
            if right is None:
                self.notes.append(f"ignored a dangling {op}")
                continue
            if node is None:
                if op == "NOT":
                    self.notes.append("ignored a NOT with nothing before it")
                    continue
                node = right
                continue
            node = _Op(op, node, right)
        return node

    def primary(self) -> _Node | None:
        item = self.peek()
        if item is None or item == ("paren", ")"):
            return None
        self.pos += 1
        if item == ("paren", "("):
            node = self.expr()
            if self.peek() == ("paren", ")"):
                self.pos += 1
            else:
                self.notes.append("closed an unclosed '('")
            return node
        if item[0] == "term":
            return item[1]  # type: ignore[return-value]
        if item[0] == "op":  # operator where a term should be ("AND OR x")
            self.notes.append(f"ignored a misplaced {item[1]}")
            return self.primary()
        return None


_TEXT_TAGS = {
    "": TEXT_COLUMNS, "tw": TEXT_COLUMNS, "text word": TEXT_COLUMNS, "all": TEXT_COLUMNS,
    "all fields": TEXT_COLUMNS, "tiab": "{title abstract}", "title/abstract": "{title abstract}",
    "ti": "title", "title": "title", "ab": "abstract", "abstract": "abstract",
    "ta": "journal", "journal": "journal", "jour": "journal", "jt": "journal",
}
_MESH_TAGS = frozenset({"mh", "mesh", "mesh terms", "majr", "mesh major topic", "sh"})
_PT_TAGS = frozenset({"pt", "publication type", "ptyp"})
_DATE_TAGS = frozenset({"dp", "pdat", "publication date", "date - publication"})
Mode = Literal["normal", "filter", "neg"]


@dataclass
class _Render:
    """Rendering state: notes of what was dropped or approximated, and a year range."""

    notes: list[str] = field(default_factory=list)
    years: tuple[int | None, int | None] = (None, None)

    def term(self, term: _Term, mode: Mode) -> str | None:
        shown = f'"{term.text}"' if " " in term.text else term.text
        shown += "*" if term.prefix else ""
        shown += f"[{term.tag}]" if term.tag else ""
        if term.tag in _DATE_TAGS:
            if mode == "filter":
                return self._years(term.text, shown)
            self.notes.append(f"ignored {shown}: a date can only be a filter ANDed to the query")
            return None
        phrase = _phrase(term.text, term.prefix)
        if phrase is None:
            if term.tag:
                self.notes.append(f"ignored {shown}: no word to search for")
            return None
        if term.tag in _TEXT_TAGS:
            return f"{_TEXT_TAGS[term.tag]} : {phrase}"
        if term.tag in _MESH_TAGS:
            if mode == "filter":
                self.notes.append(f"filter {shown} applied to records with MeSH; records without MeSH kept")
                return f'(mesh : {phrase} OR mesh : "{NO_MESH}")'
            if mode == "neg":
                return f"mesh : {phrase}"
            self.notes.append(f"{shown} searched as MeSH and as words in title/abstract")
            return f"(mesh : {phrase} OR {{title abstract}} : {phrase})"
        if term.tag in _PT_TAGS:
            # One rule for `run` and `search`: a record without a publication type does not pass.
            if mode == "filter":
                self.notes.append(f"filter {shown}: records without a publication type are left out")
            return f"pub_types : {phrase}"
        self.notes.append(f"ignored {shown}: the local index has no [{term.tag}] field")
        return None

    def _years(self, text: str, shown: str) -> None:
        found = [int(y) for y in re.findall(r"(?<!\d)(1\d{3}|2\d{3}|3000)(?!\d)", text)]
        if not found:
            self.notes.append(f"ignored {shown}: no year in it")
            return None
        low, high = min(found), max(found)
        old_low, old_high = self.years
        self.years = (
            low if old_low is None else max(low, old_low),
            high if old_high is None else min(high, old_high),
        )
        self.notes.append(f"filter {shown} applied as years {low}-{high}; records without a year kept")
        return None

    def node(self, node: _Node | None, mode: Mode) -> str | None:
        if node is None:
            return None
        if isinstance(node, _Term):
            return self.term(node, mode)
        if node.op == "NOT":
            left = self.node(node.left, "normal" if mode == "filter" else mode)
            right = self.node(node.right, "neg")
            if left is None:
                return None
            return f"({left} NOT {right})" if right else left
        sub: Mode = "normal" if mode == "filter" else mode
        left, right = self.node(node.left, sub), self.node(node.right, sub)
        if left and right:
            return f"({left} {node.op} {right})"
        return left or right


def _split(node: _Node | None) -> tuple[list[_Node], list[_Node]]:
    """Top-level (ANDed, NOTed) parts: (A AND B) NOT C is A, B and NOT C."""
    if node is None:
        return [], []
    if isinstance(node, _Op) and node.op in ("AND", "NOT"):
        pos, neg = _split(node.left)
        if node.op == "AND":
            more, less = _split(node.right)
            return pos + more, neg + less
        return pos, neg + [node.right]
    return [node], []


# MeSH check tags: who was studied, not what. ANDed to a query they act as filters.
_CHECK_TAGS = frozenset({
    "humans", "animals", "male", "female", "pregnancy", "mice", "rats", "infant",
    "infant, newborn", "child", "child, preschool", "adolescent", "young adult", "adult",
    "middle aged", "aged", "aged, 80 and over",
})


def _is_filter(node: _Node, in_filters: bool) -> bool:
    """A top-level ANDed term such as humans[mh], 2015:2020[dp] or rct[pt] restricts the
    results rather than searching; in a raw query other MeSH terms still search."""
    if not isinstance(node, _Term):
        return in_filters
    if node.tag in _PT_TAGS | _DATE_TAGS:
        return True
    if node.tag in _MESH_TAGS:
        return in_filters or normalize_space(node.text.lower()) in _CHECK_TAGS
    return in_filters and node.tag != ""


_DATE_RANGE = re.compile(
    r'"?(\d{4}[\d/]*)"?\s*\[(dp|pdat|publication date)\]\s*:\s*"?(\d{4}[\d/]*)"?\s*\[\2\]', re.I
)


def _render_parts(text: str, state: _Render, in_filters: bool) -> tuple[list[str], list[str]]:
    """(positive parts, negated parts) of one PubMed-syntax string."""
    notes: list[str] = []
    # "2015/01/01"[dp] : "2020"[dp] is one range, not two ANDed dates.
    stripped = _DATE_RANGE.sub(r"\1:\3[\2]", text.strip())
    negated = in_filters and stripped.upper().startswith("NOT ")
    tree = _Parser(_terms(_tokens(stripped[4:] if negated else stripped)), notes).parse()
    state.notes.extend(notes)
    positive: list[str] = []
    negative: list[str] = []
    conjuncts, negated_parts = _split(tree)
    if negated:  # a filter "NOT x": x as a whole excludes ("NOT (animals NOT humans)" keeps humans)
        conjuncts, negated_parts = [], [tree]
    for part in negated_parts:
        rendered = state.node(part, "neg")
        if rendered:
            negative.append(rendered)
    for conjunct in conjuncts:
        if in_filters and isinstance(conjunct, _Term) and conjunct.tag == "":
            state.notes.append(f"ignored filter {conjunct.text}: the local index cannot apply it")
            continue
        mode: Mode = "filter" if _is_filter(conjunct, in_filters) else "normal"
        rendered = state.node(conjunct, mode)
        if rendered:
            positive.append(rendered)
    return positive, negative


@dataclass(frozen=True)
class FtsQuery:
    """A Query rendered for the local index."""

    match: str  # the FTS5 MATCH expression; "" when nothing searchable was left
    years: tuple[int | None, int | None] = (None, None)
    notes: tuple[str, ...] = ()


def render(query: Query) -> FtsQuery:
    """A Query as FTS5 MATCH text plus a year range and notes. Pure.

    The editor's raw PubMed syntax, when set, is the query (as for PubMed); otherwise arms are
    ANDed and filters applied where stored fields allow.
    """
    state = _Render()
    positive: list[str] = []
    negative: list[str] = []
    if query.raw and query.raw.strip():
        positive, negative = _render_parts(query.raw, state, in_filters=False)
    else:
        for arm in query.arms:
            if arm.concept == "comparator":
                continue  # the comparator ranks the records (LocalIndex.search), it never filters them
            rendered = render_arm(arm)
            if rendered:
                positive.append(rendered)
            else:
                state.notes.append(f"ignored the {arm.concept} arm: it has no term")
        if positive:
            for text in query.filters:
                more, less = _render_parts(text, state, in_filters=True)
                positive += more
                negative += less
    match = " AND ".join(positive)
    if match and negative:
        match = f"({match}) NOT ({' OR '.join(negative)})"
    if not match:
        state.notes.append("nothing searchable in the query")
    return FtsQuery(match, state.years, tuple(dict.fromkeys(state.notes)))


def to_fts(query: Query) -> tuple[str, tuple[str, ...]]:
    """The FTS5 MATCH expression for a Query and notes on what it ignored. Pure."""
    rendered = render(query)
    return rendered.match, rendered.notes


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
            return SearchResult(query=query, term=query.pubmed_term(), source=SOURCE, ids=(), count=0,
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
            query=query, term=query.pubmed_term(), source=SOURCE,
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
