"""Rate limits under load, measured where they matter: at the (stand-in) E-utilities server.

Two `factcheck run` processes over the same 50 claims start at once and share one cache; the
stand-in logs the arrival time of every request. In no 1-second window may more than 3 requests
arrive (10 with an API key). Both cases run side by side against two stand-ins (the limiter is
per host), so the test takes as long as the slower, keyless pair.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO, shared_file
from standin import StandIn, max_in_any_window

CLAIMS = 50


def test_max_in_any_window():
    assert max_in_any_window([]) == 0
    assert max_in_any_window([0.0, 0.34, 0.68, 1.02]) == 3
    assert max_in_any_window([0.0, 0.34, 0.68, 0.99]) == 4
    assert max_in_any_window([5.0, 0.0, 0.5, 5.5, 5.9]) == 3


def fifty_claims(path: Path) -> Path:
    """50 claims, one editor query each (so one search per claim), on made-up but valid topics."""
    claims = [
        {"id": f"load-{n:02d}", "quote": f"Treatment {n} helps.", "claim": f"Treatment {n} reduces symptoms.",
         "kind": "efficacy", "intervention": [f"treatment {n}"], "outcome": ["symptoms"],
         "queries": [f'"treatment {n}"[tiab] AND symptoms[tiab]']}
        for n in range(CLAIMS)
    ]
    path.write_text(yaml.safe_dump({"article": {"title": "Load test"}, "claims": claims}, sort_keys=False))
    return path


def start_run(claims: Path, out: Path, cache: Path, server: StandIn, key: str | None) -> subprocess.Popen:
    env = {**os.environ, "FACTCHECK_EUTILS_URL": server.eutils, "FACTCHECK_BACKOFF": "0.01",
           "FACTCHECK_TIMEOUT": "5", "NCBI_EMAIL": "load@example.org"}
    env.pop("NCBI_API_KEY", None)
    if key:
        env["NCBI_API_KEY"] = key
    command = [sys.executable, "-m", "pipeline", "run", str(claims), "--out", str(out), "--cache", str(cache)]
    return subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_two_runs_sharing_a_cache_never_exceed_the_rate(tmp_path):
    shared_file("eutils-samples", "entrez", "esearch1.xml")
    claims = fifty_claims(tmp_path / "claims.yaml")
    with StandIn(hits=(1, 2)) as keyless, StandIn(hits=(1, 2)) as keyed:
        runs = {}
        for label, server, key in (("no key", keyless, None), ("key", keyed, "LOADKEY")):
            for n in (1, 2):  # the two runs of a pair share their cache
                runs[label, n] = start_run(claims, tmp_path / f"{label}-{n}", tmp_path / f"{label}.sqlite", server, key)
        results = {name: run.communicate(timeout=120) for name, run in runs.items()}
        for name, run in runs.items():
            assert run.returncode == 0, (name, results[name][1][-2000:])
        observed = {}
        for label, server, limit in (("no key", keyless, 3), ("key", keyed, 10)):
            seen = server.requests()
            searches = {s.params["term"] for s in seen if s.route == "esearch"}
            assert len(searches) == CLAIMS  # every claim was searched by one run or the other
            observed[label] = max_in_any_window([s.time for s in seen])
            assert observed[label] <= limit, (label, observed[label], limit)
            # a search one run stored is not asked for again by the other (the cache is re-read
            # once a slot is granted), so duplicates stay a small fraction of the requests
            assert len(seen) < 1.5 * (CLAIMS + 1), (label, len(seen))
            reports = [json.loads(next((tmp_path / f"{label}-{n}").glob("*.json")).read_text()) for n in (1, 2)]
            verdicts = [[(c["id"], c["verdict"]) for c in r["claims"]] for r in reports]
            assert verdicts[0] == verdicts[1]  # both runs wrote the same report
            times = sorted(s.time for s in seen)
            gaps = [b - a for a, b in zip(times, times[1:])]
            print(f"{label}: {len(seen)} requests, max {observed[label]} in any 1-s window (limit {limit}); smallest gap {min(gaps):.3f} s")
        assert observed["key"] > 3  # the key really raised the rate (so the keyless limit is the limiter's doing)
