"""`factcheck draft ARTICLE`: an article (HTML, text or URL) -> a draft claims YAML.

article.py reads the article into blocks; worthiness.py scores its sentences (word lists in
lexicon.py); figures.py, cites.py, pico.py and wording.py guess each claim's fields; drafter.py
assembles the claims and yaml_out.py writes them with comments.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import tempfile
from pathlib import Path

from pipeline.errors import InputError


def _refuse_overwrite(path: str | None, force: bool, flag: str) -> None:
    if path and Path(path).exists() and not force:
        raise InputError(f"{path} exists; {flag} never replaces a file", "give another name, or add --force to replace it")


def _write(path: Path, text: str) -> None:
    """Write through a temporary file, so an interrupted run never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _fetcher(args: argparse.Namespace):  # noqa: ANN202 - returns a closure
    """GET through the shared polite client: cache, rate limit, deadline, size cap."""
    from pipeline.cache import Cache
    from pipeline.config import Settings
    from pipeline.http import HttpClient

    settings = Settings.from_env(offline=args.offline or None, cache_path=Path(args.cache) if args.cache else None)

    def get(url: str) -> bytes:
        with Cache(settings.cache_path) as cache:
            return HttpClient(settings, cache, "article", per_second=1.0, untrusted=True).get(url, what=f"article {url}").body
    return get


def run(args: argparse.Namespace) -> int:
    from pipeline.claims import parse
    from pipeline.draft.article import from_body, read_file
    from pipeline.draft.drafter import draft
    from pipeline.draft.yaml_out import render

    is_url = bool(re.match(r"^https?://", args.article, re.IGNORECASE))
    if args.max_claims is not None and args.max_claims < 1:
        raise InputError(f"--max-claims {args.max_claims} keeps nothing", "give a number of at least 1, or leave it out")
    written = [Path(p).resolve() for p in (args.out, args.text_out) if p]
    if len(set(written)) < len(written) or (not is_url and Path(args.article).resolve() in written):
        raise InputError("--out, --text-out and the article must be three different files",
                         "give the draft and the text copy their own names")
    _refuse_overwrite(args.out, args.force, "--out")
    _refuse_overwrite(args.text_out, args.force, "--text-out")
    if is_url:
        article, plain = from_body(_fetcher(args)(args.article)), False
    else:
        article, plain = read_file(Path(args.article))
    result = draft(article, min_score=args.min_score, max_claims=args.max_claims)
    if not result.claims:
        raise InputError(f"{args.article}: no sentence scored {args.min_score:g} or more (best: "
                         f"{result.near_misses[0][0] if result.near_misses else 'none'})",
                         "lower --min-score, or check that the file holds the article's text")
    base = Path(args.out).parent if args.out else Path(".")
    text_copy = args.text_out or (args.article if plain else None)
    file = os.path.relpath(text_copy, base) if text_copy and args.out else text_copy
    if args.text_out:
        _write(Path(args.text_out), article.as_text())
    yaml_text = render(result, source=args.article, file=file, url=args.article if is_url else None,
                       today=dt.date.today().isoformat())
    parse(yaml_text, args.out or "<draft>", base_dir=base)  # the draft must load as it stands
    if args.out:
        _write(Path(args.out), yaml_text)
        print(f"wrote {len(result.claims)} draft claims to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(yaml_text)
    return 0
