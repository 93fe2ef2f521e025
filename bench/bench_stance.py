"""Speed and memory of the stance encoder (numpy, no torch), and what the seed run spends in stance.

1. pairs/s: SciFact training claims against the sentences of their cited abstracts (or made-up
   pairs when ../shared/data is absent), scored in batches of 8 sorted by length, after one warm-up
   batch; the model's load time; peak resident memory of this process.
2. The seed claims (`claims.yaml` against the local corpus, when `make corpus` has built it): a
   cold `factcheck run` into an empty stance cache, then a warm one; the pairs the cold run stored,
   the encoder time they cost at the rate of (1), and the time a warm run takes to read them back.
"""

from __future__ import annotations

import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline.rating.encoder import load_encoder
from pipeline.rating.score_cache import CachedScorer

REPO = Path(__file__).resolve().parent.parent
# SHARED as in the Makefile (`make bench SHARED=...`), else ../shared/data beside the repository
DATA = Path(os.environ.get("SHARED") or REPO.parent / "shared" / "data") / "scifact"
PAIRS = 256


def sample_pairs(n: int) -> list[tuple[str, str]]:
    claims, corpus = DATA / "claims_train.jsonl", DATA / "corpus.jsonl"
    if not claims.is_file():
        return [(f"Drug {i} lowers blood pressure in adults.", f"Blood pressure fell by {i} mmHg in the drug "
                 f"group compared with placebo (p<0.01) after {i % 12 + 1} weeks.") for i in range(n)]
    docs = {}
    for line in corpus.open(encoding="utf-8"):
        d = json.loads(line)
        docs[str(d["doc_id"])] = d["abstract"]
    out = []
    for line in claims.open(encoding="utf-8"):
        c = json.loads(line)
        for doc_id in c.get("cited_doc_ids", []):
            out.extend((c["claim"], s) for s in docs.get(str(doc_id), ()))
        if len(out) >= n:
            break
    return out[:n]


def seed_runs(rate: float) -> None:
    corpus = REPO / ".cache" / "corpus.sqlite"
    if not corpus.is_file():
        print("  seed run: skipped, .cache/corpus.sqlite is absent (`make corpus` builds it)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, FACTCHECK_STANCE_CACHE=str(Path(tmp) / "stance.sqlite"))
        cmd = [str(REPO / ".venv" / "bin" / "factcheck"), "run", "claims.yaml", "--source", "local",
               "--corpus", str(corpus), "--out", str(Path(tmp) / "reports")]
        walls = []
        for _ in ("cold", "warm"):
            started = time.monotonic()
            subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, check=False)
            walls.append(time.monotonic() - started)
        db = sqlite3.connect(env["FACTCHECK_STANCE_CACHE"])
        by_claim: dict[str, list[str]] = {}
        model = None
        for model, claim, sentence in db.execute("SELECT model, claim, sentence FROM stance_scores"):
            by_claim.setdefault(claim, []).append(sentence)
        db.close()
        pairs = sum(len(v) for v in by_claim.values())

        class Stored:  # the warm path: every score comes from the file, the encoder is never asked
            model_hash = model
            decision = None

            def score(self, batch):
                raise AssertionError(f"not cached: {len(batch)} pairs")

        started = time.monotonic()
        scorer = CachedScorer(Stored(), Path(env["FACTCHECK_STANCE_CACHE"]))  # type: ignore[arg-type]
        for claim, sentences in by_claim.items():
            scorer(claim, sentences)
        warm = time.monotonic() - started
    print(f"  seed run (claims.yaml, local corpus): cold {walls[0]:.1f} s wall, warm {walls[1]:.1f} s wall; "
          f"{pairs} (claim, sentence) pairs scored: ~{pairs / rate:.1f} s of encoder time cold, "
          f"{warm:.2f} s to read them back warm")


def main() -> int:
    started = time.monotonic()
    model = load_encoder()
    load = time.monotonic() - started
    pairs = sample_pairs(PAIRS)
    model.score(pairs[:8])  # warm-up: first-touch of the weights
    started, cpu = time.monotonic(), time.process_time()
    model.score(pairs)
    wall, cpu = time.monotonic() - started, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rate = len(pairs) / wall
    source = "SciFact train claims x cited sentences" if (DATA / "claims_train.jsonl").is_file() else "made-up pairs"
    print(f"bench_stance: {len(pairs)} (claim, sentence) pairs ({source}) in {wall:.1f} s wall, {cpu:.1f} s CPU: "
          f"{rate:.1f} pairs/s; model load {load:.1f} s; peak memory {peak_mb:.0f} MB "
          f"(numpy {__import__('numpy').__version__}, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')})")
    seed_runs(rate)
    print("  command: .venv/bin/python bench/bench_stance.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
