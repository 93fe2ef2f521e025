"""`factcheck eval draft`: placeholder until issue 8 builds it."""

from __future__ import annotations

import argparse

from pipeline.errors import InputError

HELP = "(not built yet: issue 8)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    raise InputError("factcheck eval draft is not built yet", "see issue 8")
