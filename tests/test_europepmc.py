"""Europe PMC search: query building and parsing of recorded real bodies (../shared/data/http-samples/europepmc)."""

from __future__ import annotations

from conftest import shared_file

from pipeline.config import Settings
from pipeline.rating.checks import check_integrity
from pipeline.sources import europepmc


def sample(name: str) -> bytes:
    return shared_file("http-samples", "europepmc", name).read_bytes()


def test_citation_query_uses_fields_and_uppercase_booleans():
    q = europepmc.citation_query("Journal of Traumatic Stress", 2021, [("ketamine", "esketamine"), ("PTSD",)])
    assert q == 'JOURNAL:"Journal of Traumatic Stress" AND PUB_YEAR:2021 AND ("ketamine" OR "esketamine") AND "PTSD"'
    url, params = europepmc.search_request(Settings(), q)
    assert url.endswith("/europepmc/webservices/rest/search")
    assert (params["resultType"], params["format"]) == ("core", "json")


def test_recorded_retracted_records_are_flagged_with_notice_links():
    total, records = europepmc.parse_search(sample("epmcmcp_retracted_core.json"))
    assert total > 0 and len(records) == 2 and all(r.retracted for r in records)
    first = records[0]
    assert first.id == f"pmid:{first.pmid}"  # merges with the same PubMed record
    [notice] = first.notices
    assert notice.kind == "RetractionIn" and notice.link == f"https://pubmed.ncbi.nlm.nih.gov/{notice.pmid}/"
    checks = check_integrity(records)
    assert [c.status for c in checks] == ["retracted", "retracted"]
    assert notice.link in checks[0].links


def test_recorded_core_record_has_abstract_and_journal():
    _, [record] = europepmc.parse_search(sample("epmcmcp_subscription_med24073682.json"))
    assert record.pmid == "24073682" and record.abstract and record.journal and record.year
    assert not record.retracted


def test_erratum_notice_record_is_not_itself_flagged():
    _, records = europepmc.parse_search(sample("pyeuropepmc_search_cancer_core.json"))
    errata = [r for r in records if any(n.kind == "ErratumFor" for n in r.notices)]
    assert errata and check_integrity(errata) == ()  # the record IS the erratum


def test_recorded_zero_hits():
    assert europepmc.parse_search(sample("pyeuropepmc_search_no_results.json")) == (0, ())
