"""Wall time of the open-setting SciFact evaluation, against the issue's 5 minutes for 300 claims.

Uses ../shared/data/scifact/claims_dev.jsonl when present; otherwise the first 300 training claims,
which measure the time only (the model was trained on them, so their scores are not reported).
The stance encoder reads every BM25 candidate's sentences (tens of pairs a second in numpy), so
the bench times every EVERY-th of those claims and says so; scores come from the full command.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data" / "scifact"
EVERY = 10


def main() -> int:
    corpus = DATA / "corpus.jsonl"
    dev = DATA / "claims_dev.jsonl"
    if not corpus.is_file():
        print(f"bench_scifact: skipped, {corpus} is absent")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        if dev.is_file():
            claims, held_out = dev, True
        else:
            claims, held_out = Path(tmp) / "claims300.jsonl", False
            lines = (DATA / "claims_train.jsonl").read_text(encoding="utf-8").splitlines()[:300]
            claims.write_text("\n".join(lines) + "\n", encoding="utf-8")
        cmd = [str(REPO / ".venv" / "bin" / "factcheck"), "eval", "scifact", "--claims", str(claims),
               "--corpus", str(corpus), "--cache", str(Path(tmp) / "index"), "--every", str(EVERY)]
        started = time.monotonic()
        out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=REPO)
        wall = time.monotonic() - started
    metrics = json.loads(out.stdout)
    print(f"bench_scifact: open setting, {metrics['claims']} claims against {metrics['corpus']} abstracts "
          f"in {wall:.1f} s wall (index build {metrics['index_seconds']} s; every {EVERY}th claim of 300, "
          f"budget 300 s for all 300)")
    if held_out:
        print(f"  abstract label-only F1 {metrics['abstract_label_only']['f1']}, "
              f"recall@3 {metrics['retrieval']['recall@3']}")
    else:
        print("  claims_dev.jsonl is absent: timed on 300 training claims; scores not shown (seen in training)")
    print("  command: " + " ".join(cmd))
    return 0


if __name__ == "__main__":
    sys.exit(main())
