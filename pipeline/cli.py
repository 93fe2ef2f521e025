"""The command line: the one place that turns library errors into messages and exit codes.

Exit codes: 0 ok, 2 bad input (claims, flags, corpus), 3 a source failed and not everything
could be served from the cache, 1 a bug.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from pipeline.cache import Cache
from pipeline.config import Settings, redact
from pipeline.errors import InputError, PipelineError
from pipeline.evaluate import EVALUATIONS
from pipeline.run import Source, open_source

EXIT_OK, EXIT_BUG, EXIT_INPUT, EXIT_SOURCE = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on bad flags already; make its message say where to look."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, f"{self.prog}: error: {message}\n  fix: see '{self.prog} --help'\n")


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        offline=getattr(args, "offline", None) or None,
        cache_path=Path(args.cache) if getattr(args, "cache", None) else None,
    )


@contextmanager
def _opened_source(args: argparse.Namespace, settings: Settings) -> Iterator[Source]:
    """The source named by --source/--corpus; the PubMed cache is closed on the way out."""
    cache = Cache(settings.cache_path) if args.source != "local" else None
    try:
        yield open_source(args.source, settings, cache, Path(args.corpus) if args.corpus else None, _say)
    finally:
        if cache is not None:
            cache.close()


# --- commands ----------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    from pipeline.claims import load

    claims_file = load(args.claims)
    kinds: dict[str, int] = {}
    for claim in claims_file.claims:
        kinds[claim.kind] = kinds.get(claim.kind, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    print(f"{args.claims}: OK: {len(claims_file.claims)} claims ({summary}) for \"{claims_file.article.title}\"")
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    from pipeline.claims import load
    from pipeline.run import check_claims, write_reports

    claims_file = load(args.claims)
    if args.claim:
        unknown = sorted(set(args.claim) - {c.id for c in claims_file.claims})
        if unknown:
            raise InputError(f"no claim with id {', '.join(unknown)} in {args.claims}", "use the ids listed in the claims file")
        claims_file = replace(claims_file, claims=tuple(c for c in claims_file.claims if c.id in args.claim))
    settings = _settings(args)
    started = time.monotonic()
    with _opened_source(args, settings) as source:
        where = f"local corpus {args.corpus}" if args.source == "local" else ("the cache only" if settings.offline else "PubMed")
        _say(f"checking {len(claims_file.claims)} claims of \"{claims_file.article.title}\" against {where}")
        result = check_claims(claims_file, source, progress=_say)
    checked = len(result.assessments) - len(result.unchecked)
    if checked == 0:
        _say(f"no claim could be checked; reports in {args.out}/ were left as they were")
        _say("  fix: check your connection and run again, or use --source local --corpus DB")
        return EXIT_SOURCE
    # A run of some claims only (--claim, or a source failure) never replaces the full report.
    paths = write_reports(result, Path(args.out), partial=bool(result.unchecked or args.claim))
    counts: dict[str, int] = {}
    for assessment in result.assessments:
        counts[assessment.verdict] = counts.get(assessment.verdict, 0) + 1
    _say("verdicts: " + ", ".join(f"{n} {v}" for v, n in sorted(counts.items())))
    _say("wrote " + ", ".join(str(p) for p in paths) + f" in {time.monotonic() - started:.1f} s")
    if result.unchecked:
        _say(f"not checked ({len(result.unchecked)}): {', '.join(result.unchecked)}; "
             "the partial report does not replace the last complete one")
        _say("  fix: run again when the source is reachable")
        return EXIT_SOURCE
    return EXIT_OK


def cmd_index(args: argparse.Namespace) -> int:
    from pipeline.sources.local import build_index

    stats = build_index([Path(p) for p in args.files], Path(args.db),
                        progress=lambda name, n: _say(f"  {name}: {n} records indexed so far"))
    print(f"indexed {stats.records} records from {len(stats.files)} files into {stats.db} "
          f"({stats.size_bytes / 2**20:.1f} MB) in {stats.seconds:.1f} s; {stats.duplicates} duplicates dropped")
    for what, why in stats.skipped:
        print(f"  skipped {what}: {why}")
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    from pipeline.types import Query

    settings = _settings(args)
    query = Query(claim_id="search", raw=args.query, purpose="editor")
    with _opened_source(args, settings) as source:
        result = source.search(query)
        records = source.fetch(result.ids[: args.limit])
    print(f"{result.count} hits for {result.term}")
    for note in result.notes:
        print(f"  note: {note}")
    for record_id in result.ids[: args.limit]:
        record = records.get(record_id)
        if record:
            print(f"{record.id}\t{record.year or '????'}\t{record.title}")
    return EXIT_OK


def cmd_extract(args: argparse.Namespace) -> int:
    from pipeline.nlp import extract_many, finding_to_json, records_from_path

    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    count = 0
    try:
        for finding in extract_many(records_from_path(Path(args.input))):
            out.write(json.dumps(finding_to_json(finding), ensure_ascii=False) + "\n")
            count += 1
    finally:
        if out is not sys.stdout:
            out.close()
    _say(f"extracted {count} abstracts")
    return EXIT_OK


# --- parser ------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="factcheck", description="Check the claims of a health article against the evidence.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("run", help="check every claim of a claims file and write the reports",
                       description="Search the source for each claim, read the abstracts, rate the claims and write reports/<slug>.html, .md, .json.")
    p.add_argument("claims", nargs="?", default="claims.yaml", help="claims file (default: claims.yaml)")
    p.add_argument("--source", choices=("pubmed", "local"), default="pubmed", help="where to search (default: pubmed)")
    p.add_argument("--corpus", help="local index built with 'factcheck index' (for --source local)")
    p.add_argument("--offline", action="store_true", help="serve only from the cache; never touch the network")
    p.add_argument("--out", default="reports", help="folder for the reports (default: reports)")
    p.add_argument("--cache", help="cache file (default: .cache/factcheck.sqlite or $FACTCHECK_CACHE)")
    p.add_argument("--claim", action="append", help="check only this claim id (repeatable); writes <slug>.partial.*")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("validate", help="check a claims file and name every problem with its line",
                       description="Validate a claims file: schema, duplicate ids, unknown keys, quotes against the article file.")
    p.add_argument("claims", nargs="?", default="claims.yaml", help="claims file (default: claims.yaml)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("index", help="build a local full-text corpus from PubMed XML or JSONL files",
                       description="Build an SQLite FTS5 index for --source local from PubMed XML (.xml/.xml.gz), JSONL {doc_id,title,abstract} and other supported files or folders.")
    p.add_argument("files", nargs="+", help="corpus files or folders")
    p.add_argument("--db", required=True, help="index file to write (replaced only when the build completes)")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", help="run one query against a source and list the records",
                       description="Run a PubMed-syntax query against PubMed or a local corpus.")
    p.add_argument("query", help="query in PubMed syntax, e.g. 'ketamine[tiab] AND depression[tiab]'")
    p.add_argument("--source", choices=("pubmed", "local"), default="pubmed", help="where to search (default: pubmed)")
    p.add_argument("--corpus", help="local index (for --source local)")
    p.add_argument("--offline", action="store_true", help="serve only from the cache")
    p.add_argument("--cache", help="cache file (default: .cache/factcheck.sqlite)")
    p.add_argument("--limit", type=int, default=10, help="records to list (default: 10)")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("extract", help="extract design, sample size and effects from abstracts",
                       description="Read abstracts (JSONL {doc_id,title,abstract} or PubMed XML) and write one JSON line of extracted facts per abstract.")
    p.add_argument("--input", required=True, help="JSONL or PubMed XML file")
    p.add_argument("--output", help="output file (default: standard output)")
    p.set_defaults(func=cmd_extract)

    from pipeline import draft

    p = sub.add_parser("draft", help="draft a claims YAML from an article (HTML, text or URL)", description=draft.HELP)
    draft.add_arguments(p)
    p.set_defaults(func=draft.run)

    p = sub.add_parser("eval", help="measure a stage on gold data; prints JSON metrics",
                       description="Evaluation harnesses: each prints JSON metrics on standard output.")
    evals = p.add_subparsers(dest="evaluation", metavar="NAME", parser_class=_Parser, required=True,
                            help="what to measure")
    for name, module_name in EVALUATIONS.items():
        module = importlib.import_module(module_name)
        e = evals.add_parser(name, help=module.HELP, description=module.HELP,
                             aliases=getattr(module, "ALIASES", ()))
        module.add_arguments(e)
        e.set_defaults(func=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_INPUT
    try:
        return args.func(args)
    except PipelineError as exc:
        _say(f"factcheck {args.command}: {redact(str(exc), Settings.from_env())}")
        return exc.exit_code
    except KeyboardInterrupt:
        _say("interrupted; nothing half-written was left behind")
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
