"""The command line: the one place that turns library errors into messages and exit codes.

Exit codes: 0 ok, 2 bad input (claims, flags, corpus), 3 a source failed and not everything
could be served from the cache, 1 a bug.

Every subcommand is declared here, the same way. The stages behind them (spaCy, the rating, the
report) are imported only inside the commands that run them, so `--help`, `--version`,
`validate` and `search` start without loading spaCy.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from importlib import metadata
from pathlib import Path

from pipeline import __version__
from pipeline.cache import Cache
from pipeline.config import Settings, redact
from pipeline.draft.lexicon import THRESHOLD
from pipeline.errors import InputError, PipelineError
from pipeline.text import counted

EXIT_OK, EXIT_BUG, EXIT_INPUT, EXIT_SOURCE = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on bad flags already; make its message say where to look."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, f"{self.prog}: error: {message}\n  fix: see '{self.prog} --help'\n")


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def package_version() -> str:
    """The installed distribution's version, or the package's own when run from a checkout."""
    try:
        return metadata.version("factcheck-pipeline")
    except metadata.PackageNotFoundError:
        return __version__


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        offline=getattr(args, "offline", None) or None,
        cache_path=Path(args.cache) if getattr(args, "cache", None) else None,
    )


# --- commands ----------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    from pipeline.claims import load, warnings

    claims_file = load(args.claims)
    for warning in warnings(claims_file):  # not errors: the file is valid and the exit code stays 0
        _say(str(warning))
    kinds: dict[str, int] = {}
    for claim in claims_file.claims:
        kinds[claim.kind] = kinds.get(claim.kind, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    print(f"{args.claims}: OK: {counted(len(claims_file.claims), 'claim')} ({summary}) for \"{claims_file.article.title}\"")
    return EXIT_OK


def failure_lines(unchecked: Sequence[str], total: int, gave_up: str | None, errors: Sequence[str],
                  out: str, verbose: bool) -> list[str]:
    """What an editor reads when claims could not be checked: what failed, that nothing was
    overwritten and the fix, in three lines (plus, with --verbose, each claim's reason in full)."""
    if gave_up:
        why = f"PubMed could not be reached ({short_reason(gave_up)})"
    else:
        why = short_reason(errors[0]) if errors else "the source failed"
    which = (f"None of the {counted(total, 'claim')} could be checked" if len(unchecked) == total
             else f"{len(unchecked)} of {counted(total, 'claim')} could not be checked ({', '.join(unchecked[:3])}"
                  f"{', …' if len(unchecked) > 3 else ''})")
    lines = [f"{which}: {why}.",
             f"Nothing in {out}/ was overwritten." if len(unchecked) == total
             else "The partial report does not replace the last complete one.",
             "  fix: `make offline` checks the claims against the local corpus; or try again later."]
    if verbose:
        lines += [f"  {claim_id}: {error}" for claim_id, error in zip(unchecked, errors)]
    return lines


def short_reason(reason: str) -> str:
    """A source error in a few words: 'ConnectionError after 1 try', not the 900-character URL it
    names (the report and --verbose keep it whole)."""
    tried = re.search(r"after (\d+ tr(?:y|ies)) \(last: ([^:()]+)", reason)
    if tried:
        return f"{tried.group(2).strip()} after {tried.group(1)}"
    text = " ".join(w for w in reason.split() if "://" not in w).split("; ")[0].rstrip(".:")
    return text if len(text) <= 100 else text[:99] + "…"


def _brief_progress(line: str) -> None:
    """Progress without the failures: those are summed up in three lines at the end (each in full
    with --verbose), so an unreachable source does not print a screen of URLs."""
    if "not checked (" not in line and "could not be reached (" not in line:
        _say(line)


def cmd_run(args: argparse.Namespace) -> int:
    from pipeline.claims import load
    from pipeline.report.naming import check_out_dir
    from pipeline.run import check_claims, open_source, without_tested_study, write_reports

    claims_file = load(args.claims)
    if args.claim:
        unknown = sorted(set(args.claim) - {c.id for c in claims_file.claims})
        if unknown:
            raise InputError(f"no claim with id {', '.join(unknown)} in {args.claims}", "use the ids listed in the claims file")
        claims_file = replace(claims_file, claims=tuple(c for c in claims_file.claims if c.id in args.claim))
    check_out_dir(Path(args.out))  # before the run, not after it
    settings = _settings(args)
    started = time.monotonic()
    progress = _say if args.verbose else _brief_progress
    cache = Cache(settings.cache_path) if args.source != "local" else None
    try:
        source = open_source(args.source, settings, cache, Path(args.corpus) if args.corpus else None, progress)
        where = f"local corpus {args.corpus}" if args.source == "local" else ("the cache only" if settings.offline else "PubMed")
        _say(f"checking {counted(len(claims_file.claims), 'claim')} of \"{claims_file.article.title}\" against {where}")
        result = check_claims(claims_file, source, progress=progress)
    finally:
        if cache is not None:
            cache.close()
    checked = len(result.assessments) - len(result.unchecked)
    errors = [next((a.error or "" for a in result.assessments if a.claim_id == cid), "") for cid in result.unchecked]
    failed = failure_lines(result.unchecked, len(result.assessments), source.failure, errors,
                           args.out, args.verbose)
    if checked == 0:
        for line in failed:
            _say(line)
        return EXIT_SOURCE
    # A run of some claims only (--claim, or a source failure) never replaces the full report.
    paths = write_reports(result, Path(args.out), partial=bool(result.unchecked or args.claim))
    counts: dict[str, int] = {}
    for assessment in result.assessments:
        counts[assessment.verdict] = counts.get(assessment.verdict, 0) + 1
    _say("verdicts: " + ", ".join(f"{n} {v}" for v, n in sorted(counts.items())))
    untested = without_tested_study(result)
    _say(f"{len(untested)} of {counted(len(result.assessments), 'claim')} had no study that tests them "
         f"(searched {result.searched or result.source})")
    _say("wrote " + ", ".join(str(p) for p in paths) + f" in {time.monotonic() - started:.1f} s")
    if result.unchecked:
        for line in failed:
            _say(line)
        return EXIT_SOURCE
    return EXIT_OK


def cmd_index(args: argparse.Namespace) -> int:
    from pipeline.sources.local import build_index

    stats = build_index([Path(p) for p in args.files], Path(args.db),
                        progress=lambda name, n: _say(f"  {name}: {n} records indexed so far"))
    print(f"indexed {counted(stats.records, 'record')} from {counted(len(stats.files), 'file')} into {stats.db} "
          f"({stats.size_bytes / 2**20:.1f} MB) in {stats.seconds:.1f} s; {counted(stats.duplicates, 'duplicate')} dropped")
    for what, why in stats.skipped:
        print(f"  skipped {what}: {why}")
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    from pipeline.types import Query

    if args.limit < 0:
        raise InputError(f"--limit {args.limit}: a number of records cannot be negative", "give --limit 0 or more")
    query = Query(claim_id="search", raw=args.query, purpose="editor")
    if args.source == "local":
        from pipeline.sources.local import LocalIndex

        if not args.corpus:
            raise InputError("--source local needs --corpus DB", "build one with 'factcheck index FILE... --db DB'")
        with LocalIndex(Path(args.corpus)) as index:
            result = index.search(query, limit=max(args.limit, 1))
            records = {r.id: r for r in index.fetch(result.ids[: args.limit])}
    else:
        from pipeline.sources.pubmed import PubMedClient

        with Cache(_settings(args).cache_path) as cache:
            client = PubMedClient(_settings(args), cache)
            result = client.search(query)
            records = {r.pmid: r for r in client.fetch(list(result.ids[: args.limit])) if r.pmid}
    shown = [records[i] for i in result.ids[: args.limit] if i in records]
    print(f"{result.source}: {result.term or args.query}")
    print(f"showing {len(shown)} of {counted(result.count, 'hit')}")
    for note in result.notes:
        print(f"  note: {note}")
    for record in shown:
        print(f"{record.id}\t{record.year or '????'}\t{record.title}")
    return EXIT_OK


def _stdin_to_file(folder: str) -> Path:
    """Standard input saved to a file whose suffix says its format (PubMed XML when it starts with
    '<'), because the readers take paths and tell the format by the name."""
    data = sys.stdin.buffer.read()
    suffix = ".xml" if data.lstrip()[:1] == b"<" else ".jsonl"
    path = Path(folder) / f"stdin{suffix}"
    path.write_bytes(data)
    return path


def cmd_extract(args: argparse.Namespace) -> int:
    from pipeline.nlp.extraction import extract_many, finding_to_json, records_from_path

    given = args.file or args.input
    if not given:
        raise InputError("factcheck extract needs a file", "give a JSONL or PubMed XML file, or - for standard input")
    folder = tempfile.mkdtemp(prefix="factcheck-extract-") if given == "-" else None
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    count = 0
    try:
        path = _stdin_to_file(folder) if folder else Path(given)
        for finding in extract_many(records_from_path(path)):
            out.write(json.dumps(finding_to_json(finding), ensure_ascii=False) + "\n")
            count += 1
    finally:
        if out is not sys.stdout:
            out.close()
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
    _say(f"extracted {counted(count, 'abstract')}")
    return EXIT_OK


def _run_module(module_name: str) -> Callable[[argparse.Namespace], int]:
    """A command whose code lives in `module_name`.run(args); imported only when it runs."""

    def run(args: argparse.Namespace) -> int:
        return importlib.import_module(module_name).run(args)

    return run


# --- parser ------------------------------------------------------------------------------

DRAFT_HELP = ("Draft a claims YAML from an article: a saved page (.html), plain text (.txt, title on the first "
              "line) or a URL (fetched politely, cached). Sentences are scored for check-worthiness; each kept one "
              "becomes a claim with its quote, a first wording, kind, PICO guesses, numbers and cited sources, and "
              "a comment giving its score and signals. Review the draft before use.")
EVAL_HELP = {
    "extraction": "measure extraction (sample size, design, effects) against gold JSON lines",
    "scifact": "stance/retrieval metrics on SciFact-format claims and corpus (JSON on stdout)",
    "draft": "recall of hand-written claims (by quote overlap) and precision of the drafted ones, as JSON",
    "stance": "the product's stance path on each (claim, cited abstract) pair against SciFact-format gold labels "
              "(training splits only; alias: product-stance)",
    "pico": "recall and precision of the drafter's intervention and outcome on Evidence Inference prompts, as JSON",
}


def _add_draft(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("draft", help="draft a claims YAML from an article (HTML, text or URL)", description=DRAFT_HELP)
    p.add_argument("article", help="article as .html, .txt or an http(s) URL")
    p.add_argument("--out", help="write the draft to this file instead of standard output")
    p.add_argument("--force", action="store_true", help="replace --out / --text-out files that exist")
    p.add_argument("--text-out", help="for HTML or a URL: write the article text here and point 'file:' at it "
                                      "so quotes are checked")
    p.add_argument("--min-score", type=float, default=THRESHOLD,
                   help=f"check-worthiness a sentence needs to be drafted (default: {THRESHOLD})")
    p.add_argument("--max-claims", type=int, help="keep at most this many claims, best scores first")
    p.add_argument("--offline", action="store_true", help="for a URL: serve only from the cache")
    p.add_argument("--cache", help="cache file (default: .cache/factcheck.sqlite or $FACTCHECK_CACHE)")
    p.set_defaults(func=_run_module("pipeline.draft"))


def _add_eval(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="measure a stage on gold data; prints JSON metrics",
                       description="Evaluation harnesses: each prints JSON metrics on standard output.")
    evals = p.add_subparsers(dest="evaluation", metavar="NAME", parser_class=_Parser, required=True,
                             help="what to measure")

    e = evals.add_parser("extraction", help=EVAL_HELP["extraction"], description=EVAL_HELP["extraction"])
    which = e.add_mutually_exclusive_group(required=True)
    which.add_argument("--gold", metavar="FILE",
                       help="gold JSON lines (extract output fields; abstract in the line or in --corpus)")
    which.add_argument("--ebm-nlp", metavar="FILE",
                       help="instead, sample size only, loosely, against EBM-NLP crowd '3_p' tokens "
                            "(a p2_p_*.txt or .txt.gz file)")
    which.add_argument("--evidence-inference", metavar="FOLDER",
                       help="instead, effects only: how many labelled CIs in Evidence Inference's evidence "
                            "passages an extracted effect carries (../shared/data/evidence-inference)")
    e.add_argument("--split", choices=("train", "validation"), default="validation",
                   help="with --evidence-inference, the articles of this split (default: validation)")
    e.add_argument("--corpus", metavar="JSONL",
                   help="{doc_id, title, abstract} lines giving the text of gold lines that carry none")
    e.add_argument("--half", choices=("tune", "check"),
                   help="only the gold lines of this half (a fixed hash of the doc id): tune rules "
                        "on 'tune', measure them on 'check'")
    e.add_argument("--errors", metavar="FILE", help="also write what differs from gold, one JSON line per abstract")
    e.set_defaults(func=_run_module("pipeline.evaluate.extraction"))

    e = evals.add_parser("scifact", help=EVAL_HELP["scifact"], description=EVAL_HELP["scifact"])
    e.add_argument("--claims", required=True, type=Path, help="claims JSONL (SciFact or MultiVerS format)")
    e.add_argument("--corpus", required=True, type=Path, help="corpus JSONL (doc_id, title, abstract sentences)")
    e.add_argument("--oracle", action="store_true", help="label each cited doc instead of retrieving")
    e.add_argument("--cache", type=Path, default=Path(".cache/eval"), help="where the corpus index is kept")
    e.add_argument("--candidates", type=int, default=20,
                   help="BM25 candidates the encoder re-ranks per claim (default 20)")
    e.add_argument("--every", type=int, default=1, help="use every N-th claim (default: all)")
    e.set_defaults(func=_run_module("pipeline.evaluate.scifact"))

    e = evals.add_parser("draft", help=EVAL_HELP["draft"], description=EVAL_HELP["draft"])
    e.add_argument("--article", required=True, help="the article (.txt or .html) to draft from")
    e.add_argument("--claims", required=True, help="hand-written claims YAML of the same article")
    e.add_argument("--overlap", type=float, default=0.5, help="share of words two quotes must share (default 0.5)")
    e.add_argument("--min-score", type=float, default=THRESHOLD, help=f"drafting threshold (default {THRESHOLD})")
    e.set_defaults(func=_run_module("pipeline.evaluate.draft"))

    e = evals.add_parser("stance", help=EVAL_HELP["stance"], description=EVAL_HELP["stance"],
                         aliases=["product-stance"])
    e.add_argument("--claims", required=True, type=Path, help="a TRAINING claims JSONL (SciFact format)")
    e.add_argument("--corpus", required=True, type=Path, help="corpus JSONL (doc_id, title, abstract sentences)")
    e.add_argument("--every", type=int, default=1, help="use every N-th claim (default: all)")
    e.add_argument("--dump", type=Path, default=None, help="write one JSON line per pair here, for reading errors")
    e.add_argument("--heldout", metavar="DATASET", default=None,
                   help="only the claims the encoder's training held out (scifact, healthver or covidfact)")
    e.set_defaults(func=_run_module("pipeline.evaluate.product_stance"))

    e = evals.add_parser("pico", help=EVAL_HELP["pico"], description=EVAL_HELP["pico"])
    e.add_argument("--data", default="../shared/data/evidence-inference",
                   help="the Evidence Inference folder (default ../shared/data/evidence-inference)")
    e.add_argument("--split", default="validation", choices=("train", "validation"),
                   help="which split to measure on (default validation; tune on train only)")
    e.add_argument("--input", default="evidence", choices=("evidence", "title"),
                   help="the sentence the finder reads: the evidence passage (default) or the trial's title")
    e.add_argument("--rules-only", action="store_true",
                   help="leave the learned tagger out (measure the cue rules alone)")
    e.set_defaults(func=_run_module("pipeline.evaluate.pico"))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="factcheck", description="Check the claims of a health article against the evidence.")
    parser.add_argument("--version", action="version", version=f"factcheck {package_version()}",
                        help="print the version and exit")
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
    p.add_argument("-v", "--verbose", action="store_true", help="print every failure in full, claim by claim")
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
                       description="Run a PubMed-syntax query against PubMed or a local corpus; says how many "
                                   "records it shows of how many, and which filters the source could not apply.")
    p.add_argument("query", help="query in PubMed syntax, e.g. 'ketamine[tiab] AND depression[tiab]'")
    p.add_argument("--source", choices=("pubmed", "local"), default="pubmed", help="where to search (default: pubmed)")
    p.add_argument("--corpus", help="local index (for --source local)")
    p.add_argument("--offline", action="store_true", help="serve only from the cache")
    p.add_argument("--cache", help="cache file (default: .cache/factcheck.sqlite)")
    p.add_argument("--limit", type=int, default=10, help="records to list (default: 10)")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("extract", help="extract design, sample size and effects from abstracts",
                       description="Read abstracts (JSONL {doc_id,title,abstract} or PubMed XML; - for standard "
                                   "input) and write one JSON line of extracted facts per abstract.")
    p.add_argument("file", nargs="?", help="JSONL or PubMed XML file, or - for standard input")
    p.add_argument("--input", help=argparse.SUPPRESS)  # the old flag, kept so scripts still run
    p.add_argument("--output", help="output file (default: standard output)")
    p.set_defaults(func=cmd_extract)

    _add_draft(sub)
    _add_eval(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_INPUT
    settings: Settings | None = None  # read once here: the error path must not read it again
    try:
        settings = Settings.from_env()
        return args.func(args)
    except PipelineError as exc:
        _say(f"factcheck {args.command}: {redact(str(exc), settings) if settings else exc}")
        return exc.exit_code
    except KeyboardInterrupt:
        _say("interrupted; nothing half-written was left behind")
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
