"""Extraction throughput on the SciFact corpus (5,183 abstracts), one process on one core.

    .venv/bin/python bench/bench_extraction.py [CORPUS.jsonl]

Reads, extracts and serialises the whole corpus once in each of PASSES fresh processes (no pass
profits from another's caches; building the pipeline is not timed) and prints each pass's
process CPU time, the fastest and the median pass as abstracts/CPU-second, the load average and
the peak resident memory. On this shared host the same pass swings by up to a quarter with
nothing else running, so one figure alone says little. Skips (exit 0) when ../shared/data is absent.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "data" / "scifact" / "corpus.jsonl"
PASSES = 3


def one_pass(corpus: Path) -> dict:
    """Extract the whole corpus once in this process: its CPU seconds, count and peak memory."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the target says
    sys.path.insert(0, str(REPO))
    from pipeline.nlp.extraction import build_nlp, extract_many, finding_to_json, records_from_jsonl

    nlp = build_nlp()
    cpu_start = time.process_time()  # what the work cost, whatever else shares the core
    count = 0
    for finding in extract_many(records_from_jsonl(corpus), nlp):
        json.dumps(finding_to_json(finding))
        count += 1
    cpu = time.process_time() - cpu_start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    return {"cpu": cpu, "count": count, "peak_mb": peak_mb}


def main(argv: list[str]) -> int:
    if argv[:1] == ["--one-pass"]:
        print(json.dumps(one_pass(Path(argv[1]))))
        return 0
    corpus = Path(argv[0]) if argv else DEFAULT_CORPUS
    command = f"{Path(sys.executable).name} bench/bench_extraction.py" + (f" {argv[0]}" if argv else "")
    if not corpus.exists():
        print(f"bench_extraction: skipped, {corpus} is absent (the SciFact corpus lives in ../shared/data)")
        return 0
    runs = [json.loads(subprocess.run([sys.executable, __file__, "--one-pass", str(corpus)], check=True,
                                      capture_output=True, text=True).stdout)
            for _ in range(PASSES)]
    passes = [run["cpu"] for run in runs]
    count = runs[0]["count"]
    best, median = min(passes), statistics.median(passes)
    print(f"extraction: {count} abstracts, {PASSES} passes on one core, CPU "
          f"{', '.join(f'{p:.2f}' for p in passes)} s; fastest {best:.2f} s = {count / best:,.0f} "
          f"abstracts/CPU-second, median {median:.2f} s = {count / median:,.0f}; load average "
          f"{os.getloadavg()[0]:.1f}; peak memory {max(run['peak_mb'] for run in runs):.0f} MB  [{command}]")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
