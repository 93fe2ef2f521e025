"""How long the report stage adds to a run once everything is fetched (a warm cache).

Checks claims.yaml once against the local corpus (`make corpus`), then times
`write_reports()` (HTML + Markdown + JSON + index.html, written atomically) on that result,
which is all a run from a warm cache adds after rating. Target: under 0.5 s.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.claims import load  # noqa: E402
from pipeline.config import Settings  # noqa: E402
from pipeline.report import render_html, render_json, render_markdown  # noqa: E402
from pipeline.run import check_claims, open_source, write_reports  # noqa: E402

COMMAND = ".venv/bin/python bench/bench_report.py  (after `make corpus`; also run by `make bench`)"
CORPUS = REPO / ".cache" / "corpus.sqlite"
RUNS = 9


def _timed(fn, runs: int = RUNS) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    if not CORPUS.exists():
        print(f"bench_report: skipped: {CORPUS} is absent; build it with `make corpus`")
        return 0
    claims = load(str(REPO / "claims.yaml"))
    source = open_source("local", Settings(), None, CORPUS)
    result = check_claims(claims, source)
    with tempfile.TemporaryDirectory() as out:
        write_reports(result, Path(out))  # first call compiles the templates, as a run does once
        times = _timed(lambda: write_reports(result, Path(out)))
        sizes = {("index.html" if p.name == "index.html" else p.suffix): p.stat().st_size
                 for p in Path(out).iterdir()}
    parts = {name: statistics.median(_timed(lambda f=fn: f(result)))
             for name, fn in (("html", render_html), ("markdown", render_markdown), ("json", render_json))}
    sources = sum(len(a.sources) for a in result.assessments)
    median = statistics.median(times)
    # The median is the verdict: on a shared machine the max measures the neighbours' load.
    print(f"report stage (write_reports: html+md+json+index) for {len(result.assessments)} claims, "
          f"{sources} source rows: min {min(times):.3f} s, median {median:.3f} s, max {max(times):.3f} s "
          f"over {RUNS} runs (target median < 0.5 s: {'met' if median < 0.5 else 'MISSED'})")
    print("  render only, median: " + ", ".join(f"{k} {v:.3f} s" for k, v in parts.items()))
    print("  file sizes: " + ", ".join(f"{k} {v / 1024:.0f} KiB" for k, v in sorted(sizes.items())))
    print(f"  command: {COMMAND}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
