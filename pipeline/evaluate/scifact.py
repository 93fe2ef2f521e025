"""`factcheck eval scifact`: placeholder until issue 4 builds it."""

from __future__ import annotations

import argparse

from pipeline.errors import InputError

HELP = "(not built yet: issue 4)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    raise InputError("factcheck eval scifact is not built yet", "see issue 4")
