"""The command line: help for every command, README coverage, exit codes for bad input."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

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
