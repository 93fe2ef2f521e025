"""The SQLite cache: secret-free keys, documents, and the cross-process rate limiter."""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
from pathlib import Path

import pytest

from pipeline.cache import Cache, request_key
from pipeline.errors import InputError

URL = "https://eutils.example/esearch.fcgi"


def test_key_ignores_identity_and_secrets_but_not_the_query() -> None:
    base = {"db": "pubmed", "term": "ketamine"}
    assert request_key(URL, {**base, "email": "a@b.c", "api_key": "K1", "tool": "x"}) == request_key(URL, base)
    assert request_key(URL, {**base, "term": "esketamine"}) != request_key(URL, base)


def test_responses_and_documents_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    with Cache(path) as cache:
        cache.put_response(URL, {"term": "x", "api_key": "SECRET-KEY", "email": "me@example.org"}, b"<xml/>")
        cache.put_documents("pubmed", {"1": b"<a/>", "2": b"<b/>"})
    with Cache(path) as cache:  # a second process would see the same
        assert cache.get_response(URL, {"term": "x"}) == b"<xml/>"
        assert cache.get_documents("pubmed", ["2", "3", "1"]) == {"1": b"<a/>", "2": b"<b/>"}
    dump = "\n".join(sqlite3.connect(path).iterdump())
    assert "SECRET-KEY" not in dump and "me@example.org" not in dump


def test_not_a_database_is_a_clear_input_error(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(InputError, match="not a usable SQLite database"):
        Cache(path)


def test_slots_are_spaced_at_the_rate(memory_cache: Cache) -> None:
    assert memory_cache.take_slot("host", 4.0, now=100.0) == 0.0
    # taken: the next is 0.275 s later (10% wider than 1/rate), and waiting reserves nothing
    assert [memory_cache.take_slot("host", 4.0, now=t) for t in (100.0, 100.1)] == pytest.approx([0.275, 0.175])
    assert memory_cache.take_slot("host", 4.0, now=100.275) == 0.0
    assert memory_cache.take_slot("other", 4.0, now=100.0) == 0.0  # hosts are independent


def test_waiting_for_a_slot_stops_when_the_answer_turns_up(memory_cache: Cache) -> None:
    assert memory_cache.wait_for_slot("host", 5.0) is None  # free: taken at once
    started = time.time()
    assert memory_cache.wait_for_slot("host", 5.0, lambda: b"stored by another run") == b"stored by another run"
    assert time.time() - started >= 0.2  # it did wait for the slot
    assert memory_cache.take_slot("host", 5.0) == 0.0  # and reserved nothing while waiting


def _take_slots(path: str, count: int, queue: multiprocessing.Queue) -> None:
    with Cache(path) as cache:
        taken = 0
        while taken < count:
            now = time.time()
            wait = cache.take_slot("eutils", 20.0, now=now)
            if wait == 0:
                queue.put(now)  # when the slot was taken (a busy machine may send a little later)
                taken += 1
            time.sleep(wait)


def test_limit_holds_across_processes(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.sqlite")
    Cache(path).close()
    queue: multiprocessing.Queue = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=_take_slots, args=(path, 6, queue)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    times = sorted(queue.get(timeout=5) for _ in range(12))
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert min(gaps) >= 1 / 20.0 - 1e-6  # two processes, one shared spacing
