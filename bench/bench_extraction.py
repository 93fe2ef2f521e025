"""Extraction throughput on the SciFact corpus (5,183 abstracts), one process on one core.

    .venv/bin/python bench/bench_extraction.py [CORPUS.jsonl]

Prints abstracts/second and total seconds (reading, extraction and JSON serialisation, pipeline
build excluded) by wall clock and by process CPU time (the machine may be shared: the load
average is printed too), and the peak resident memory of the process. Skips (exit 0) when
../shared/data is absent.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "data" / "scifact" / "corpus.jsonl"


def main(argv: list[str]) -> int:
    corpus = Path(argv[0]) if argv else DEFAULT_CORPUS
    command = f"{Path(sys.executable).name} bench/bench_extraction.py" + (f" {argv[0]}" if argv else "")
    if not corpus.exists():
        print(f"bench_extraction: skipped, {corpus} is absent (the SciFact corpus lives in ../shared/data)")
        return 0
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the target says

    sys.path.insert(0, str(REPO))
    from pipeline.nlp import build_nlp, extract_many, finding_to_json, records_from_jsonl

    nlp = build_nlp()
    start, cpu_start = time.perf_counter(), time.process_time()
    count = 0
    for finding in extract_many(records_from_jsonl(corpus), nlp):
        json.dumps(finding_to_json(finding))
        count += 1
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start  # what the work cost, whatever else shares the core
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    print(f"extraction: {count} abstracts in {seconds:.2f} s wall = {count / seconds:,.0f} abstracts/s "
          f"on one core; CPU {cpu:.2f} s = {count / cpu:,.0f} abstracts/CPU-second; "
          f"load average {os.getloadavg()[0]:.1f}; peak memory {peak_mb:.0f} MB  [{command}]")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
