"""Crossref client: pure request building and parsing of recorded real bodies (../shared/data/
http-samples/crossref), a hand-made retraction-watch work (tests/fixtures, marked hand-made), and
the client against a real HTTP server on 127.0.0.1 replaying recorded bodies."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, shared_file
from replay_server import replay

from pipeline.config import Settings
from pipeline.errors import ParseError
from pipeline.http import NotFound
from pipeline.rating.checks import check_integrity
from pipeline.sources import crossref

SETTINGS = Settings(email="sentinel-email@example.org", max_tries=1, backoff_base=0.0, timeout=5.0)


def sample(name: str) -> bytes:
    return shared_file("http-samples", "crossref", name).read_bytes()


def test_search_request_limits_to_one_year_of_journal_articles():
    url, params = crossref.search_request(SETTINGS, "Journal of Traumatic Stress ketamine PTSD", 2021)
    assert url == "https://api.crossref.org/works"
    assert params["query.bibliographic"] == "Journal of Traumatic Stress ketamine PTSD"
    assert params["filter"] == "from-pub-date:2021-01-01,until-pub-date:2021-12-31,type:journal-article"
    assert {"updated-by", "container-title", "issued"} <= set(params["select"].split(","))
    assert "mailto" not in params  # identity is added by HttpClient, never part of the cache key
    assert "from-pub-date" not in crossref.search_request(SETTINGS, "x")[1]["filter"]


def test_work_request_keeps_the_doi_path():
    url, _ = crossref.work_request(SETTINGS, "10.1371/journal.pone.0033693")
    assert url == "https://api.crossref.org/works/10.1371/journal.pone.0033693"


def test_recorded_correction_becomes_a_notice_not_a_retraction():
    record = crossref.parse_work(sample("habanero_work_pone.0033693_updated-by-correction.json"))
    assert (record.doi, record.journal, record.year) == ("10.1371/journal.pone.0033693", "PLoS ONE", 2012)
    assert [(n.kind, n.origin) for n in record.notices] == [("correction", "publisher")]
    assert record.notices[0].link == "https://doi.org/10.1371/annotation/c76da2c1-ccb8-4797-94c1-359d3ceceeda"
    assert not record.retracted
    [check] = check_integrity([record])
    assert check.status == "erratum" and record.notices[0].link in check.links


def test_recorded_self_update_is_not_a_notice():
    record = crossref.parse_work(sample("commonmeta_work_ppat.1008184_updated-by-new_version.json"))
    assert record.notices == () and check_integrity([record]) == ()


def test_plain_recorded_work_has_no_flags():
    record = crossref.parse_work(sample("habanero_work_pone.0020476.json"))
    assert record.title.startswith("Using and Reporting the Delphi Method")
    assert not record.notices and not record.retracted


def test_hand_made_retraction_watch_update_retracts():
    record = crossref.parse_work((FIXTURES / "crossref_work_retraction_watch.json").read_bytes())
    assert record.retracted
    kinds = {n.kind: n for n in record.notices}
    assert kinds["retraction"].origin == "retraction-watch"
    statuses = {c.status: c for c in check_integrity([record])}
    assert set(statuses) == {"retracted", "expression_of_concern"}
    assert "https://doi.org/10.5555/handmade.2022.notice" in statuses["retracted"].links
    assert "Retraction Watch" in statuses["retracted"].detail and "counts for nothing" in statuses["retracted"].detail


def test_recorded_searches_parse_totals_and_items():
    total, records = crossref.parse_search(sample("habanero_works_query_ecology_rows2.json"))
    assert total > 100000 and len(records) == 2 and all(r.doi for r in records)
    assert crossref.parse_search(sample("rcrossref_works_query_adfaaf_zero_results.json")) == (0, ())


def test_recorded_error_body_is_a_parse_error():
    with pytest.raises(ParseError, match="status failed"):
        crossref.parse_work(sample("habanero_work_400_validation-failure.json"))


def test_client_sends_mailto_and_caches(memory_cache):
    body = sample("habanero_work_pone.0033693_updated-by-correction.json")
    with replay({"/works/10.1371/journal.pone.0033693": (200, "application/json", body)}) as (base, seen):
        client = crossref.CrossrefClient(Settings(**{**SETTINGS.__dict__, "crossref_base": base}), memory_cache)
        first = client.work("10.1371/journal.pone.0033693")
        again = client.work("10.1371/journal.pone.0033693")
        assert first == again and len(seen) == 1
        assert "mailto=sentinel-email%40example.org" in seen[0]


def test_client_unknown_doi_is_not_found(memory_cache):
    body = sample("habanero_work_404_notarealdoi.txt")
    with replay({"/works/": (404, "text/plain", body)}) as (base, _):
        client = crossref.CrossrefClient(Settings(**{**SETTINGS.__dict__, "crossref_base": base}), memory_cache)
        with pytest.raises(NotFound):
            client.work("10.1371/notarealdoi")
