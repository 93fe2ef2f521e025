"""Crash safety: `factcheck run` killed with SIGKILL in the middle of fetching, then run again.

The real command runs in a subprocess against the stand-in E-utilities. After the kill the cache
must be intact; the rerun must not ask again for anything the killed run stored, and must write
the same report as an uninterrupted run. Two reruns writing the same report at once must leave
one whole report and no half-written file.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, shared_file
from pipeline.cache import request_key
from pipeline.sources.pubmed import ESEARCH_URL
from standin import StandIn, claims_of, small_claims, stored_search_keys


@pytest.fixture(scope="module")
def server():
    shared_file("eutils-samples", "entrez", "esearch1.xml")
    with StandIn(hits=(1, 2), drip_interval=0.2) as standin:
        yield standin


def start(server: StandIn, claims: Path, out: Path, cache: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, **server.run_env(api_key="CRASHKEY"), "FACTCHECK_TIMEOUT": "30"}
    command = [sys.executable, "-m", "pipeline", "run", str(claims), "--out", str(out), "--cache", str(cache), *extra]
    return subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(run: subprocess.Popen) -> None:
    _, err = run.communicate(timeout=120)
    assert run.returncode == 0, err[-2000:]
    assert "Traceback" not in err


def report(out: Path) -> dict:
    (path,) = out.glob("*.json")
    return json.loads(path.read_text())


def kill_when(run: subprocess.Popen, ready) -> None:
    deadline = time.monotonic() + 60
    while not ready():
        assert run.poll() is None, run.communicate()[1][-2000:]
        assert time.monotonic() < deadline, "the run never got there"
        time.sleep(0.02)
    os.kill(run.pid, signal.SIGKILL)
    run.wait()


@pytest.fixture(scope="module")
def whole(server, tmp_path_factory):
    """(claims file, report folder) of an uninterrupted run."""
    tmp = tmp_path_factory.mktemp("whole")
    claims = small_claims(tmp / "claims.yaml")
    finish(start(server, claims, tmp / "out", tmp / "cache.sqlite"))
    return claims, tmp / "out"


@pytest.mark.slow
def test_killed_run_reruns_to_the_same_report_without_asking_twice(server, whole, tmp_path):
    claims, whole_out = whole
    cache, out = tmp_path / "crash.sqlite", tmp_path / "crash"

    # 1. killed while searching
    before = len(server.requests())
    killed = start(server, claims, out, cache)
    kill_when(killed, lambda: len(server.requests()[before:]) >= 6)
    stored = stored_search_keys(cache)  # the cache survived the kill and kept what was answered
    assert stored and not list(out.glob("*"))  # no report yet, not even a partial one

    # 2. the rerun asks only for what is missing, and is killed while reading the efetch answer
    after_kill = len(server.requests())
    server.plan("drip", route="efetch")  # the efetch answer trickles in
    killed = start(server, claims, out, cache)
    kill_when(killed, lambda: any(s.route == "efetch" for s in server.requests()[after_kill:]))
    time.sleep(0.5)  # a few pieces of the body have arrived
    again = [s for s in server.requests()[after_kill:] if s.route == "esearch"]
    asked = {request_key(ESEARCH_URL, dict(s.params)) for s in again}
    assert again and not asked & stored  # nothing the killed run stored was asked for again
    stored = stored_search_keys(cache)
    with sqlite3.connect(cache) as db:
        assert db.execute("SELECT count(*) FROM documents").fetchone() == (0,)  # no half a fetch

    # 3. two reruns at once, writing the same report: they fetch the records and go on to the
    #    citation checks, never re-asking a stored search, and leave the report of the
    #    uninterrupted run, whole, with no temporary file beside it
    after_kill = len(server.requests())
    reruns = [start(server, claims, out, cache) for _ in range(2)]
    for run in reruns:
        finish(run)
    later = server.requests()[after_kill:]
    assert "efetch" in {s.route for s in later}
    assert not {request_key(ESEARCH_URL, dict(s.params)) for s in later if s.route == "esearch"} & stored
    assert claims_of(report(out)) == claims_of(report(whole_out))
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 4 and "index.html" in names and not [n for n in names if n.startswith(".") or n.endswith(".tmp")]
    assert next(out.glob("*.html")).read_text().rstrip().endswith("</html>")
