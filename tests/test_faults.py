"""Faults from the network and the services, injected by the stand-in server (tests/standin.py).

For each fault: the clients recover (retry with backoff, honouring Retry-After), or give up with
a SourceError that says why; nothing malformed is cached. Through the command line: a run with
faults sprinkled over its requests writes the same report as a clean run; a claim whose searches
keep failing is reported as not checked, with the reason, and the other claims still complete.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from pathlib import Path

import pytest
import yaml

from conftest import shared_file
from pipeline.cache import Cache, request_key
from pipeline.cli import main
from pipeline.config import Settings
from pipeline.errors import ParseError, SourceError
from pipeline.http import HttpClient, Unreachable
from pipeline.sources.pubmed import ESEARCH_URL, PubMedClient, parse_esearch
from pipeline.types import Query, QueryArm
from standin import CLAIM_IDS, FAULTS, Reply, StandIn, claims_of, max_in_any_window, small_claims, stored_search_keys

RECOVERABLE = [f for f in FAULTS if f != "huge"]
QUERY = Query(claim_id="c1", arms=(QueryArm("intervention", mesh=("Ketamine",), free_text=("ketamine",)),))


@pytest.fixture(scope="module")
def server():
    shared_file("eutils-samples", "entrez", "esearch1.xml")  # skip with a reason when data is absent
    with StandIn(hang_seconds=1.0, drip_interval=0.05, hits=(1, 2)) as standin:
        yield standin


@pytest.fixture
def settings(server, tmp_path):
    # Short timeouts and backoff keep these fast; the deadline (0.4 s) is what stops a slow drip.
    return Settings(eutils_base=server.eutils, crossref_base=server.crossref, europepmc_base=server.europepmc,
                    cache_path=tmp_path / "cache.sqlite", timeout=0.4, backoff_base=0.01, max_tries=3,
                    api_key="FAULTKEY", max_body_bytes=2**20)


def _since(server, count):
    return server.requests()[count:]


# --- PubMed client -----------------------------------------------------------------------


@pytest.mark.parametrize("fault", RECOVERABLE)
def test_pubmed_search_recovers_from_one_fault(server, settings, fault):
    with Cache(settings.cache_path) as cache:
        before = len(server.requests())
        server.plan(fault, route="esearch")
        result = PubMedClient(settings, cache).search(QUERY)
        seen = _since(server, before)
        assert [s.answer for s in seen] == [fault, "ok"]
        assert len(result.ids) >= 2 and not result.from_cache
        if fault == "429-retry-after":  # Retry-After: 1 honoured, measured at the server
            assert seen[1].time - seen[0].time >= 1.0
        stored = cache._db.execute("SELECT body FROM responses").fetchall()
        assert len(stored) == 1 and parse_esearch(stored[0][0]).ids == result.ids  # the good body only


@pytest.mark.parametrize("fault", ["503", "reset", "cut", "truncated", "html", "empty", "drip"])  # body checks differ
def test_pubmed_fetch_recovers_from_one_fault(server, settings, fault):
    pmids = server.store.pick("fetch-" + fault, 3)
    with Cache(settings.cache_path) as cache:
        before = len(server.requests())
        server.plan(fault, route="efetch")
        records = PubMedClient(settings, cache).fetch(pmids)
        assert [s.answer for s in _since(server, before)] == [fault, "ok"]
        assert [r.pmid for r in records] == list(dict.fromkeys(pmids))
        assert {row[0] for row in cache._db.execute("SELECT id FROM documents")} == set(pmids)


@pytest.mark.parametrize("fault", [f for f in FAULTS if f != "429-retry-after"])  # that one waits 1 s per try
def test_pubmed_persistent_fault_is_a_source_error_and_nothing_is_cached(server, settings, fault):
    with Cache(settings.cache_path) as cache:
        before = len(server.requests())
        server.plan(fault, route="esearch", times=None)
        try:
            with pytest.raises(SourceError) as info:
                PubMedClient(settings, cache).search(QUERY)
        finally:
            server.clear()
        tries = 1 if fault == "huge" else settings.max_tries  # a 50 MB answer is not asked for again
        assert len(_since(server, before)) == tries
        assert not isinstance(info.value, Unreachable)  # it accepted connections: not "down"
        message = str(info.value)
        assert "larger than" in message if fault == "huge" else f"after {tries} tries" in message
        assert "FAULTKEY" not in message and "Traceback" not in message
        assert cache._db.execute("SELECT count(*) FROM responses").fetchone() == (0,)


def test_retries_keep_to_the_keyless_rate(server, settings):
    """A service that keeps answering 429 is asked again no faster than 3 requests a second."""
    keyless = Settings(**{**settings.__dict__, "api_key": None, "max_tries": 7, "backoff_base": 0.0})
    with Cache(settings.cache_path) as cache:
        before = len(server.requests())
        server.plan("429", route="esearch", times=7)
        with pytest.raises(SourceError, match="7 tries"):
            PubMedClient(keyless, cache).search(QUERY)
    seen = _since(server, before)
    rate = max_in_any_window([s.time for s in seen])
    print(f"persistent 429, no key, no backoff: {len(seen)} requests, max {rate} in any 1-s window")
    assert len(seen) == 7 and rate <= 3


def test_no_connection_at_all_is_unreachable(settings, unused_port):
    down = Settings(**{**settings.__dict__, "eutils_base": f"http://127.0.0.1:{unused_port}/entrez/eutils/"})
    with Cache(settings.cache_path) as cache, pytest.raises(Unreachable, match="after 3 tries"):
        PubMedClient(down, cache).search(QUERY)


@pytest.fixture
def unused_port():
    with socket.socket() as sock:  # bound, never listening: connections are refused
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


# --- Crossref and Europe PMC through HttpClient (the clients for them sit on it) -----------


def _json(body: bytes) -> None:
    try:
        json.loads(body)
    except ValueError as exc:
        raise ParseError("test", f"not JSON ({exc})") from None


@pytest.mark.parametrize(  # the same HttpClient serves both: each fault once, services alternating
    ("fault", "service"), [(f, ("crossref", "europepmc")[i % 2]) for i, f in enumerate(RECOVERABLE)]
)
def test_http_client_recovers_from_one_fault(server, settings, service, fault):
    base = getattr(settings, f"{service}_base")
    url = base + ("works/10.1371/journal.pone.0020476" if service == "crossref" else "search")
    with Cache(settings.cache_path) as cache:
        client = HttpClient(settings, cache, service, per_second=50.0, identity={"mailto": "fault@example.org"})
        before = len(server.requests())
        server.plan(fault, route=service)
        fetched = client.get(url, {"query": fault}, what="lookup", validate=_json)
        seen = _since(server, before)
        assert [s.answer for s in seen] == [fault, "ok"] and not fetched.from_cache
        if fault == "429-retry-after":
            assert seen[1].time - seen[0].time >= 1.0
        assert json.loads(cache.get_response(url, {"query": fault})) == json.loads(fetched.body)
        assert client.get(url, {"query": fault}, what="lookup", validate=_json).from_cache


@pytest.mark.parametrize("service", ["crossref", "europepmc"])
def test_http_client_refuses_a_huge_body_and_caches_nothing(server, settings, service):
    with Cache(settings.cache_path) as cache:
        client = HttpClient(settings, cache, service, per_second=50.0)
        server.plan("huge", route=service)
        with pytest.raises(SourceError, match="larger than"):
            client.get(getattr(settings, f"{service}_base") + "x", what="lookup", validate=_json)
        assert cache._db.execute("SELECT count(*) FROM responses").fetchone() == (0,)


# --- whole runs through the command line --------------------------------------------------

def run_env(server: StandIn) -> dict[str, str]:
    return {**server.run_env(api_key="RUNKEY", email="run@example.org"), "FACTCHECK_TIMEOUT": "0.4"}


def run(tmp: Path, name: str, cache: str | None = None) -> tuple[int, dict]:
    out = tmp / name
    code = main(["run", str(tmp / "claims.yaml"), "--out", str(out), "--cache", str(tmp / f"{cache or name}.sqlite")])
    (report,) = out.glob("*.json")
    return code, json.loads(report.read_text())


@pytest.fixture(scope="module")
def clean(server, tmp_path_factory):
    """(folder, report) of an uninterrupted run with no faults."""
    tmp = tmp_path_factory.mktemp("runs")
    small_claims(tmp / "claims.yaml")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in run_env(server).items():
            patch.setenv(name, value)
        code, report = run(tmp, "clean")
    assert code == 0 and set(claims_of(report)) == set(CLAIM_IDS)
    return tmp, report


@pytest.fixture
def runs(server, clean, monkeypatch):
    for name, value in run_env(server).items():
        monkeypatch.setenv(name, value)
    yield clean
    server.clear()


def test_run_with_faults_sprinkled_writes_the_same_report_as_a_clean_run(server, runs, capsys):
    tmp, clean_report = runs
    before = len(server.requests())
    for fault in RECOVERABLE:  # every recoverable fault once, each followed by a good answer
        server.plan(fault, "ok", route="esearch")
    server.plan("503", "cut", route="efetch")
    code, faulty = run(tmp, "faulty")
    seen = _since(server, before)
    answers = [s.answer for s in seen]
    assert code == 0 and claims_of(faulty) == claims_of(clean_report)
    assert sorted(a for a in answers if a != "ok") == sorted(RECOVERABLE + ["503", "cut"])
    rate = max_in_any_window([s.time for s in seen])
    assert rate <= 10, f"{len(seen)} requests, {rate} in one 1-s window"  # retries go through the same limiter
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("fault", ["500", "timeout"])
def test_claim_whose_searches_keep_failing_is_not_checked_and_the_others_complete(server, runs, capsys, fault):
    tmp, clean_report = runs
    server.plan(fault, route="esearch", term="Emergency Responders", times=None)  # one claim's queries
    code, partial = run(tmp, "partial")
    err = capsys.readouterr().err
    assert code == 3 and "Traceback" not in err
    assert list((tmp / "partial").glob("*.partial.json"))
    unchecked = [c for c in partial["claims"] if c.get("error")]
    assert [c["id"] for c in unchecked] == ["responders-exposure"]
    reason = {"500": "HTTP 500", "timeout": "timed out"}[fault]
    assert reason in unchecked[0]["error"] and "Not checked" in unchecked[0]["reasons"][0]
    others = lambda report: {k: v for k, v in claims_of(report).items() if k != "responders-exposure"}
    assert others(partial) == others(clean_report)
    assert "RUNKEY" not in err and "run@example.org" not in err


def test_failed_fetch_marks_claims_not_checked_then_a_rerun_completes(server, runs, capsys):
    tmp, clean_report = runs
    server.plan("502", route="efetch", times=None)
    out = tmp / "rerun"
    code = main(["run", str(tmp / "claims.yaml"), "--out", str(out), "--cache", str(tmp / "rerun.sqlite"), "--verbose"])
    server.clear()
    err = capsys.readouterr().err
    # every claim found records, none could be fetched: none is rated on no evidence
    assert code == 3 and "Traceback" not in err and not list(out.glob("*"))
    assert all(f"{claim}: not checked (" in err for claim in CLAIM_IDS) and "could not be fetched" in err
    before, stored = len(server.requests()), stored_search_keys(tmp / "rerun.sqlite")
    code, again = run(tmp, "rerun")  # the network is back: same cache, the full report
    assert code == 0 and claims_of(again) == claims_of(clean_report)
    later = _since(server, before)
    assert later[0].route == "efetch"  # first the records the failed run could not fetch
    # the evidence searches came from the cache; only the citation checks that follow a fetch are new
    assert not {request_key(ESEARCH_URL, dict(s.params)) for s in later if s.route == "esearch"} & stored


# --- report names: one article never overwrites another's report -------------------------------------


def _render_for(title: str, claims_path: Path, out: Path) -> Path:
    from pipeline.claims import parse
    from pipeline.report import render
    from pipeline.types import RunResult

    text = yaml.safe_dump({"article": {"title": title}, "claims": [
        {"id": "a", "quote": "Drug X works.", "claim": "Drug X reduces symptoms.", "kind": "efficacy"}]},
        allow_unicode=True)
    claims_path.write_text(text, encoding="utf-8")
    paths = render(RunResult(claims_file=parse(text, str(claims_path)), assessments=()), out)
    return next(p for p in paths if p.suffix == ".json")


@pytest.mark.parametrize("titles", [("Ketamine: Good?", "Ketamine -- good!"), ("ケタミンは効くか", "氯胺酮有效吗", "?!?")])
def test_articles_whose_titles_slug_alike_get_distinct_report_names(titles, tmp_path):
    out = tmp_path / "reports"
    first = {title: _render_for(title, tmp_path / f"claims-{n}.yaml", out) for n, title in enumerate(titles)}
    assert len(set(first.values())) == len(titles)  # none replaced another's report
    for title, path in first.items():
        assert json.loads(path.read_text())["article"]["title"] == title
    again = {title: _render_for(title, tmp_path / f"claims-{n}.yaml", out) for n, title in enumerate(titles)}
    assert again == first  # the same article keeps its name on every run
    assert len(list(out.glob("*.json"))) == len(titles)


# --- damaged and read-only caches ------------------------------------------------------------------


def _damage_inner_pages(path: Path) -> None:
    """Overwrite pages in the middle of a SQLite file, leaving its header whole."""
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 6 * page, "the cache is too small to damage its inner pages"
    for start in range(2 * page, len(data) - page, 3 * page):
        data[start + 100:start + page - 100] = b"\x5a" * (page - 200)
    path.write_bytes(bytes(data))


def test_a_damaged_cache_is_moved_aside_and_the_run_completes(server, runs, capsys, caplog):
    tmp, clean_report = runs
    damaged = tmp / "damaged.sqlite"
    damaged.write_bytes((tmp / "clean.sqlite").read_bytes())
    _damage_inner_pages(damaged)
    with pytest.raises(Exception, match="malformed|corrupt"):  # the damage is real: SQLite sees it
        import sqlite3
        with sqlite3.connect(damaged) as db:
            db.execute("SELECT count(*), sum(length(body)) FROM responses").fetchone()
            db.execute("SELECT count(*), sum(length(body)) FROM documents").fetchone()
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",), "not damaged"
    code, report = run(tmp, "after-damage", cache="damaged")
    err = capsys.readouterr().err
    assert code == 0 and "Traceback" not in err and claims_of(report) == claims_of(clean_report)
    assert any("damaged" in r.getMessage() and "moved aside" in r.getMessage() for r in caplog.records)
    assert list(tmp.glob("damaged.sqlite.damaged-*")) and stored_search_keys(damaged)  # rebuilt, sound


def test_a_read_only_cache_exits_2_with_the_fix(server, runs, tmp_path, monkeypatch, capsys):
    tmp, _ = runs
    cache = tmp_path / "cache.sqlite"
    cache.write_bytes((tmp / "clean.sqlite").read_bytes())
    if os.geteuid() != 0:  # an ordinary user: the file and its folder made read-only
        cache.chmod(0o444)
        tmp_path.chmod(0o555)
    else:  # root writes anyway: SQLite itself opens the file read-only, as it does for a read-only file
        connect = sqlite3.connect
        monkeypatch.setattr(sqlite3, "connect", lambda path, *args, **kw: connect(
            f"file:{path}?mode=ro", *args, **{**kw, "uri": True}) if str(path) == str(cache) else connect(path, *args, **kw))
    for name, value in run_env(server).items():
        monkeypatch.setenv(name, value)
    claims = small_claims(tmp_path.parent / f"{tmp_path.name}-claims.yaml")
    data = yaml.safe_load(claims.read_text())
    data["claims"][0]["queries"] = ["a query the cache does not hold"]  # so the run must store an answer
    claims.write_text(yaml.safe_dump(data))
    try:
        code = main(["run", str(claims), "--out", str(tmp_path.parent / f"{tmp_path.name}-out"), "--cache", str(cache)])
    finally:
        tmp_path.chmod(0o755)
    err = capsys.readouterr().err
    assert code == 2 and "read-only" in err and "fix:" in err and "Traceback" not in err


# --- an efetch answer with repeated or unasked records ----------------------------------------------------


def _article_of(server, pmid: str) -> bytes:
    whole = server.store.article_set([pmid])
    return whole[whole.index(b"<PubmedArticle>"):whole.rindex(b"</PubmedArticle>") + len(b"</PubmedArticle>")]


def test_the_cache_stores_only_the_records_asked_for_and_the_copy_the_run_used(server, settings):
    asked, planted = server.store.pick("efetch-duplicates", 2)
    article = _article_of(server, asked)
    first = article.replace(b"<ArticleTitle>", b"<ArticleTitle>FIRST COPY ", 1)
    second = article.replace(b"<ArticleTitle>", b"<ArticleTitle>SECOND COPY ", 1)
    body = b'<?xml version="1.0"?>\n<PubmedArticleSet>' + first + second + _article_of(server, planted) \
        + b"</PubmedArticleSet>"
    with Cache(settings.cache_path) as cache:
        server.plan(Reply(200, body, (("Content-Type", "text/xml"),)), route="efetch")
        try:
            (live,) = PubMedClient(settings, cache).fetch([asked])
        finally:
            server.clear()
        assert {row[0] for row in cache._db.execute("SELECT id FROM documents")} == {asked}  # nothing planted
        offline = Settings(**{**settings.__dict__, "offline": True})
        (cached,) = PubMedClient(offline, cache).fetch([asked])
    assert live.title.startswith("FIRST COPY") and cached == live  # the rerun reports what the run did
