"""`factcheck eval extraction`: placeholder until issue 3 builds it."""

from __future__ import annotations

import argparse

from pipeline.errors import InputError

HELP = "(not built yet: issue 3)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    raise InputError("factcheck eval extraction is not built yet", "see issue 3")
