"""The one cache policy (pipeline/cache_policy.py), pure: no cache, no network."""

from __future__ import annotations

from pipeline.cache_policy import plan, to_store


def test_a_cached_answer_is_served_online_and_offline():
    for offline in (False, True):
        action = plan(b"<xml/>", offline)
        assert action.serve and not action.send and not action.miss and action.cached == b"<xml/>"


def test_nothing_cached_is_sent_online_and_refused_offline():
    online, offline = plan(None, False), plan(None, True)
    assert online.send and not online.serve and not online.miss
    assert offline.miss and not offline.send and not offline.serve


def test_only_what_was_asked_is_stored_once():
    answer = {"1": b"first", "9": b"unasked", "2": b"second"}
    assert to_store(["1", "2", "3"], answer) == {"1": b"first", "2": b"second"}
    assert to_store([], answer) == {}
