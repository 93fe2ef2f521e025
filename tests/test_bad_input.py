"""Bad input through the command line: exit 2, a message naming file, line and fix, fast, no traceback.

Claims files as students edit them by hand (and worse), and corpus files for `factcheck index`
that are malformed, truncated or mixed with good ones. A failed index build leaves no index that
looks complete (and an earlier complete index untouched).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
import yaml

from conftest import REPO, shared_file
from pipeline.cli import main

GOOD_CLAIM = {"id": "a", "quote": "Drug X works.", "claim": "Drug X reduces symptoms.", "kind": "efficacy",
              "intervention": ["drug x"], "outcome": ["symptoms"]}


def claims_yaml(claims: list[dict]) -> str:
    # through JSON first: a fresh copy of each value, so PyYAML writes no &anchor/*alias pairs
    return yaml.safe_dump(json.loads(json.dumps({"article": {"title": "T"}, "claims": claims})), sort_keys=False)


def huge(path: Path) -> None:
    with path.open("w") as out:
        out.write(claims_yaml([GOOD_CLAIM]))
        line = "# " + "padding " * 12 + "\n"
        out.write(line * (10 * 2**20 // len(line) + 1))


def many_claims(path: Path) -> None:
    claim = "  - id: c{n}\n    quote: Drug {n} works.\n    claim: Drug {n} reduces symptoms.\n    kind: efficacy\n" \
            "    intervention: [drug {n}]\n    outcome: [symptoms]\n"
    path.write_text("article:\n  title: T\nclaims:\n" + "".join(claim.format(n=n) for n in range(10_000)))


BOMB = """\
article: {title: T}
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
claims:
  - id: a
    quote: *c
"""

# name -> (how to write the file, the text on the line the message must name (n-th time it
# appears) or None for a problem of the whole file, words of the message)
CLAIMS_CASES = {
    "empty": (lambda p: p.write_text(""), None, "empty"),
    "not-yaml": (lambda p: p.write_text("article:\n  title: T\nclaims: [\n  - id: x\n"), ("- id: x", 1), "not valid YAML"),
    "not-utf8": (lambda p: p.write_bytes(b"article:\n  title: caf\xe9\n"), ("title", 1), "not UTF-8"),
    "huge-10mb": (huge, None, "larger than 5 MB"),
    "duplicate-ids": (lambda p: p.write_text(claims_yaml([GOOD_CLAIM, GOOD_CLAIM])), ("- id: a", 2), "duplicate claim id"),
    "unknown-key": (lambda p: p.write_text(claims_yaml([{**GOOD_CLAIM, "colour": "red"}])), ("colour:", 1), "unknown key"),
    "wrong-types": (lambda p: p.write_text(claims_yaml([{**GOOD_CLAIM, "numbers": "12%"}])), ("numbers:", 1), "must be a list"),
    "path-traversal": (lambda p: p.write_text(claims_yaml([{**GOOD_CLAIM, "id": "../../x"}])), ("../../x", 1), "not a short name"),
    "10000-claims": (many_claims, ("- id: c1000", 1), "more than 1000 claims"),
    "alias-bomb": (lambda p: p.write_text(BOMB), ("*a", 1), "alias"),
}


def line_of(path: Path, text: str, nth: int) -> int:
    lines = [n for n, line in enumerate(path.read_bytes().split(b"\n"), 1) if text.encode() in line]
    return lines[nth - 1]


@pytest.mark.parametrize("case", list(CLAIMS_CASES))
@pytest.mark.parametrize("command", ["validate", "run"])
def test_bad_claims_file_exits_2_naming_file_line_and_fix(case, command, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FACTCHECK_EUTILS_URL", "http://127.0.0.1:9/never-used/")  # it must stop before
    write, where, words = CLAIMS_CASES[case]
    path = tmp_path / f"{case}.yaml"
    write(path)
    line = line_of(path, *where) if where else None
    started = time.monotonic()
    code = main([command, str(path), "--out", str(tmp_path / "out")] if command == "run" else [command, str(path)])
    elapsed = time.monotonic() - started
    err = capsys.readouterr().err
    assert code == 2 and elapsed < 2.0, (code, elapsed)
    assert words in err and "fix:" in err and "Traceback" not in err
    assert (f"{path}:{line}:" in err) if line else (f"{path}:" in err)
    assert not (tmp_path / "out").exists()


# --- corpus files for `factcheck index` ----------------------------------------------------------


def _scifact_lines(count: int) -> list[str]:
    return shared_file("scifact", "corpus.jsonl").read_text().splitlines()[:count]


def _pubmed_xml() -> bytes:
    return shared_file("pubmed-xml", "pubmed-29768149.xml").read_bytes()


def _corpus_cases() -> dict[str, tuple[dict[str, bytes], str, bool]]:
    good = "\n".join(_scifact_lines(3)) + "\n"
    xml = _pubmed_xml()
    return {
        "jsonl-malformed-line": ({"c.jsonl": (good + '{"doc_id": 5, "title": "x", "abstract": [\n' + good).encode()},
                                 "c.jsonl:4: not valid JSON", True),
        "jsonl-truncated": ({"c.jsonl": good.encode()[: len(good) // 2]}, "not valid JSON", True),
        "jsonl-not-utf8": ({"c.jsonl": b"\xff\xfe" + good.encode()}, "not UTF-8", True),
        "jsonl-wrong-type": ({"c.jsonl": (good + '{"doc_id": 9, "title": 3, "abstract": "x"}\n').encode()},
                             "c.jsonl:4: title must be a string", True),
        "xml-truncated": ({"p.xml": xml[: len(xml) // 2]}, "truncated or not PubMed XML", True),
        "xml-gz-truncated": ({"p.xml.gz": gzip.compress(xml)[:-40]}, "truncated", False),
        "html-not-xml": ({"p.xml": shared_file("eutils-samples", "entrez", "pubmed3.html").read_bytes()}, "HTML", False),
        "mixed-good-and-bad": ({"a.jsonl": good.encode(), "b.jsonl": b'{"doc_id": 1, "title": "x", "abstract": "y"}\n{oops\n'},
                               "b.jsonl:2: not valid JSON", True),
    }


@pytest.mark.parametrize("case", ["jsonl-malformed-line", "jsonl-truncated", "jsonl-not-utf8", "jsonl-wrong-type",
                                  "xml-truncated", "xml-gz-truncated", "html-not-xml", "mixed-good-and-bad"])
def test_bad_corpus_file_exits_2_and_leaves_no_index_looking_complete(case, tmp_path, capsys):
    files, words, names_line = _corpus_cases()[case]
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    db = tmp_path / "corpus.db"
    # an earlier, complete index of the good data: a failed rebuild must not touch it
    good = tmp_path / "good.jsonl"
    good.write_text("\n".join(_scifact_lines(2)) + "\n")
    assert main(["index", str(good), "--db", str(db)]) == 0
    before = db.read_bytes()
    capsys.readouterr()
    started = time.monotonic()
    code = main(["index", *paths, "--db", str(db)])
    elapsed = time.monotonic() - started
    err = capsys.readouterr().err
    assert code == 2 and elapsed < 2.0, (code, elapsed, err)
    assert words in err and "fix:" in err and "Traceback" not in err
    if names_line:
        assert re.search(r"\.(jsonl|xml)(\.gz)?:\d+", err) or "line " in err
    assert db.read_bytes() == before  # the last complete index stays as it was
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".building")]


def test_interrupted_index_build_is_never_taken_for_complete(tmp_path, capsys):
    """A build killed before its last step leaves only a hidden .building file, which no run reads."""
    good = tmp_path / "good.jsonl"
    good.write_text("\n".join(_scifact_lines(2)) + "\n")
    db = tmp_path / "corpus.db"
    assert main(["index", str(good), "--db", str(db)]) == 0
    with sqlite3.connect(db) as conn:  # what an index looks like when the build stopped half-way
        conn.execute("DELETE FROM meta WHERE key = 'complete'")
    claims = tmp_path / "claims.yaml"
    claims.write_text(claims_yaml([GOOD_CLAIM]))
    capsys.readouterr()
    assert main(["run", str(claims), "--source", "local", "--corpus", str(db), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "never finished" in err and "fix:" in err and "Traceback" not in err


# --- settings from the environment ------------------------------------------------------------------


@pytest.mark.parametrize("name, value", [
    ("FACTCHECK_TIMEOUT", "abc"), ("FACTCHECK_TIMEOUT", "0"), ("FACTCHECK_TIMEOUT", "nan"),
    ("FACTCHECK_TIMEOUT", "inf"), ("FACTCHECK_TIMEOUT", "-1"), ("FACTCHECK_MAX_TRIES", "0"),
    ("FACTCHECK_MAX_TRIES", "2.5"), ("FACTCHECK_BACKOFF", "inf"), ("FACTCHECK_BACKOFF", "1e6"),
    ("FACTCHECK_BACKOFF", "-0.5"), ("FACTCHECK_MAX_BODY_MB", "0"), ("FACTCHECK_ALLOW_PRIVATE_HOSTS", "localhost"),
])
@pytest.mark.parametrize("command", ["run", "search"])
def test_bad_setting_exits_2_naming_the_variable_and_the_fix(name, value, command, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FACTCHECK_EUTILS_URL", "http://127.0.0.1:9/never-used/")  # it must stop before
    monkeypatch.setenv(name, value)
    claims = tmp_path / "claims.yaml"
    claims.write_text(claims_yaml([GOOD_CLAIM]))
    argv = {"run": ["run", str(claims), "--out", str(tmp_path / "out"), "--cache", str(tmp_path / "c.sqlite")],
            "search": ["search", "ketamine", "--cache", str(tmp_path / "c.sqlite")]}[command]
    started = time.monotonic()
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2 and time.monotonic() - started < 2.0, (code, err)
    assert f"{name}=" in err or f"{name}:" in err
    assert f"unset {name}" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_the_backoff_between_tries_is_capped(monkeypatch):
    from pipeline.cache import Cache
    from pipeline.config import MAX_BACKOFF, Settings
    from pipeline.errors import SourceError
    from pipeline.http import HttpClient

    slept: list[float] = []
    settings = Settings(max_tries=4, backoff_base=MAX_BACKOFF, timeout=0.5)
    with Cache(":memory:") as cache:
        client = HttpClient(settings, cache, "crossref", 1000.0, sleep=slept.append)
        with pytest.raises(SourceError):
            client.get("http://127.0.0.1:9/works", what="lookup")
    assert len(slept) == 3 and max(slept) <= MAX_BACKOFF  # not 60, 120, 240 s


# --- special files: devices, FIFOs, folders, and files past the cap ------------------------------------


def _special(kind: str, tmp_path: Path) -> Path:
    if kind == "device":
        return Path("/dev/zero")  # st_size 0, endless
    if kind == "fifo":
        fifo = tmp_path / "pipe.yaml"
        os.mkfifo(fifo)  # nobody writes: reading it would block forever
        return fifo
    if kind == "folder":
        return tmp_path
    big = tmp_path / "big.txt"
    big.write_text("Drug X works.\n" + "More words of the article. " * (6 * 2**20 // 27))
    return big


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not Path("/dev/zero").exists(), reason="needs a POSIX system")
@pytest.mark.parametrize("kind, use", [
    *((kind, use) for kind in ("device", "fifo", "folder", "6mb") for use in ("validate", "draft", "article.file")),
    ("device", "index"), ("fifo", "index"),  # a folder and a large file are what index reads
])
def test_special_or_huge_files_exit_2_at_once(kind, use, tmp_path, capsys):
    special = _special(kind, tmp_path)
    if use == "index":
        argv = ["index", str(special), "--db", str(tmp_path / "c.db")]
    elif use == "article.file":
        claims = tmp_path / "claims.yaml"
        claims.write_text(claims_yaml([GOOD_CLAIM]).replace("title: T", f"title: T\n  file: {special}"))
        argv = ["validate", str(claims)]
    elif kind == "6mb" and use == "validate":
        argv = ["validate", str(special)]
    else:
        argv = [use, str(special)]
    started = time.monotonic()
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2 and time.monotonic() - started < 2.0, (code, err)
    assert str(special) in err and "fix:" in err and "Traceback" not in err
    words = {"device": "not a regular file", "fifo": "not a regular file", "folder": "folder", "6mb": "larger than"}
    assert words[kind] in err


@pytest.mark.parametrize("kind", ["a file", "a dangling link"])
def test_bad_out_folder_exits_2_before_the_run(kind, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FACTCHECK_EUTILS_URL", "http://127.0.0.1:9/never-used/")  # it must stop before
    out = tmp_path / "out"
    if kind == "a file":
        out.write_text("not a folder")
    else:
        out.symlink_to(tmp_path / "gone")
    claims = tmp_path / "claims.yaml"
    claims.write_text(claims_yaml([GOOD_CLAIM]))
    started = time.monotonic()
    code = main(["run", str(claims), "--out", str(out), "--cache", str(tmp_path / "c.sqlite")])
    err = capsys.readouterr().err
    assert code == 2 and time.monotonic() - started < 2.0, (code, err)
    assert f"--out {out}" in err and "fix:" in err and "Traceback" not in err
    assert "checking" not in err  # refused before the run started


# --- corpus leftovers, caps and damage ----------------------------------------------------------------


def test_a_killed_index_build_leaves_nothing_after_the_next_build(tmp_path):
    corpus = shared_file("scifact", "corpus.jsonl")
    db = tmp_path / "corpus.db"
    command = [sys.executable, "-m", "pipeline", "index", str(corpus), "--db", str(db)]
    for _ in range(2):  # two builds killed with SIGKILL half-way
        build = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(".corpus.db.*.building")) or \
                max(p.stat().st_size for p in tmp_path.glob(".corpus.db.*.building")) < 2**20:
            assert build.poll() is None and time.monotonic() < deadline, "the build ended before it could be killed"
            time.sleep(0.02)
        os.kill(build.pid, signal.SIGKILL)
        build.wait()
    # SIGKILL leaves the second build's file; the second build removed the first one's already
    assert len(list(tmp_path.glob(".corpus.db.*.building"))) == 1
    small = tmp_path / "small.jsonl"
    small.write_text("\n".join(_scifact_lines(2)) + "\n")
    assert main(["index", str(small), "--db", str(db)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.db", "small.jsonl"]


def test_a_record_past_the_cap_exits_2_naming_its_line(tmp_path, capsys):
    good = "\n".join(_scifact_lines(2)) + "\n"
    long_record = json.dumps({"doc_id": 7, "title": "t", "abstract": "word " * (2 * 2**20 // 5)})
    plain = tmp_path / "c.jsonl"
    plain.write_text(good + long_record + "\n")
    packed = tmp_path / "one-line.jsonl.gz"  # 200 MB on one line, 200 kB packed
    with gzip.open(packed, "wb", compresslevel=1) as out:
        out.write(b'{"doc_id": 1, "title": "t", "abstract": "')
        for _ in range(200):
            out.write(b"a" * 2**20)
    for path, line in ((plain, 3), (packed, 1)):
        tracemalloc.start()
        code = main(["index", str(path), "--db", str(tmp_path / "x.db")])
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        err = capsys.readouterr().err
        assert code == 2 and f"{path}:{line}:" in err and "longer than" in err and "fix:" in err, err
        assert peak < 20 * 2**20, f"{peak / 2**20:.0f} MB held for one record"


def test_a_damaged_corpus_exits_2_with_the_rebuild_command(tmp_path, capsys):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join(_scifact_lines(400)) + "\n")
    db = tmp_path / "corpus.db"
    assert main(["index", str(corpus), "--db", str(db)]) == 0
    data = bytearray(db.read_bytes())
    for start in range(4 * 4096, len(data) - 4096, 2 * 4096):  # inner pages; the header stays whole
        data[start + 100:start + 4000] = b"\x5a" * 3900
    db.write_bytes(bytes(data))
    claims = tmp_path / "claims.yaml"
    claims.write_text(claims_yaml([GOOD_CLAIM]))
    capsys.readouterr()
    for argv in (["search", "drug AND symptoms", "--source", "local", "--corpus", str(db)],
                 ["run", str(claims), "--source", "local", "--corpus", str(db), "--out", str(tmp_path / "out")]):
        code = main(argv)
        err = capsys.readouterr().err
        assert code == 2, (argv[0], code, err)
        assert "damaged" in err and f"factcheck index FILE... --db {db}" in err and "Traceback" not in err
