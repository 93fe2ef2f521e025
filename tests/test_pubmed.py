"""PubMed source: query rendering, XML/esearch parsing, and the E-utilities client.

No network: the client talks real HTTP to the stand-in server of tests/standin.py on 127.0.0.1,
which replays real E-utilities bodies from ../shared/data/eutils-samples (see its PROVENANCE.md).
"""

from __future__ import annotations

import gzip
import io
import json
import re
import socket
from urllib.parse import urlsplit

import pytest
from Bio import Entrez
from lxml import etree

from conftest import shared_file
from standin import Reply, StandIn
from pipeline.config import Settings
from pipeline.errors import InputError, OfflineMiss, ParseError, SourceError
from pipeline.sources.pubmed import (
    PubMedClient,
    iter_pubmed_xml,
    parse_esearch,
    parse_pubmed_xml,
    split_articles,
)
from pipeline.sources.pubmed_syntax import render_query
from pipeline.text import normalize_space
from pipeline.types import Query, QueryArm

EMAIL = "secret.person@example.org"
API_KEY = "APIKEY0123456789abcdef"


def sample(*parts: str) -> bytes:
    return shared_file("eutils-samples", *parts).read_bytes()


def pubmed_xml(name: str) -> bytes:
    path = shared_file("pubmed-xml", name)
    return gzip.decompress(path.read_bytes()) if name.endswith(".gz") else path.read_bytes()


def safe_tree(data: bytes) -> etree._Element:
    """An independent lxml parse for cross-checking the parser's counts."""
    return etree.fromstring(data, etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False))


# --- transport: the stand-in server ------------------------------------------------------


def http_error(code: int, retry_after: str | None = None) -> Reply:
    headers = (("Retry-After", retry_after),) if retry_after is not None else ()
    return Reply(code, b'{"error":"API rate limit exceeded","count":"11"}', headers)


@pytest.fixture
def client_factory(memory_cache, monkeypatch):
    """Builds (client, stand-in server, recorded sleeps, recorded rate-limit slots).

    The client sends real HTTP to the stand-in on 127.0.0.1, which answers the scripted replies
    (bytes: HTTP 200 with that body; a Reply; or a fault name) and logs every request.
    """
    slots: list[tuple[str, float]] = []
    monkeypatch.setattr(memory_cache, "wait_for_slot", lambda host, rate, recheck: slots.append((host, rate)))
    with StandIn() as server:

        def make(*script: object, **overrides: object):
            server.plan(*(Reply(200, item) if isinstance(item, bytes) else item for item in script))
            sleeps: list[float] = []
            settings = Settings(**{"email": EMAIL, "api_key": API_KEY, "max_tries": 4, "backoff_base": 0.5,
                                   "eutils_base": server.eutils, "timeout": 2.0, **overrides})
            return PubMedClient(settings, memory_cache, sleep=sleeps.append), server, sleeps, slots

        yield make


def cache_rows(cache, table: str) -> list[tuple]:
    return cache._db.execute(f"SELECT * FROM {table}").fetchall()


QUERY = Query(claim_id="c1", arms=(QueryArm("intervention", mesh=("Ketamine",), free_text=("ketamine",)),))


# --- render_query ------------------------------------------------------------------------


def test_render_query_arms_filters_and_quoting():
    query = Query(
        claim_id="c1",
        arms=(
            QueryArm("population", mesh=("Stress Disorders, Post-Traumatic",), free_text=("PTSD", 'post "traumatic" [stress]')),
            QueryArm("comparator"),  # empty: skipped
            QueryArm("intervention", mesh=("Ketamine",), free_text=("ketamine", "esketamine (Spravato)")),
        ),
        filters=("humans[mh]", "(randomized controlled trial[pt] OR meta-analysis[pt])"),
    )
    term = render_query(query)
    assert term == (
        '("Stress Disorders, Post-Traumatic"[mh] OR "PTSD"[tiab] OR "post traumatic stress"[tiab])'
        ' AND ("Ketamine"[mh] OR "ketamine"[tiab] OR "esketamine Spravato"[tiab])'
        " AND humans[mh] AND (randomized controlled trial[pt] OR meta-analysis[pt])"
    )
    # every quoted phrase is closed before its tag: quotes come in pairs, brackets balance
    assert term.count('"') % 2 == 0 and term.count("(") == term.count(")")


def test_render_query_raw_override_and_empty():
    assert render_query(Query("c1", arms=QUERY.arms, raw=" ketamine[ti] AND ptsd ")) == "ketamine[ti] AND ptsd"
    assert render_query(Query("c1", arms=(QueryArm("outcome", free_text=('""', "  ")),), filters=("humans[mh]",))) == ""


# --- parse_esearch -----------------------------------------------------------------------


def test_parse_esearch_hits():
    data = sample("entrez", "esearch1.xml")
    result = parse_esearch(data)
    root = safe_tree(data)
    assert result.count == int(root.findtext("Count")) == 63  # PROVENANCE: Count=63
    assert result.ids == tuple(root.xpath("IdList/Id/text()")) and len(result.ids) == 20
    assert result.query_translation == '"biopython"[All Fields]'
    assert result.errors == () and result.warnings == ()


def test_parse_esearch_zero_hits_is_not_an_error():
    result = parse_esearch(sample("entrez", "esearch8.xml"))
    assert (result.count, result.ids) == (0, ())
    assert result.errors == ("PhraseNotFound: abcXYZ",)
    assert result.warnings == ("OutputMessage: No items found.",)


def test_parse_esearch_partial_error_keeps_results():
    result = parse_esearch(sample("klortho", "esearch.error.xml"))
    assert result.count > 0 and result.ids
    assert any("fleegle" in e and e.startswith("PhraseNotFound") for e in result.errors)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (("klortho", "esearch.baderror.xml"), SourceError),
        (("entrez", "pubmed3.html"), ParseError),
        (("entrez", "einfo4.xml"), ParseError),
        (("entrez", "einfo1.xml"), ParseError),  # valid XML, wrong kind of answer
    ],
)
def test_parse_esearch_bad_bodies(body, error):
    with pytest.raises(error) as info:
        parse_esearch(sample(*body))
    assert info.value.source == "pubmed" and info.value.hint


def test_parse_esearch_error_message_says_what_happened():
    with pytest.raises(SourceError, match="Invalid db name specified: fleegle"):
        parse_esearch(sample("klortho", "esearch.baderror.xml"))
    with pytest.raises(ParseError, match="HTML"):
        parse_esearch(sample("entrez", "pubmed3.html"))


# --- parse_pubmed_xml: the 2019 NLM sample ----------------------------------------------


@pytest.fixture(scope="module")
def sample_2019():
    data = pubmed_xml("pubmedsample_2019.xml.gz")
    return data, safe_tree(data), parse_pubmed_xml(data)


def test_sample_records_match_independent_xpath(sample_2019):
    _, root, records = sample_2019
    pmids = root.xpath("PubmedArticle/MedlineCitation/PMID/text()")
    assert len(records) == len(pmids) == 176  # PROVENANCE: 176 PubmedArticle
    assert [r.pmid for r in records] == pmids  # DeleteCitation PMIDs are not records
    assert all(r.id == f"pmid:{r.pmid}" and r.source == "pubmed" for r in records)
    assert all(r.url == f"https://pubmed.ncbi.nlm.nih.gov/{r.pmid}/" for r in records)
    deleted = set(root.xpath("DeleteCitation/PMID/text()"))
    assert deleted and not deleted & {r.pmid for r in records}


def test_sample_abstract_counts(sample_2019):
    _, root, records = sample_2019
    no_abstract = len(root.xpath("PubmedArticle[not(MedlineCitation/Article/Abstract/AbstractText)]"))
    structured = len(root.xpath("PubmedArticle[MedlineCitation/Article/Abstract/AbstractText/@Label]"))
    assert sum(1 for r in records if not r.sections) == no_abstract == 61  # PROVENANCE
    assert sum(1 for r in records if any(label for label, _ in r.sections)) == structured == 18
    by_pmid = {r.pmid: r for r in records}
    for article in root.findall("PubmedArticle"):
        parts = article.findall("MedlineCitation/Article/Abstract/AbstractText")
        # the same characters as the element's text (whitespace aside: MathML layout is dropped)
        texts = [re.sub(r"\s+", "", "".join(p.itertext())) for p in parts]
        sections = by_pmid[article.findtext("MedlineCitation/PMID")].sections
        assert [re.sub(r"\s+", "", t) for _, t in sections] == [t for t in texts if t]
        assert all(t == normalize_space(t) for _, t in sections)


def test_sample_titles_and_years(sample_2019):
    _, root, records = sample_2019
    by_pmid = {r.pmid: r for r in records}
    assert all(r.title for r in records)  # ArticleTitle, or VernacularTitle when it is empty
    assert all(isinstance(r.year, int) and 1900 <= r.year <= 2030 for r in records)
    medline_dates = root.xpath("PubmedArticle[MedlineCitation/Article/Journal/JournalIssue/PubDate/MedlineDate]")
    assert len(medline_dates) == 15  # PROVENANCE
    for article in medline_dates:
        text = article.findtext("MedlineCitation/Article/Journal/JournalIssue/PubDate/MedlineDate")
        assert by_pmid[article.findtext("MedlineCitation/PMID")].year == int(text.strip()[:4])


def test_sample_retractions(sample_2019):
    _, root, records = sample_2019
    pt = set(root.xpath("PubmedArticle[.//PublicationType='Retracted Publication']/MedlineCitation/PMID/text()"))
    ri = set(root.xpath(
        "PubmedArticle[MedlineCitation/CommentsCorrectionsList/CommentsCorrections/@RefType='RetractionIn']"
        "/MedlineCitation/PMID/text()"
    ))
    assert {r.pmid for r in records if r.retracted} == pt | ri
    by_pmid = {r.pmid: r for r in records}
    # PROVENANCE: RetractionIn 8655018->9867474, 8863847->9499167, 11543891->11600210
    for retracted, notice in (("8655018", "9867474"), ("8863847", "9499167"), ("11543891", "11600210")):
        assert by_pmid[retracted].retracted
        assert any(n.kind == "RetractionIn" and n.pmid == notice and n.ref for n in by_pmid[retracted].notices)


def test_sample_notices_are_corrections_only(sample_2019):
    _, _, records = sample_2019
    kinds = [n.kind for r in records for n in r.notices]
    assert kinds.count("ErratumIn") == 14 and kinds.count("RetractionOf") == 2  # PROVENANCE
    assert not {"CommentIn", "CommentOn", "Cites", "UpdateIn", "RepublishedFrom"} & set(kinds)


def test_sample_fields_come_from_the_right_elements(sample_2019):
    _, root, records = sample_2019
    by_pmid = {r.pmid: r for r in records}
    for article in root.findall("PubmedArticle"):
        record = by_pmid[article.findtext("MedlineCitation/PMID")]
        citation = article.find("MedlineCitation")
        assert record.mesh == tuple(citation.xpath("MeshHeadingList/MeshHeading/DescriptorName/text()"))
        assert record.pub_types == tuple(citation.xpath("Article/PublicationTypeList/PublicationType/text()"))
        assert record.journal == citation.findtext("Article/Journal/Title")
        own_dois = article.xpath("PubmedData/ArticleIdList/ArticleId[@IdType='doi']/text()")
        if own_dois:
            assert record.doi == own_dois[0].strip()
        reference_dois = set(article.xpath("PubmedData/ReferenceList//ArticleId[@IdType='doi']/text()"))
        assert record.doi is None or record.doi not in reference_dois or record.doi in own_dois


def test_streaming_matches_in_memory_parse(sample_2019):
    _, _, records = sample_2019
    with gzip.open(shared_file("pubmed-xml", "pubmedsample_2019.xml.gz")) as stream:
        assert list(iter_pubmed_xml(stream)) == records


def test_streaming_reads_small_chunks(sample_2019):
    data, _, records = sample_2019

    class Trickle(io.RawIOBase):
        """Hands out at most 100 bytes per read, like a slow pipe."""

        def __init__(self) -> None:
            self.inner = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            return self.inner.read(min(size, 100) if size and size > 0 else 100)

    assert list(iter_pubmed_xml(Trickle())) == records


# --- parse_pubmed_xml: single records ------------------------------------------------------


def test_structured_abstract_labels_and_inline_markup():
    data = sample("entrez", "pubmed4.xml")
    (record,) = parse_pubmed_xml(data)
    parts = safe_tree(data).findall(".//Abstract/AbstractText")
    assert [label for label, _ in record.sections] == [p.get("Label") for p in parts]
    assert [label for label, _ in record.sections] == ["OBJECTIVE", "DESIGN", "RESULTS", "CONCLUSIONS"]
    assert [text for _, text in record.sections] == [normalize_space("".join(p.itertext())) for p in parts]
    assert record.abstract == "\n".join(text for _, text in record.sections)
    assert record.pmid == "27797938" and record.year == 2017  # PROVENANCE: 27797938 (2017, Gut)
    assert "Observational Study" in record.pub_types and not record.retracted


def test_label_wins_then_nlm_category():
    data = sample("entrez", "pubmed5.xml")
    (record,) = parse_pubmed_xml(data)
    parts = safe_tree(data).findall(".//Abstract/AbstractText")
    assert [label for label, _ in record.sections] == [p.get("Label") or p.get("NlmCategory") for p in parts]
    # &gt; / &lt; in the XML are characters in the text
    assert ">4.5" in record.abstract and "&gt;" not in record.abstract
    handmade = HANDMADE.replace(b"<AbstractText>Plain", b'<AbstractText NlmCategory="RESULTS">Plain')
    assert parse_pubmed_xml(handmade)[0].sections[0][0] == "RESULTS"


def test_mathml_text_is_kept():
    data = sample("entrez", "pubmed6.xml")
    (record,) = parse_pubmed_xml(data)
    math = safe_tree(data).find(".//{http://www.w3.org/1998/Math/MathML}math")
    assert math is not None
    assert "".join(t.strip() for t in math.itertext()) in record.abstract
    assert "mml" not in record.abstract and "</" not in record.abstract


def test_bare_pubmed_article():
    data = pubmed_xml("pubmed_19129924.xml")
    (record,) = parse_pubmed_xml(data)
    assert record.pmid == "19129924" and record.year == 2008  # PROVENANCE
    assert record.title == "PyMOOSE: Interoperable Scripting in Python for MOOSE."
    root = safe_tree(data)
    assert root.findall("PubmedData/ReferenceList")  # cited works' IDs sit here: not the record's
    assert record.doi == root.xpath("PubmedData/ArticleIdList/ArticleId[@IdType='doi']/text()")[0]
    assert len(record.sections) == 1 and record.sections[0][0] == ""


def test_record_without_pmid_and_book_articles_are_skipped():
    assert parse_pubmed_xml(pubmed_xml("pubmedsample_no_pmid_2019.xml.gz")) == []
    assert parse_pubmed_xml(sample("klortho", "efetch.pubmedbook.xml")) == []


def test_efetch_samples_parse():
    for name in ("pubmed1.xml", "pubmed2.xml", "pubmed7.xml"):
        data = sample("entrez", name)
        records = parse_pubmed_xml(data)
        assert [r.pmid for r in records] == safe_tree(data).xpath("PubmedArticle/MedlineCitation/PMID/text()")
    (no_abstract, _) = parse_pubmed_xml(sample("entrez", "pubmed1.xml"))
    assert no_abstract.pmid == "12091962" and no_abstract.sections == ()  # PROVENANCE: no abstract


HANDMADE = b"""<?xml version="1.0"?>
<!-- hand-made test record, not real PubMed data -->
<PubmedArticleSet><PubmedArticle><MedlineCitation>
<PMID Version="1">123</PMID>
<Article>
  <Journal><JournalIssue><PubDate><MedlineDate>1998 Dec-1999 Jan</MedlineDate></PubDate></JournalIssue>
  <Title>Hand Made Journal</Title></Journal>
  <ArticleTitle></ArticleTitle>
  <ELocationID EIdType="pii">S0001</ELocationID><ELocationID EIdType="doi">10.1000/own</ELocationID>
  <Abstract><AbstractText>Plain abstract.</AbstractText></Abstract>
  <AuthorList><Author><LastName>Doe</LastName><Initials>JA</Initials></Author>
  <Author><CollectiveName>The Group</CollectiveName></Author></AuthorList>
  <PublicationTypeList><PublicationType>Journal Article</PublicationType></PublicationTypeList>
  <VernacularTitle>Titre vernaculaire.</VernacularTitle>
</Article>
<MedlineJournalInfo><MedlineTA>Hand Made J</MedlineTA></MedlineJournalInfo>
<CommentsCorrectionsList>
  <CommentsCorrections RefType="ExpressionOfConcernIn"><RefSource>Hand J. 2000</RefSource><PMID>456</PMID></CommentsCorrections>
  <CommentsCorrections RefType="Cites"><RefSource>Other</RefSource><PMID>789</PMID></CommentsCorrections>
</CommentsCorrectionsList>
</MedlineCitation>
<PubmedData><ReferenceList><Reference><ArticleIdList><ArticleId IdType="doi">10.1000/cited</ArticleId></ArticleIdList></Reference></ReferenceList></PubmedData>
</PubmedArticle></PubmedArticleSet>"""


def test_handmade_fallbacks():
    (record,) = parse_pubmed_xml(HANDMADE)
    assert record.title == "Titre vernaculaire."  # empty ArticleTitle -> VernacularTitle
    assert record.year == 1998  # leading year of MedlineDate
    assert record.doi == "10.1000/own"  # ELocationID, never the ReferenceList DOI
    assert record.journal_abbrev == "Hand Made J"  # no ISOAbbreviation -> MedlineTA
    assert record.authors == ("Doe JA", "The Group")
    assert [(n.kind, n.pmid) for n in record.notices] == [("ExpressionOfConcernIn", "456")]
    assert not record.retracted  # an expression of concern is not a retraction
    no_doi = HANDMADE.replace(b'<ELocationID EIdType="doi">10.1000/own</ELocationID>', b"")
    assert parse_pubmed_xml(no_doi)[0].doi is None


@pytest.mark.parametrize(
    "body",
    [b"", b"   \n", b"<html><body>Service unavailable</body></html>", b"<PubmedArticleSet><PubmedArticle>",
     b"not xml at all", b'<eFetchResult><ERROR>Empty id list - nothing todo</ERROR></eFetchResult>'],
)
def test_bad_bodies_raise_source_errors_not_lxml(body):
    for parse in (parse_pubmed_xml, split_articles):
        with pytest.raises(SourceError) as info:
            parse(body)
        assert not isinstance(info.value, etree.LxmlError) and info.value.hint


def test_real_bad_bodies():
    with pytest.raises(ParseError, match="HTML"):
        parse_pubmed_xml(sample("entrez", "pubmed3.html"))
    with pytest.raises(ParseError, match="not valid XML"):
        parse_pubmed_xml(sample("entrez", "einfo4.xml"))
    with pytest.raises(SourceError, match="fleegle"):
        parse_pubmed_xml(sample("klortho", "esearch.baderror.xml"))


def test_truncated_stream_yields_then_raises(sample_2019):
    data, _, records = sample_2019
    seen = []
    with pytest.raises(ParseError):
        for record in iter_pubmed_xml(io.BytesIO(data[: len(data) // 2])):
            seen.append(record)
    assert 0 < len(seen) < len(records) and seen == records[: len(seen)]


def test_entities_are_not_expanded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    bomb = f"""<?xml version="1.0"?>
<!DOCTYPE PubmedArticleSet [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY xxe SYSTEM "file://{secret}">
]>
<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>
<ArticleTitle>Bomb &lol5; and &xxe; &amp; friends</ArticleTitle>
<Abstract><AbstractText>&xxe;&lol5;text</AbstractText></Abstract>
</Article></MedlineCitation></PubmedArticle></PubmedArticleSet>""".encode()
    # Either the entities stay unexpanded (dropped from the text), or libxml2's amplification
    # guard refuses the document: both are safe. Expansion or the file's content never is.
    for parse in (parse_pubmed_xml, lambda data: list(iter_pubmed_xml(io.BytesIO(data)))):
        try:
            (record,) = parse(bomb)
        except ParseError as exc:
            assert "TOP-SECRET" not in str(exc) and "lollol" not in str(exc)
            continue
        assert "lol" not in record.title and "TOP-SECRET" not in record.title
        assert record.title == "Bomb and & friends"  # predefined entities still decode
        assert record.abstract == "text"
    try:
        doc = split_articles(bomb)["1"]
        assert b"TOP-SECRET" not in doc and b"lollol" not in doc
    except ParseError as exc:
        assert "TOP-SECRET" not in str(exc)
    # with no bomb, the external entity alone is not read either, by any path
    xxe_only = re.sub(rb"<!ENTITY lol.*?>\n", b"", bomb).replace(b"&lol5;", b"")
    for records in (parse_pubmed_xml(xxe_only), list(iter_pubmed_xml(io.BytesIO(xxe_only)))):
        assert records[0].title == "Bomb and & friends" and "TOP-SECRET" not in records[0].abstract
    assert b"TOP-SECRET" not in split_articles(xxe_only)["1"]


def test_split_articles_round_trip():
    data = sample("entrez", "pubmed2.xml")
    docs = split_articles(data)
    records = parse_pubmed_xml(data)
    assert list(docs) == [r.pmid for r in records]
    for record in records:
        assert parse_pubmed_xml(docs[record.pmid]) == [record]
    mathml = split_articles(sample("entrez", "pubmed6.xml"))
    (pmid,) = mathml
    assert parse_pubmed_xml(mathml[pmid]) == parse_pubmed_xml(sample("entrez", "pubmed6.xml"))


# --- client: search -----------------------------------------------------------------------


def test_search_hits_is_cached_without_secrets(client_factory, memory_cache):
    client, fake, sleeps, slots = client_factory(sample("entrez", "esearch1.xml"))
    result = client.search(QUERY)
    assert result.count == 63 and len(result.ids) == 20 and not result.from_cache
    assert result.term == render_query(QUERY) and result.source == "pubmed"
    assert 'QueryTranslation: "biopython"[All Fields]' in result.notes
    sent = fake.seen[0].params
    assert sent["term"] == result.term and sent["db"] == "pubmed" and sent["sort"] == "relevance"
    assert sent["retmax"] == str(client.settings.max_results)
    # our identity reached NCBI through Bio.Entrez's request builder (its globals are not used)
    assert sent["email"] == EMAIL and sent["api_key"] == API_KEY and sent["tool"] == client.settings.tool
    assert fake.seen[0].method == "GET" and Entrez.email is None
    # the configured endpoint is where it went and what is rate-limited; the key stays canonical
    assert slots == [(urlsplit(fake.eutils).netloc, client.settings.requests_per_second)]
    rows = cache_rows(memory_cache, "responses")
    assert len(rows) == 1
    stored = json.dumps([str(c) for c in rows[0][:3]])
    assert EMAIL not in stored and API_KEY not in stored and "api_key" not in stored

    again = client.search(QUERY)
    assert len(fake.seen) == 1 and again.from_cache and again.ids == result.ids


def test_search_zero_hits_with_error_list(client_factory, memory_cache):
    client, *_ = client_factory(sample("entrez", "esearch8.xml"))
    result = client.search(QUERY, retmax=5)
    assert result.count == 0 and result.ids == ()
    assert "PhraseNotFound: abcXYZ" in result.notes and "OutputMessage: No items found." in result.notes
    assert len(cache_rows(memory_cache, "responses")) == 1  # a valid answer, so cached


@pytest.mark.parametrize(
    ("body", "words", "tries"),
    [
        (("klortho", "esearch.baderror.xml"), "PubMed answered with an error: Invalid db name", 1),  # final
        (("entrez", "pubmed3.html"), "4 tries .*HTML page where XML was expected", 4),  # junk: retried
        (("entrez", "einfo4.xml"), "4 tries .*not valid XML", 4),
    ],
)
def test_search_bad_answers_are_errors_and_never_cached(client_factory, memory_cache, body, words, tries):
    client, fake, sleeps, _ = client_factory(*[sample(*body)] * 4)
    with pytest.raises(SourceError, match=words) as info:
        client.search(QUERY)
    assert EMAIL not in str(info.value) and API_KEY not in str(info.value)
    assert cache_rows(memory_cache, "responses") == [] and len(fake.seen) == tries == len(sleeps) + 1


def test_search_junk_then_a_good_answer_recovers(client_factory, memory_cache):
    client, fake, sleeps, _ = client_factory(sample("entrez", "pubmed3.html"), sample("entrez", "esearch1.xml"))
    assert client.search(QUERY).count == 63 and len(fake.seen) == 2 and sleeps == [0.5]
    assert parse_esearch(cache_rows(memory_cache, "responses")[0][3]).count == 63  # only the good body


def test_search_retries_429_honouring_retry_after(client_factory, memory_cache):
    client, fake, sleeps, slots = client_factory(http_error(429, retry_after="7"), sample("entrez", "esearch1.xml"))
    assert client.search(QUERY).count == 63
    assert sleeps == [7.0] and len(fake.seen) == 2 and len(slots) == 2


def test_search_backoff_is_exponential(client_factory):
    client, fake, sleeps, _ = client_factory(
        http_error(503), "reset", http_error(429), sample("entrez", "esearch1.xml")
    )
    client.search(QUERY)
    base = client.settings.backoff_base
    assert sleeps == [base, base * 2, base * 4] and len(fake.seen) == 4


def test_search_gives_up_after_max_tries(client_factory, memory_cache):
    client, fake, sleeps, _ = client_factory(*[http_error(500) for _ in range(4)])
    with pytest.raises(SourceError, match="no usable answer after 4 tries") as info:
        client.search(QUERY)
    # one request per attempt: Biopython's own instant retries (Entrez._open) are not used
    assert len(fake.seen) == client.settings.max_tries == 4 and len(sleeps) == 3
    assert "--offline" in info.value.hint
    assert cache_rows(memory_cache, "responses") == []


def test_client_errors_are_not_retried(client_factory):
    client, fake, sleeps, _ = client_factory(http_error(400))
    with pytest.raises(SourceError, match="HTTP 400"):
        client.search(QUERY)
    assert len(fake.seen) == 1 and sleeps == []


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_secrets_never_in_error_messages(client_factory):
    # requests' ConnectionError quotes the whole URL, email (URL-encoded) and api_key included.
    client, *_ = client_factory(eutils_base=f"http://127.0.0.1:{_closed_port()}/entrez/eutils/", max_tries=2)
    with pytest.raises(SourceError) as info:
        client.search(QUERY)
    message = str(info.value)
    assert "esearch.fcgi" in message and "no usable answer" in message
    for secret in (EMAIL, API_KEY, "secret.person%40example.org"):
        assert secret not in message
    assert info.value.__cause__ is None and info.value.__context__ is None  # no leaky chained error


def test_offline_search(client_factory, memory_cache):
    client, fake, *_ = client_factory(offline=True)
    with pytest.raises(OfflineMiss, match="not in the cache"):
        client.search(QUERY)
    assert fake.seen == []
    online, *_ = client_factory(sample("entrez", "esearch1.xml"))
    online.search(QUERY)
    offline, fake, *_ = client_factory(offline=True, api_key=None, email="other@example.org")
    result = offline.search(QUERY)  # secrets are not part of the key, so another user's cache works
    assert result.from_cache and result.count == 63 and len(fake.seen) == 1


def test_empty_query_is_an_input_error(client_factory):
    client, fake, *_ = client_factory()
    with pytest.raises(InputError):
        client.search(Query("c9"))
    assert fake.seen == []


def test_text_plain_responses_are_read_as_bytes(client_factory):
    body = Reply(200, sample("entrez", "esearch1.xml"), (("Content-Type", "text/plain"),))
    client, *_ = client_factory(body)
    assert client.search(QUERY).count == 63


# --- client: fetch ------------------------------------------------------------------------


def test_fetch_only_missing_pmids(client_factory, memory_cache):
    first = parse_pubmed_xml(sample("entrez", "pubmed1.xml"))
    second = parse_pubmed_xml(sample("entrez", "pubmed2.xml"))
    memory_cache.put_documents("pubmed", split_articles(sample("entrez", "pubmed1.xml")))
    client, fake, _, slots = client_factory(sample("entrez", "pubmed2.xml"))
    asked = [second[1].pmid, first[0].pmid, second[0].pmid, first[1].pmid]
    records = client.fetch(asked)
    assert [r.pmid for r in records] == asked and client.last_missing == ()
    assert fake.seen[0].params["id"] == f"{second[1].pmid},{second[0].pmid}"
    assert fake.seen[0].params["retmode"] == "xml" and fake.seen[0].params["db"] == "pubmed"
    assert len(slots) == 1
    assert {row[1] for row in cache_rows(memory_cache, "documents")} == set(asked)
    assert client.fetch(asked) == records and len(fake.seen) == 1  # all cached now


def test_fetch_notes_pmids_not_returned(client_factory):
    client, *_ = client_factory(sample("entrez", "pubmed2.xml"))
    wanted = safe_tree(sample("entrez", "pubmed2.xml")).xpath("PubmedArticle/MedlineCitation/PMID/text()")
    records = client.fetch([*wanted, "99999999"])
    assert [r.pmid for r in records] == wanted and client.last_missing == ("99999999",)


def test_fetch_batches_of_at_most_200(client_factory):
    empty = b"<?xml version='1.0'?><PubmedArticleSet></PubmedArticleSet>"
    client, fake, *_ = client_factory(empty, empty, empty)
    pmids = [str(n) for n in range(1000, 1450)]
    assert client.fetch(pmids) == [] and client.last_missing == tuple(pmids)
    sizes = [len(fake.seen[i].params["id"].split(",")) for i in range(len(fake.seen))]
    assert sizes == [200, 200, 50]
    assert fake.seen[0].method == "POST"  # Bio.Entrez POSTs large ID lists itself


@pytest.mark.parametrize(
    ("body", "tries"),
    [(("entrez", "einfo4.xml"), 4), (("entrez", "pubmed3.html"), 4), (("klortho", "esearch.baderror.xml"), 1)],
)
def test_fetch_bad_bodies_are_not_cached(client_factory, memory_cache, body, tries):
    client, fake, *_ = client_factory(*[sample(*body)] * 4)
    with pytest.raises(SourceError):
        client.fetch(["12091962"])
    assert cache_rows(memory_cache, "documents") == [] and len(fake.seen) == tries


def test_fetch_offline(client_factory, memory_cache):
    memory_cache.put_documents("pubmed", split_articles(sample("entrez", "pubmed2.xml")))
    pmids = list(split_articles(sample("entrez", "pubmed2.xml")))
    client, fake, *_ = client_factory(offline=True)
    assert [r.pmid for r in client.fetch(pmids)] == pmids
    with pytest.raises(OfflineMiss, match="12091962"):
        client.fetch([*pmids, "12091962"])
    assert fake.seen == []


def test_fetch_unreadable_cached_document_is_fetched_again(client_factory, memory_cache):
    pmids = list(split_articles(sample("entrez", "pubmed2.xml")))
    memory_cache.put_documents("pubmed", {pmids[0]: b"<PubmedArticle><Medline"})
    client, fake, *_ = client_factory(sample("entrez", "pubmed2.xml"))
    assert [r.pmid for r in client.fetch(pmids)] == pmids and len(fake.seen) == 1
