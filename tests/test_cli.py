"""The command line: help for every command, README coverage, exit codes for bad input."""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import requests
import urllib3

from pipeline.cache import Cache
from pipeline.config import Settings
from pipeline.errors import SourceError
from pipeline.http import HttpClient
from pipeline.cli import build_parser, main

from conftest import REPO


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = subcommands()
    assert {"run", "validate", "index", "search", "extract"} <= set(commands)
    for name, parser in commands.items():
        assert parser.description, f"factcheck {name} has no description"
        assert f"factcheck {name}" in readme, f"factcheck {name} is missing from README.md"
        for action in parser._actions:
            assert action.help, f"factcheck {name} {action.option_strings or action.dest} has no help"


def test_readme_starts_with_the_two_commands() -> None:
    head = (REPO / "README.md").read_text(encoding="utf-8").splitlines()[:6]
    assert any(line.startswith("make install && make") for line in head)
    assert any(line.startswith("make test") for line in head)


def test_bad_flag_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["run", "--source", "nowhere"])
    assert info.value.code == 2


def test_validate_bad_file_exits_2_with_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "claims.yaml"
    bad.write_text("article: {title: t}\nclaims:\n  - {id: a, quote: q, claim: c, colour: red}\n")
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:3: unknown key 'colour'" in err and "fix:" in err and "Traceback" not in err


def test_local_source_without_corpus_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(REPO / "claims.yaml"), "--source", "local", "--out", str(tmp_path)]) == 2
    assert "--corpus" in capsys.readouterr().err


def test_python_dash_m_is_the_same_program() -> None:
    done = subprocess.run([sys.executable, "-m", "pipeline", "validate", "--help"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "claims" in done.stdout


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline import __version__

    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"factcheck {__version__}"


def test_importing_the_command_line_does_not_load_spacy() -> None:
    # The stages that need spaCy are imported by the commands that run them, so --help,
    # validate and search start fast.
    done = subprocess.run([sys.executable, "-c", "import sys, pipeline.cli; pipeline.cli.build_parser(); "
                           "print(sorted(m for m in sys.modules if m.split('.')[0] in ('spacy', 'thinc')))"],
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def _tiny_abstracts(path: Path) -> Path:
    # Hand-made, not real abstracts.
    lines = [{"doc_id": "a1", "title": "A randomized trial of walking", "abstract": "We randomized 120 adults to walk or rest."},
             {"doc_id": "a2", "title": "Sleep in a cohort", "abstract": "A cohort of 300 nurses was followed."}]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return path


def test_extract_takes_a_positional_file_stdin_and_the_old_flag(tmp_path: Path) -> None:
    jsonl = _tiny_abstracts(tmp_path / "abstracts.jsonl")
    outs = []
    for argv, stdin in ((["extract", str(jsonl)], None), (["extract", "-"], jsonl.read_text()),
                        (["extract", "--input", str(jsonl)], None)):
        done = subprocess.run([sys.executable, "-m", "pipeline", *argv], input=stdin,
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        outs.append([json.loads(line)["doc_id"] for line in done.stdout.splitlines()])
    assert outs[0] == ["a1", "a2"] and outs[1] == outs[0] and outs[2] == outs[0]
    assert "--input" not in subprocess.run([sys.executable, "-m", "pipeline", "extract", "--help"],
                                           capture_output=True, text=True, check=True).stdout


def test_extract_without_a_file_is_an_input_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract"]) == 2
    assert "standard input" in capsys.readouterr().err


@pytest.fixture
def pt_corpus(tmp_path: Path) -> Path:
    """Hand-made records: two trials, one review, two without a publication type."""
    from pipeline.sources.local import build_index

    docs = [{"doc_id": i, "title": f"Ketamine study {i}", "abstract": "Ketamine and depression.", **extra}
            for i, extra in enumerate([{"pub_types": ["Randomized Controlled Trial"]},
                                       {"pub_types": ["Randomized Controlled Trial"]},
                                       {"pub_types": ["Review"]}, {}, {}], 1)]
    jsonl = tmp_path / "docs.jsonl"
    jsonl.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    build_index([jsonl], tmp_path / "pt.db")
    return tmp_path / "pt.db"


def test_search_says_how_many_it_shows_of_how_many(pt_corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "ketamine[tiab]", "--source", "local", "--corpus", str(pt_corpus), "--limit", "2"]) == 0
    out = capsys.readouterr().out
    assert "showing 2 of 5 hits" in out
    assert len([line for line in out.splitlines() if line.startswith("doc:")]) == 2
    assert "{title" not in out and "zz" not in out  # no index internals: the query as PubMed reads it
    assert "local: ketamine[tiab]" in out


def test_a_publication_type_filter_is_one_rule_in_search_and_run(pt_corpus: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.sources.local import LocalIndex
    from pipeline.types import Query, QueryArm

    assert main(["search", "ketamine[tiab] AND randomized controlled trial[pt]", "--source", "local",
                 "--corpus", str(pt_corpus)]) == 0
    out = capsys.readouterr().out
    assert "showing 2 of 2 hits" in out  # the records without a publication type do not pass
    assert "without a publication type are left out" in out
    with LocalIndex(pt_corpus) as index:  # the same filter as `run` builds it
        built = index.search(Query("c", arms=(QueryArm("intervention", free_text=("ketamine",)),),
                                   filters=("randomized controlled trial[pt]",)))
        assert sorted(built.ids) == ["doc:1", "doc:2"]


def test_without_any_network_run_gives_up_at_once_in_a_short_paragraph(tmp_path: Path, monkeypatch,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """No name resolves: retrying cannot help, so the run neither waits through its backoff nor
    prints the request's URL; it says what failed, that nothing was overwritten, and the fix."""
    calls: list[str] = []

    def no_network(self, method, url, **kwargs):  # noqa: ANN001, ANN202
        calls.append(url)
        reason = urllib3.exceptions.NameResolutionError("eutils.example", None, socket.gaierror(-2, "Name or service not known"))
        raise requests.ConnectionError(urllib3.exceptions.MaxRetryError(None, url, reason))

    monkeypatch.setattr(requests.Session, "request", no_network)
    monkeypatch.setenv("FACTCHECK_CACHE", str(tmp_path / "cache.sqlite"))
    monkeypatch.setenv("FACTCHECK_MAX_TRIES", "5")
    monkeypatch.setenv("FACTCHECK_BACKOFF", "0")
    out = tmp_path / "reports"
    assert main(["run", str(REPO / "claims.yaml"), "--out", str(out)]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(calls) == 1
    assert len(err) <= 4 and "could not be reached" in err[1] and "make offline" in err[-1]
    assert not out.exists() or not list(out.iterdir())


def test_a_refused_connection_is_still_retried(monkeypatch) -> None:
    """A refused connection may be a service restarting: the retry policy stands."""
    calls: list[str] = []

    def refused(self, method, url, **kwargs):  # noqa: ANN001, ANN202
        calls.append(url)
        raise requests.ConnectionError("refused")

    monkeypatch.setattr(requests.Session, "request", refused)
    settings = replace(Settings.from_env(), max_tries=3, backoff_base=0.0)
    with Cache(":memory:") as cache, pytest.raises(SourceError):
        HttpClient(settings, cache, "test", per_second=1000).get("http://service.example/x", what="x")
    assert len(calls) == 3
