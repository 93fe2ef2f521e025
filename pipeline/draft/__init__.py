"""`factcheck draft ARTICLE`: placeholder until issue 8 builds it."""

from __future__ import annotations

import argparse

from pipeline.errors import InputError

HELP = "(not built yet: issue 8)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("article", help="article as .html, .txt or a URL")


def run(args: argparse.Namespace) -> int:
    raise InputError("factcheck draft is not built yet", "see issue 8")
