"""The whole path through the command line: claims.yaml -> source -> extraction -> rating -> reports.

Three routes, none touching the network: a local corpus built from the real data in
../shared/data; PubMed through recorded real E-utilities bodies (then again from the cache
only); and PubMed unreachable, which must explain itself and exit 3.
"""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
from pathlib import Path

import pytest

from pipeline.cli import main

from conftest import REPO, SHARED_DATA, shared_file
from standin import Reply, StandIn

HAND_MADE_ESEARCH = b"""<?xml version="1.0" encoding="UTF-8" ?>
<!-- hand-made esearch answer listing the two PMIDs of the recorded efetch body pubmed2.xml -->
<eSearchResult><Count>2</Count><RetMax>2</RetMax><RetStart>0</RetStart>
<IdList><Id>11748933</Id><Id>11700088</Id></IdList>
<TranslationSet/><QueryTranslation>test</QueryTranslation></eSearchResult>
"""

ONE_CLAIM = """\
article:
  title: "A hand-made test article"
claims:
  - id: only-claim
    quote: "Drug X works."
    claim: Drug X reduces symptoms.
    kind: efficacy
    intervention: [drug x]
    outcome: [symptoms]
"""


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh cache and no real backoff waits, for runs through the CLI."""
    monkeypatch.setenv("FACTCHECK_CACHE", str(tmp_path / "cache.sqlite"))
    monkeypatch.setenv("FACTCHECK_MAX_TRIES", "2")
    monkeypatch.setenv("FACTCHECK_BACKOFF", "0")
    monkeypatch.setenv("NCBI_EMAIL", "editor-secret@example.org")
    monkeypatch.setenv("NCBI_API_KEY", "SECRET0API0KEY")
    return tmp_path


def test_without_network_run_explains_itself_and_exits_3(isolated: Path, monkeypatch, capsys) -> None:
    with socket.socket() as sock:  # a port nobody listens on: connection refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("FACTCHECK_EUTILS_URL", f"http://127.0.0.1:{port}/entrez/eutils/")
    out = isolated / "reports"
    out.mkdir()
    (out / "previous.html").write_text("an earlier report")
    assert main(["run", str(REPO / "claims.yaml"), "--out", str(out)]) == 3
    err = capsys.readouterr().err
    assert "could not be reached" in err and "Traceback" not in err
    # one short paragraph: what failed, that nothing was overwritten, the fix; no URL
    lines = err.strip().splitlines()
    assert len(lines) <= 4 and "make offline" in lines[-1] and "overwritten" in err and "://" not in err
    assert sorted(p.name for p in out.iterdir()) == ["previous.html"]  # nothing overwritten
    assert "editor-secret@example.org" not in err and "SECRET0API0KEY" not in err


def test_pubmed_route_then_offline_from_cache_gives_the_same_report(isolated: Path, monkeypatch, capsys) -> None:
    efetch_body = shared_file("eutils-samples", "entrez", "pubmed2.xml").read_bytes()
    claims = isolated / "claims.yaml"
    claims.write_text(ONE_CLAIM)
    with StandIn() as server:  # E-utilities on 127.0.0.1 answering the recorded bodies
        server.plan(Reply(200, HAND_MADE_ESEARCH), route="esearch", times=None)
        server.plan(Reply(200, efetch_body), route="efetch", times=None)
        monkeypatch.setenv("FACTCHECK_EUTILS_URL", server.eutils)
        assert main(["run", str(claims), "--out", str(isolated / "online")]) == 0
        assert len(server.requests("efetch")) == 1  # one batched efetch for the run
        online = json.loads(next((isolated / "online").glob("*.json")).read_text())
        found = online["claims"][0]["sources"] + online["claims"][0]["off_topic"]  # all records read
        assert {s["pmid"] for s in found} == {"11748933", "11700088"}
        sent = len(server.seen)
        assert main(["run", str(claims), "--offline", "--out", str(isolated / "offline")]) == 0
        assert len(server.seen) == sent  # --offline opened no connection
    offline = json.loads(next((isolated / "offline").glob("*.json")).read_text())
    strip = lambda report: [{k: c[k] for k in ("id", "verdict", "confidence", "reasons")} for c in report["claims"]]
    assert strip(offline) == strip(online)

    dump = "\n".join(sqlite3.connect(isolated / "cache.sqlite").iterdump())
    for secret in ("editor-secret@example.org", "SECRET0API0KEY"):
        assert secret not in dump
        for report in (isolated / "online").iterdir():
            assert secret not in report.read_text()


@pytest.fixture(scope="module")
def shared_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    inputs = [SHARED_DATA / "scifact" / "corpus.jsonl", SHARED_DATA / "pubmed-xml",
              SHARED_DATA / "pubmedqa" / "ori_pqal.json", SHARED_DATA / "ketamine-records"]
    missing = [str(p) for p in inputs if not p.exists()]
    if missing:
        pytest.skip(f"{', '.join(missing)} absent: the offline end-to-end run reads ../shared/data")
    db = tmp_path_factory.mktemp("corpus") / "corpus.sqlite"
    assert main(["index", *map(str, inputs), "--db", str(db)]) == 0
    return db


def test_offline_end_to_end_on_the_seed_article(shared_corpus: Path, tmp_path: Path, capsys) -> None:
    shared_file("..", "seed", "ketamine-first-responders.txt")
    out = tmp_path / "reports"
    assert main(["run", str(REPO / "claims.yaml"), "--source", "local", "--corpus", str(shared_corpus),
                 "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "[1/" in err  # progress per claim
    names = sorted(p.suffix for p in out.iterdir() if p.name != "index.html")
    assert names == [".html", ".json", ".md"] and (out / "index.html").exists()
    report = json.loads(next(out.glob("*.json")).read_text())
    claim_ids = [c["id"] for c in report["claims"]]
    assert len(claim_ids) == len(set(claim_ids)) and len(claim_ids) >= 10
    for claim in report["claims"]:
        assert claim["verdict"] in {"supported", "partly_supported", "mixed", "not_supported",
                                    "contradicted", "unverifiable"}
        assert claim["reasons"] and all(isinstance(r, str) and r for r in claim["reasons"])
        assert claim["queries"], f"{claim['id']} lists no queries"
    html = next(out.glob("*.html")).read_text()
    assert all(f'id="claim-{cid}"' in html for cid in claim_ids)
