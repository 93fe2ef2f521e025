"""Corpus file readers for `factcheck index`: each turns one file into Records (source "local").

Dispatch is by file name (`iter_records`); every malformed input becomes a CorpusError that
names the file, the line or record number and what to do, never a raw json/csv/XML exception.
Readers are pure apart from reading the file they are given.

Formats: PubMed XML (.xml, .xml.gz), JSONL corpora {doc_id, title, abstract} (SciFact,
HealthVer, COVID-Fact), PubMedQA ori_pqal.json, evidence-inference .abst, ASReview-style CSV
(cohen2006, Bannach-Brown), RIS (.ris) and EBM-NLP token files (.tokens).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

from pipeline.errors import CorpusError, ParseError
from pipeline.nlp.sections import inline_heading
from pipeline.text import normalize_space
from pipeline.types import Record

SOURCE = "local"
MAX_RECORD_BYTES = 2**20  # one JSONL line: an abstract is a few kB; 1 MB is surely not one

# Longest suffix first, so "x.xml.gz" is XML and not an unknown ".gz".
FORMATS: dict[str, str] = {
    ".xml.gz": "pubmed-xml",
    ".xml": "pubmed-xml",
    ".jsonl": "jsonl",
    ".jsonl.gz": "jsonl",
    ".json": "pubmedqa",
    ".abst": "evidence-inference",
    ".csv": "csv",
    ".ris": "ris",
    ".tokens": "ebm-nlp-tokens",
}

_HINT_FORMATS = (
    "give PubMed XML (.xml/.xml.gz), JSONL {doc_id, title, abstract} (.jsonl), PubMedQA "
    "ori_pqal.json, evidence-inference .abst, ASReview CSV (title, abstract columns), RIS (.ris) "
    "or EBM-NLP .tokens files, or a folder holding them"
)


class NotACorpusFile(CorpusError):
    """The file has a supported extension but holds something else (claims, an index table).

    Raised before any record is yielded, so a folder import can skip the file and go on.
    """


def file_format(path: Path) -> str | None:
    """The reader name for a file, from its name alone; None when unsupported."""
    name = path.name.lower()
    for suffix in sorted(FORMATS, key=len, reverse=True):
        if name.endswith(suffix):
            return FORMATS[suffix]
    return None


def discover(paths: Iterable[Path]) -> tuple[list[tuple[Path, bool]], list[tuple[str, str]]]:
    """Expand folders recursively into supported files.

    Returns ([(file, given_explicitly)], [(skipped path, reason)]). A file named on the
    command line must be readable as a corpus; one found inside a folder may be skipped.
    """
    files: list[tuple[Path, bool]] = []
    skipped: list[tuple[str, str]] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.name.startswith("."):
                    continue
                if file_format(child) is None:
                    skipped.append((str(child), "not a supported corpus file type"))
                else:
                    files.append((child, False))
        elif path.is_file():
            if file_format(path) is None:
                raise CorpusError(f"{path}: unsupported corpus file type", _HINT_FORMATS)
            files.append((path, True))
        elif path.exists():  # a device or a FIFO: reading it would never end, or block
            raise CorpusError(f"{path}: is not a regular file (a device, a pipe or a socket)", "give files saved on disk")
        else:
            raise CorpusError(f"{path}: no such file or folder", "check the path and try again")
    return files, skipped


def iter_records(path: Path) -> Iterator[Record]:
    """Every record in one corpus file, dispatched on the file name."""
    kind = file_format(path)
    if kind is None:
        raise CorpusError(f"{path}: unsupported corpus file type", _HINT_FORMATS)
    reader = {
        "pubmed-xml": iter_pubmed_file,
        "jsonl": iter_jsonl,
        "pubmedqa": iter_pubmedqa,
        "evidence-inference": iter_abst,
        "csv": iter_asreview_csv,
        "ris": iter_ris,
        "ebm-nlp-tokens": iter_ebm_tokens,
    }[kind]
    return reader(path)


# --- helpers ------------------------------------------------------------------------------


def _read_text(path: Path) -> str:
    """A text file as str; bad encoding or gzip damage becomes a CorpusError."""
    try:
        if path.name.lower().endswith(".gz"):
            with gzip.open(path, "rb") as fh:
                data = fh.read()
        else:
            data = path.read_bytes()
    except (OSError, EOFError, zlib.error) as exc:
        raise CorpusError(
            f"{path}: cannot read the file ({exc})",
            "the file is damaged or truncated; download or copy it again",
        ) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CorpusError(
            f"{path}:{line}: not UTF-8 text ({exc.reason} at byte {exc.start})",
            "re-save the file as UTF-8",
        ) from exc


def _open_bytes(path: Path) -> IO[bytes]:
    """A byte stream over a plain or gzipped file."""
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb")


def _year(value: Any) -> int | None:
    """A four-digit year from an int or any string that starts with one (e.g. '2009///')."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 1000 <= value <= 2999 else None
    if isinstance(value, str):
        match = re.search(r"\b(1[0-9]{3}|2[0-9]{3})\b", value)
        return int(match.group(1)) if match else None
    return None


def _pmid(value: Any) -> str | None:
    """A PMID as a digit string, or None when the value is not a PMID."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return str(value)
    if isinstance(value, str) and value.strip().isdigit() and int(value.strip()) > 0:
        return str(int(value.strip()))
    return None


def _doi(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", value.strip(), flags=re.I)
    return doi if doi.startswith("10.") else None


def _str_tuple(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value if str(v).strip())
    return ()


def _record_id(pmid: str | None, fallback: str) -> str:
    """Records with a PMID share the id PubMed gives them, so runs can mix sources."""
    return f"pmid:{pmid}" if pmid else fallback


# --- PubMed XML ---------------------------------------------------------------------------


def iter_pubmed_file(path: Path) -> Iterator[Record]:
    """PubMed/MEDLINE XML (.xml or .xml.gz, many records), through the PubMed parser."""
    # Imported here so the other readers work while pubmed.py is absent or broken.
    from pipeline.sources.pubmed import iter_pubmed_xml

    count = 0
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as stream:
            for record in iter_pubmed_xml(stream):  # type: ignore[arg-type]
                count += 1
                yield replace(record, source=SOURCE)
    except CorpusError:
        raise
    except (ParseError, OSError, EOFError, zlib.error, ValueError, SyntaxError) as exc:
        detail = exc.message if isinstance(exc, ParseError) else f"{type(exc).__name__}: {exc}"
        raise CorpusError(
            f"{path}: PubMed XML unreadable after record {count} ({detail})",
            "the file is truncated or not PubMed XML; download it again (baseline files "
            "come with .md5 sums) or remove it from the list",
        ) from exc


# --- JSONL {doc_id, title, abstract} -----------------------------------------------------

# How a list-of-sentences abstract becomes sections (both keep the sentences' text as written):
#   "sentences" - one section per sentence, so sentence i of a SciFact abstract is
#                 record.sections[i] and gold rationale indices line up (factcheck index);
#   "headings"  - one section per inline heading ("RESULTS We found ..." opens RESULTS), so
#                 extraction knows which sentences are methods and which results (factcheck extract).
SECTION_MODES = ("sentences", "headings")


def read_jsonl(path: Path | str, what: str = "", shape: str = "{doc_id, title, abstract}") -> Iterator[tuple[str, Any]]:
    """("file:line", object) for every non-blank line of a JSON Lines file (plain or .gz, a BOM
    dropped). A file that cannot be opened or read, bad UTF-8 and bad JSON become CorpusErrors
    naming the file and line; `what` names the option that gave the path ("--gold"), `shape`
    the object each line should hold."""
    path = Path(path)
    lineno = 0
    try:
        handle = _open_bytes(path)
    except OSError as exc:
        raise CorpusError(f"{path}: cannot open: {exc.strerror or exc}",
                          f"check the path given with {what}" if what else "check the path") from exc
    try:
        with handle:
            # Lines are decoded one by one (not by a text stream's read-ahead) so that bad UTF-8
            # is reported on its own line; at most one record is held (a 3 GB line is refused).
            while raw := handle.readline(MAX_RECORD_BYTES + 1):
                lineno += 1
                if len(raw) > MAX_RECORD_BYTES:
                    raise CorpusError(f"{path}:{lineno}: a record longer than {MAX_RECORD_BYTES // 2**20} MB",
                                      f"one line holds one abstract; fix or delete line {lineno}")
                line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise CorpusError(
                        f"{path}:{lineno}: not valid JSON ({exc.msg} at column {exc.colno})",
                        f"each line must be one JSON object {shape}; "
                        f"fix or delete line {lineno}",
                    ) from exc
                yield f"{path}:{lineno}", data
    except UnicodeDecodeError as exc:
        raise CorpusError(
            f"{path}:{lineno}: not UTF-8 text ({exc.reason} at column {exc.start + 1})",
            "re-save the file as UTF-8",
        ) from exc
    except (OSError, EOFError, zlib.error) as exc:
        raise CorpusError(
            f"{path}:{lineno + 1}: cannot read the file ({exc})",
            "the file is damaged or truncated; download or copy it again",
        ) from exc


def iter_jsonl(path: Path, sections: str = "sentences", what: str = "") -> Iterator[Record]:
    """JSONL corpora: one {doc_id, title, abstract, ...} object a line (see `record_from_json`).

    `abstract` may be a string or a list of sentences, which become sections as `sections`
    says (SECTION_MODES); `what` names the option that gave the path.
    """
    first = True
    for where, data in read_jsonl(path, what):
        if first and isinstance(data, dict) and "doc_id" not in data and "claim" in data:
            raise NotACorpusFile(
                f"{path}: holds claims, not corpus documents",
                "index the corpus file (corpus.jsonl), not the claims file",
            )
        first = False
        yield record_from_json(data, where, sections)


def _sentence_sections(sentences: list[str], mode: str) -> tuple[tuple[str, str], ...]:
    if mode == "sentences":
        return tuple(("", s.strip()) for s in sentences)
    grouped: list[tuple[str, list[str]]] = []
    for raw in sentences:
        sentence = raw.strip()
        if not sentence:
            continue
        heading = inline_heading(sentence)
        if heading or not grouped:
            grouped.append((heading, [sentence]))
        else:
            grouped[-1][1].append(sentence)
    return tuple((label, " ".join(parts)) for label, parts in grouped)


def _shape_hint(where: str) -> str:
    # Built only when an error needs it: records are read by the thousand.
    line = where.rsplit(":", 1)[-1]
    return f'line {line} needs {{"doc_id": ..., "title": "...", "abstract": "..." or [...]}}'


def record_from_json(data: Any, where: str, sections: str = "sentences") -> Record:
    """One {doc_id, title, abstract (string or list of sentences), structured?, pmid?, doi?,
    journal?, year?, pub_types?, mesh?, authors?, url?} object -> Record with id "doc:<doc_id>".

    `where` ("file.jsonl:12") names the line in the CorpusError raised for a malformed object.
    """
    if sections not in SECTION_MODES:
        raise ValueError(f"sections must be one of {SECTION_MODES}, not {sections!r}")
    if not isinstance(data, dict):
        raise CorpusError(f"{where}: expected a JSON object, got {type(data).__name__}", _shape_hint(where))
    doc_id = data.get("doc_id")
    if doc_id is None or isinstance(doc_id, (dict, list, bool)) or str(doc_id).strip() == "":
        raise CorpusError(f"{where}: missing doc_id", _shape_hint(where))
    title = data.get("title") or ""
    abstract = data.get("abstract") or ""
    if not isinstance(title, str):
        raise CorpusError(f"{where}: title must be a string", _shape_hint(where))
    if isinstance(abstract, str):
        parts: tuple[tuple[str, str], ...] = (("", abstract.strip()),) if abstract.strip() else ()
    elif isinstance(abstract, list) and all(isinstance(s, str) for s in abstract):
        parts = _sentence_sections(abstract, sections)
    else:
        raise CorpusError(f"{where}: abstract must be a string or a list of strings",
                          _shape_hint(where))
    structured = data.get("structured")
    if isinstance(structured, list):
        # An explicit [(label, text)] form wins over the plain abstract when given.
        try:
            parts = tuple((str(lab), str(txt)) for lab, txt in structured)
        except (TypeError, ValueError) as exc:
            raise CorpusError(f"{where}: structured must be [[label, text], ...]",
                              _shape_hint(where)) from exc
    return Record(
        source=SOURCE,
        id=f"doc:{str(doc_id).strip()}",
        title=normalize_space(title),
        sections=parts,
        pmid=_pmid(data.get("pmid")),
        doi=_doi(data.get("doi")),
        journal=data.get("journal") if isinstance(data.get("journal"), str) else None,
        year=_year(data.get("year")),
        pub_types=_str_tuple(data.get("pub_types")),
        mesh=_str_tuple(data.get("mesh")),
        authors=_str_tuple(data.get("authors")),
        url=data.get("url") if isinstance(data.get("url"), str) else None,
    )


# --- PubMedQA -----------------------------------------------------------------------------


def iter_pubmedqa(path: Path) -> Iterator[Record]:
    """PubMedQA ori_pqal.json: {pmid: {QUESTION, CONTEXTS, LABELS, MESHES, YEAR, LONG_ANSWER}}."""
    text = _read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CorpusError(
            f"{path}:{exc.lineno}: not valid JSON ({exc.msg} at column {exc.colno})",
            "the file is damaged; copy ori_pqal.json again from the PubMedQA release",
        ) from exc
    if not (
        isinstance(data, dict)
        and data
        and all(isinstance(v, dict) and "QUESTION" in v and "CONTEXTS" in v for v in data.values())
    ):
        raise NotACorpusFile(
            f"{path}: not a PubMedQA file ({{pmid: {{QUESTION, CONTEXTS, ...}}}})",
            "the only .json corpus format is PubMedQA's ori_pqal.json; convert other corpora "
            "to JSONL {doc_id, title, abstract}",
        )
    for number, (key, item) in enumerate(data.items(), start=1):
        where = f"{path}: record {number} (PMID {key})"
        contexts, labels = item.get("CONTEXTS"), item.get("LABELS") or []
        if not isinstance(contexts, list) or not all(isinstance(c, str) for c in contexts):
            raise CorpusError(f"{where}: CONTEXTS must be a list of strings", "fix that record")
        if len(labels) != len(contexts):
            labels = [""] * len(contexts)  # a label list that does not line up is worthless
        sections = [(str(lab), ctx) for lab, ctx in zip(labels, contexts, strict=True)]
        if isinstance(item.get("LONG_ANSWER"), str) and item["LONG_ANSWER"].strip():
            sections.append(("CONCLUSIONS", item["LONG_ANSWER"]))
        pmid = _pmid(key)
        yield Record(
            source=SOURCE,
            id=_record_id(pmid, f"pubmedqa:{key}"),
            # QUESTION is not the article title: PubMedQA questions are often the title
            # rephrased as a question. It is the closest thing to a title the file holds, and
            # searching it finds the record the way a title would.
            title=normalize_space(str(item.get("QUESTION") or "")),
            sections=tuple(sections),
            pmid=pmid,
            year=_year(item.get("YEAR")),
            mesh=_str_tuple(item.get("MESHES")),
        )


# --- evidence-inference .abst -------------------------------------------------------------

_ABST_HEADER = re.compile(r"^(TITLE|ABSTRACT|BODY)(?:\.([^\n]*?))?[:.\s]*$")


def _pmc_map(folder: Path) -> dict[str, tuple[str, int | None]]:
    """PMCID -> (PMID, year) from a pmcid_pmid.tsv in the folder, when there is one."""
    table = folder / "pmcid_pmid.tsv"
    if not table.is_file():
        return {}
    mapping: dict[str, tuple[str, int | None]] = {}
    for row in csv.DictReader(io.StringIO(_read_text(table)), delimiter="\t"):
        pmcid, pmid = (row.get("pmcid") or "").strip(), _pmid(row.get("pmid"))
        if pmcid and pmid:
            mapping[pmcid] = (pmid, _year(row.get("year")))
    return mapping


def parse_abst(text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Split an evidence-inference abstract into (title, sections). Pure."""
    title_lines: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    for line in text.splitlines():
        header = _ABST_HEADER.match(line.strip())
        if header and header.group(1) == "TITLE" and current is None and not sections:
            current = title_lines
            continue
        if header and header.group(1) == "ABSTRACT":
            label = (header.group(2) or "").strip().rstrip(":.").strip()
            sections.append((label, []))
            current = sections[-1][1]
            continue
        if header:  # BODY.<SECTION> etc.: the full text, which is not part of the abstract
            current = None
            continue
        if current is not None and line.strip():
            current.append(line.strip())
    title = normalize_space(" ".join(title_lines))
    return title, tuple((lab, " ".join(lines)) for lab, lines in sections if lines)


def iter_abst(path: Path) -> Iterator[Record]:
    """One evidence-inference abstract (`TITLE. … ABSTRACT.<SECTION>. …`); PMID via the PMC map."""
    text = _read_text(path)
    title, sections = parse_abst(text)
    if not title and not sections:
        raise CorpusError(
            f"{path}:1: no TITLE or ABSTRACT.<SECTION> headers found",
            "an .abst file starts with 'TITLE.' and has 'ABSTRACT.<SECTION>.' lines",
        )
    pmcid = path.stem if path.stem.upper().startswith("PMC") else f"PMC{path.stem}"
    mapped = _pmc_map(path.parent) or _pmc_map(path.parent.parent)
    pmid, year = mapped.get(pmcid, (None, None))
    yield Record(
        source=SOURCE,
        id=_record_id(pmid, f"pmc:{pmcid}"),
        title=title,
        sections=sections,
        pmid=pmid,
        year=year,
        url=f"https://www.ncbi.nlm.nih.gov/pmc/articles/{pmcid}/",
    )


# --- ASReview-style CSV (cohen2006, Bannach-Brown) ----------------------------------------


def iter_asreview_csv(path: Path) -> Iterator[Record]:
    """CSV with title and abstract columns; pubmedID/pmid, doi, year, authors, record_id optional.

    Rows without a PMID (Bannach-Brown's preclinical abstracts) get the id
    `csv:<file stem>:<record_id>`. Nothing in these rows says whether a study is in animals, so
    nothing is added: extraction reads that from the abstract.
    """
    text = _read_text(path)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        fields = {(f or "").strip().lower(): f for f in reader.fieldnames or []}
    except csv.Error as exc:
        raise CorpusError(f"{path}:1: unreadable CSV header ({exc})", "fix the header line") from exc
    if "title" not in fields or "abstract" not in fields:
        raise NotACorpusFile(
            f"{path}: CSV without title and abstract columns (has {sorted(fields)})",
            "a corpus CSV needs 'title' and 'abstract' columns (ASReview format)",
        )
    stem = path.name.split(".")[0]
    pmid_col = next((fields[k] for k in ("pubmedid", "pmid", "pubmed_id") if k in fields), None)

    def col(row: dict[str, str], name: str) -> str:
        key = fields.get(name)
        return (row.get(key) or "").strip() if key else ""

    number = 0
    try:
        for row in reader:
            number += 1
            if None in row:  # more cells than header fields: a broken quote usually
                raise CorpusError(
                    f"{path}:{reader.line_num}: row {number} has more cells than the header",
                    "check the quoting of that row (a stray quote or comma)",
                )
            pmid = _pmid(row.get(pmid_col) or "") if pmid_col else None
            local_id = col(row, "record_id") or str(number)
            abstract = col(row, "abstract")
            authors = tuple(a.strip() for a in col(row, "authors").split(";") if a.strip())
            yield Record(
                source=SOURCE,
                id=_record_id(pmid, f"csv:{stem}:{local_id}"),
                title=normalize_space(col(row, "title")),
                sections=(("", abstract),) if abstract else (),
                pmid=pmid,
                doi=_doi(col(row, "doi")),
                year=_year(col(row, "year")),
                authors=authors,
            )
    except csv.Error as exc:
        raise CorpusError(
            f"{path}:{reader.line_num}: malformed CSV after row {number} ({exc})",
            "check the quoting around that line",
        ) from exc


# --- RIS ----------------------------------------------------------------------------------

_RIS_TAG = re.compile(r"^([A-Z][A-Z0-9])  ?-(?: (.*))?$")
_RIS_TITLE = ("TI", "T1", "ST", "CT", "BT")
_RIS_ABSTRACT = ("AB", "N2")
_RIS_YEAR = ("PY", "Y1", "DA")
_RIS_JOURNAL = ("JO", "JF", "T2", "JA", "J2")


def parse_ris(text: str) -> Iterator[tuple[int, int, dict[str, list[str]]]]:
    """RIS records as (record number, first line, {tag: [values]}). Pure.

    Lenient about dialects: one or two spaces before '-', lines without a tag continue the
    previous field (multi-line AB, KW, AD), a last record without ER is kept.
    Raises ValueError(line, reason) for text outside a record.
    """
    fields: dict[str, list[str]] | None = None
    last_tag = ""
    start = number = 0
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        match = _RIS_TAG.match(line)
        if match:
            tag, value = match.group(1), (match.group(2) or "").strip()
            if tag == "TY":
                if fields is not None:
                    raise ValueError(lineno, "a new TY record starts before the previous ER")
                fields, last_tag, start = {"TY": [value]}, "TY", lineno
                number += 1
            elif tag == "ER":
                if fields is None:
                    raise ValueError(lineno, "ER without a TY record start")
                yield number, start, fields
                fields = None
            elif fields is None:
                raise ValueError(lineno, f"tag {tag} outside a record (records start with 'TY  - ')")
            else:
                fields.setdefault(tag, []).append(value)
                last_tag = tag
        elif line.strip():
            if fields is None:
                raise ValueError(lineno, "text outside a record (records start with 'TY  - ')")
            values = fields.setdefault(last_tag, [""])
            values[-1] = f"{values[-1]}\n{line.strip()}" if values[-1] else line.strip()
    if fields is not None:
        yield number, start, fields


def _ris_first(fields: dict[str, list[str]], tags: tuple[str, ...]) -> str:
    for tag in tags:
        for value in fields.get(tag, ()):
            if value.strip():
                return value.strip()
    return ""


def iter_ris(path: Path) -> Iterator[Record]:
    """RIS exports (Scopus, PsycINFO, PubMed dialects); AN becomes the PMID when numeric."""
    text = _read_text(path)
    stem = path.name.split(".")[0]
    try:
        for number, _start, fields in parse_ris(text):
            pmid = _pmid(_ris_first(fields, ("AN",)))
            local_id = _ris_first(fields, ("ID",)) or str(number)
            journal = None
            if fields.get("TY", [""])[0] in ("JOUR", "JFULL", "EJOUR", "MGZN", ""):
                journal = _ris_first(fields, _RIS_JOURNAL) or None
            abstract = normalize_space(_ris_first(fields, _RIS_ABSTRACT))
            authors = tuple(a for tag in ("AU", "A1") for a in fields.get(tag, ()) if a)
            urls = _ris_first(fields, ("UR",)).split("\n")
            yield Record(
                source=SOURCE,
                id=_record_id(pmid, f"ris:{stem}:{local_id}"),
                title=normalize_space(_ris_first(fields, _RIS_TITLE)),
                sections=(("", abstract),) if abstract else (),
                pmid=pmid,
                doi=_doi(_ris_first(fields, ("DO",))),
                journal=journal,
                year=_year(_ris_first(fields, _RIS_YEAR)),
                authors=authors,
                url=urls[0] or None,
            )
    except ValueError as exc:
        if len(exc.args) == 2 and isinstance(exc.args[0], int):
            lineno, reason = exc.args
            raise CorpusError(
                f"{path}:{lineno}: malformed RIS: {reason}",
                "every record runs from 'TY  - ' to 'ER  - '; fix or delete that line",
            ) from exc
        raise


# --- EBM-NLP .tokens ----------------------------------------------------------------------

# Section labels PubMed prints in capitals; EBM-NLP keeps them as tokens at a sentence start.
_LABEL_WORDS = frozenset(
    """UNLABELLED BACKGROUND OBJECTIVE OBJECTIVES AIM AIMS PURPOSE METHODS METHOD MATERIALS
    MATERIAL AND RESULTS RESULT CONCLUSION CONCLUSIONS DESIGN SETTING SETTINGS PARTICIPANTS
    PATIENTS INTERVENTION INTERVENTIONS MEASUREMENTS MAIN OUTCOME OUTCOMES MEASURES ANIMALS
    PROCEDURES STUDY INTRODUCTION CONTEXT FINDINGS INTERPRETATION SUBJECTS DISCUSSION
    SIGNIFICANCE LIMITATIONS TRIAL REGISTRATION IMPORTANCE EXPOSURE EXPOSURES""".split()
)
_NO_SPACE_BEFORE = frozenset(".,;:)]%?!")
_NO_SPACE_AFTER = frozenset("([")


def detokenize(tokens: list[str]) -> str:
    """Join tokens back into text: no space before closing punctuation, hyphens rejoined."""
    out = ""
    for i, tok in enumerate(tokens):
        prev = tokens[i - 1] if i else ""
        glue = (
            not out
            or tok in _NO_SPACE_BEFORE
            or prev in _NO_SPACE_AFTER
            or tok == "-"
            or prev == "-"
        )
        out += tok if glue else f" {tok}"
    return out


def parse_tokens(tokens: list[str]) -> tuple[str, tuple[tuple[str, str], ...]]:
    """(title, sections) from EBM-NLP tokens: the first sentence is the title. Pure."""
    sentences: list[list[str]] = [[]]
    for tok in tokens:
        sentences[-1].append(tok)
        if tok in (".", "?", "!"):
            sentences.append([])
    sentences = [s for s in sentences if s]
    if not sentences:
        return "", ()
    title = detokenize(sentences[0]).rstrip(".")
    sections: list[tuple[str, list[str]]] = []
    for sentence in sentences[1:]:
        label_len = 0
        while (
            label_len < len(sentence) - 1
            and sentence[label_len] in _LABEL_WORDS
        ):
            label_len += 1
        if label_len and sentence[label_len - 1] == "AND":
            label_len -= 1
        if label_len:
            sections.append((" ".join(sentence[:label_len]), []))
        elif not sections:
            sections.append(("", []))
        sections[-1][1].append(detokenize(sentence[label_len:]))
    return title, tuple(
        ("" if lab == "UNLABELLED" else lab, " ".join(sents)) for lab, sents in sections
    )


def iter_ebm_tokens(path: Path) -> Iterator[Record]:
    """An EBM-NLP `<PMID>.tokens` file (one token a line; title = first sentence)."""
    tokens = [t.strip() for t in _read_text(path).splitlines() if t.strip()]
    if not tokens:
        raise CorpusError(f"{path}: no tokens", "an EBM-NLP .tokens file has one token a line")
    title, sections = parse_tokens(tokens)
    pmid = _pmid(path.stem)
    yield Record(
        source=SOURCE,
        id=_record_id(pmid, f"ebm-nlp:{path.stem}"),
        title=title,
        sections=sections,
        pmid=pmid,
    )
