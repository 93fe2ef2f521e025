"""Corpus file readers: hand-made inputs written in each test, and the real files in ../shared/data."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from pipeline.errors import CorpusError
from pipeline.sources.importers import (
    NotACorpusFile,
    detokenize,
    discover,
    file_format,
    iter_jsonl,
    iter_records,
    parse_abst,
    parse_tokens,
    read_jsonl,
    record_from_json,
)
from conftest import shared_file

# A hand-made PubMed record (not real data): enough for the PubMed XML path.
HANDMADE_XML = b"""<?xml version="1.0"?>
<PubmedArticleSet>
<PubmedArticle><MedlineCitation Status="MEDLINE"><PMID Version="1">111</PMID>
<Article><Journal><Title>Hand-made Journal</Title></Journal>
<ArticleTitle>Ketamine for hand-made depression.</ArticleTitle>
<Abstract><AbstractText Label="RESULTS">It worked in 10 of 20.</AbstractText></Abstract>
</Article></MedlineCitation></PubmedArticle>
<PubmedArticle><MedlineCitation Status="MEDLINE"><PMID Version="1">222</PMID>
<Article><Journal><Title>Hand-made Journal</Title></Journal>
<ArticleTitle>A second hand-made record.</ArticleTitle></Article></MedlineCitation></PubmedArticle>
</PubmedArticleSet>
"""


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# --- dispatch -------------------------------------------------------------------------------


def test_file_format_dispatches_on_the_longest_suffix():
    assert file_format(Path("a.xml.gz")) == "pubmed-xml"
    assert file_format(Path("A.XML")) == "pubmed-xml"
    assert file_format(Path("corpus.jsonl")) == "jsonl"
    assert file_format(Path("x.subset.csv")) == "csv"
    assert file_format(Path("notes.md")) is None
    assert file_format(Path("data.gz")) is None


def test_unsupported_explicit_file_is_a_corpus_error(tmp_path):
    path = write(tmp_path, "notes.txt", "hello")
    with pytest.raises(CorpusError, match="unsupported"):
        list(iter_records(path))
    with pytest.raises(CorpusError, match="unsupported"):
        discover([path])
    with pytest.raises(CorpusError, match="no such file"):
        discover([tmp_path / "missing.jsonl"])


def test_discover_walks_folders_and_lists_what_it_skips(tmp_path):
    write(tmp_path, "a/corpus.jsonl", '{"doc_id": 1, "title": "t", "abstract": "a"}\n')
    write(tmp_path, "a/b/deep.ris", "TY  - JOUR\nTI  - x\nER  - \n")
    write(tmp_path, "a/README.md", "# hand-made")
    files, skipped = discover([tmp_path / "a"])
    assert sorted(p.name for p, _ in files) == ["corpus.jsonl", "deep.ris"]
    assert all(not explicit for _, explicit in files)
    assert [Path(p).name for p, _ in skipped] == ["README.md"]


# --- JSONL --------------------------------------------------------------------------------


def test_jsonl_string_and_sentence_list_abstracts(tmp_path):
    lines = [
        {"doc_id": 7, "title": " Plain  title ", "abstract": "One string abstract."},
        {"doc_id": "x8", "title": "Listed", "abstract": ["First sentence.", "Second one."],
         "pmid": 123, "doi": "https://doi.org/10.1/abc", "year": "2019", "journal": "J",
         "pub_types": ["Randomized Controlled Trial"], "structured": False},
    ]
    path = write(tmp_path, "c.jsonl", "\n".join(json.dumps(x) for x in lines) + "\n\n")
    first, second = iter_records(path)
    assert (first.id, first.title, first.sections, first.source) == (
        "doc:7", "Plain title", (("", "One string abstract."),), "local")
    assert first.pmid is None and first.year is None
    # one section per sentence: SciFact sentence i is sections[i]
    assert second.sections == (("", "First sentence."), ("", "Second one."))
    assert second.abstract.split("\n")[1] == "Second one."
    assert (second.id, second.pmid, second.doi, second.year, second.journal) == (
        "doc:x8", "123", "10.1/abc", 2019, "J")
    assert second.pub_types == ("Randomized Controlled Trial",)


def test_one_jsonl_reader_two_section_modes(tmp_path):
    """`factcheck index` keeps a section per sentence (rationale indices); `factcheck extract`
    groups sentences under SciFact's inline headings. Same reader, same Record otherwise."""
    line = {"doc_id": 9, "title": "T", "abstract": ["BACKGROUND Old idea.", "It matters.", "",
                                                      "RESULTS We found 3 cases."]}
    path = write(tmp_path, "c.jsonl", json.dumps(line) + "\n")
    (by_sentence,) = iter_jsonl(path)
    (by_heading,) = iter_jsonl(path, sections="headings")
    assert [text for _, text in by_sentence.sections] == [s.strip() for s in line["abstract"]]
    assert by_heading.sections == (("BACKGROUND", "BACKGROUND Old idea. It matters."),
                                   ("RESULTS", "RESULTS We found 3 cases."))
    assert (by_sentence.id, by_sentence.title) == (by_heading.id, by_heading.title) == ("doc:9", "T")
    with pytest.raises(ValueError):
        record_from_json(line, "c.jsonl:1", sections="paragraphs")


def test_read_jsonl_names_the_option_for_a_missing_file(tmp_path):
    with pytest.raises(CorpusError, match="--gold"):
        list(read_jsonl(tmp_path / "absent.jsonl", "--gold"))


def test_malformed_jsonl_names_the_line(tmp_path):
    path = write(tmp_path, "bad.jsonl",
                 '{"doc_id": 1, "title": "a", "abstract": "b"}\n\n{"doc_id": 2, "title": "a",\n')
    with pytest.raises(CorpusError) as err:
        list(iter_records(path))
    assert f"{path}:3:" in str(err.value)
    assert "line 3" in str(err.value)
    assert not isinstance(err.value.__cause__, CorpusError)  # the json error is only the cause


@pytest.mark.parametrize("line, what", [
    ('{"title": "no id", "abstract": "x"}', "missing doc_id"),
    ('[1, 2]', "expected a JSON object"),
    ('{"doc_id": 1, "title": "t", "abstract": 5}', "abstract must be"),
    ('{"doc_id": 1, "title": ["t"], "abstract": "a"}', "title must be"),
])
def test_jsonl_bad_records_name_the_line(tmp_path, line, what):
    path = write(tmp_path, "bad.jsonl", '{"doc_id": 0, "title": "ok", "abstract": "ok"}\n' + line + "\n")
    with pytest.raises(CorpusError, match=re.escape(f"{path}:2: {what}")) as err:
        list(iter_records(path))
    assert err.value.hint.startswith('line 2 needs {"doc_id"')  # the fix names the line too


def test_jsonl_claims_file_is_not_a_corpus(tmp_path):
    path = write(tmp_path, "claims.jsonl", '{"id": 0, "claim": "x", "evidence": {}}\n')
    with pytest.raises(NotACorpusFile, match="claims"):
        list(iter_records(path))


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_jsonl_not_utf8_names_its_own_line(tmp_path, suffix):
    # Far more good lines than a text stream reads ahead, so a chunked decoder would blame an
    # earlier line.
    good = '{"doc_id": %d, "title": "caf\u00e9", "abstract": "a"}\n'
    data = "".join(good % i for i in range(2000)).encode() + (good % 2000).encode("latin-1")
    path = tmp_path / f"latin.jsonl{suffix}"
    path.write_bytes(gzip.compress(data) if suffix else data)
    with pytest.raises(CorpusError, match=re.escape(f"{path}:2001: not UTF-8")):
        list(iter_records(path))


@pytest.mark.parametrize("folder, documented", [
    (("scifact", "corpus.jsonl"), 5183),
    (("healthver", "multivers_format", "corpus.jsonl"), 322),
    (("covidfact", "corpus.jsonl"), 409),
])
def test_real_jsonl_corpora_import(folder, documented):
    """Counts are the ones PROVENANCE.md documents; ids are unique doc ids."""
    path = shared_file(*folder)
    records = list(iter_records(path))
    assert len(records) == documented
    assert len({r.id for r in records}) == documented
    assert all(r.id.startswith("doc:") and r.source == "local" for r in records)
    assert all(r.title.strip() for r in records)
    assert all(r.abstract.strip() for r in records)
    raw_first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert len(records[0].sections) == len(raw_first["abstract"])


# --- PubMed XML -----------------------------------------------------------------------------


def test_handmade_pubmed_xml_and_gz(tmp_path):
    for path in (write(tmp_path, "h.xml", HANDMADE_XML), write(tmp_path, "h.xml.gz", gzip.compress(HANDMADE_XML))):
        records = list(iter_records(path))
        assert [r.id for r in records] == ["pmid:111", "pmid:222"]
        assert all(r.source == "local" for r in records)
        assert records[0].sections == (("RESULTS", "It worked in 10 of 20."),)


def test_truncated_xml_gz_is_a_corpus_error_naming_the_file(tmp_path):
    data = gzip.compress(HANDMADE_XML * 1)
    path = write(tmp_path, "cut.xml.gz", data[: len(data) // 2])
    with pytest.raises(CorpusError) as err:
        list(iter_records(path))
    assert str(path) in str(err.value)
    assert "truncated" in str(err.value)


@pytest.mark.parametrize("body", [b"<html><body>Error</body></html>", b"not xml at all", b"",
                                  HANDMADE_XML[:300]])
def test_broken_xml_is_a_corpus_error(tmp_path, body):
    path = write(tmp_path, "broken.xml", body)
    with pytest.raises(CorpusError, match=re.escape(str(path))):
        list(iter_records(path))


def test_real_pubmed_sample_imports():
    path = shared_file("pubmed-xml", "pubmedsample_2019.xml.gz")
    records = list(iter_records(path))
    assert len(records) == 176  # PROVENANCE.md: 176 PubmedArticle, all with a PMID
    assert all(r.pmid and r.pmid.isdigit() and r.id == f"pmid:{r.pmid}" for r in records)
    assert all(r.source == "local" for r in records)
    assert "15278624" in {r.pmid for r in records}  # the documented ketamine record


# --- PubMedQA -------------------------------------------------------------------------------


def test_pubmedqa_handmade(tmp_path):
    data = {"123": {"QUESTION": "Does X help?", "CONTEXTS": ["bg text", "res text"],
                    "LABELS": ["BACKGROUND", "RESULTS"], "MESHES": ["Humans"], "YEAR": "2006",
                    "LONG_ANSWER": "X helps.", "final_decision": "yes"}}
    (record,) = iter_records(write(tmp_path, "ori_pqal.json", json.dumps(data)))
    assert record.id == "pmid:123" and record.pmid == "123" and record.year == 2006
    assert record.title == "Does X help?"
    assert record.sections == (("BACKGROUND", "bg text"), ("RESULTS", "res text"), ("CONCLUSIONS", "X helps."))
    assert record.mesh == ("Humans",)


def test_json_that_is_not_pubmedqa(tmp_path):
    with pytest.raises(NotACorpusFile):
        list(iter_records(write(tmp_path, "map.json", '{"gztt520r": 0}')))
    with pytest.raises(CorpusError, match=r"bad\.json:2: not valid JSON"):
        list(iter_records(write(tmp_path, "bad.json", '{"1":\n {"QUESTION": ]}')))


def test_real_pubmedqa_imports():
    path = shared_file("pubmedqa", "ori_pqal.json")
    raw = json.loads(path.read_text(encoding="utf-8"))
    records = list(iter_records(path))
    assert len(records) == 1000  # PROVENANCE.md
    assert all(r.pmid and r.pmid.isdigit() for r in records)
    assert all(r.title for r in records)
    for record in records[:50]:
        item = raw[record.pmid]
        assert len(record.sections) == len(item["CONTEXTS"]) + 1
        assert record.sections[-1] == ("CONCLUSIONS", item["LONG_ANSWER"])


# --- evidence-inference .abst ---------------------------------------------------------------


def test_parse_abst_handmade():
    text = ("TITLE: \nA hand-made\ntitle\n\n\n\nABSTRACT.BACKGROUND::\nWhy.\n\n"
            "ABSTRACT.MATERIALS AND METHODS:.\nHow\nexactly.\n\nABSTRACT.\nNo label.\n")
    title, sections = parse_abst(text)
    assert title == "A hand-made title"
    assert sections == (("BACKGROUND", "Why."), ("MATERIALS AND METHODS", "How exactly."), ("", "No label."))


def test_abst_uses_the_pmcid_map_of_the_parent_folder(tmp_path):
    write(tmp_path, "ei/pmcid_pmid.tsv", "pmcid\tpmid\tyear\ttopic\nPMC1\t555\t2011\tx\n")
    mapped = write(tmp_path, "ei/abstracts/PMC1.abst", "TITLE.\nT\n\nABSTRACT.RESULTS.\nR\n")
    unmapped = write(tmp_path, "ei/abstracts/PMC2.abst", "TITLE.\nT2\n\nABSTRACT.RESULTS.\nR\n")
    (a,) = iter_records(mapped)
    (b,) = iter_records(unmapped)
    assert (a.id, a.pmid, a.year) == ("pmid:555", "555", 2011)
    assert (b.id, b.pmid) == ("pmc:PMC2", None)
    with pytest.raises(CorpusError, match="no TITLE or ABSTRACT"):
        list(iter_records(write(tmp_path, "x/PMC3.abst", "just text\n")))


def test_real_abst_files_import():
    folder = shared_file("ketamine-records", "evidence-inference", "abstracts")
    records = [r for p in sorted(folder.glob("*.abst")) for r in iter_records(p)]
    assert len(records) == 27  # PROVENANCE.md
    assert all(r.pmid and r.pmid.isdigit() for r in records)  # every PMCID is in pmcid_pmid.tsv
    assert all(r.title and r.sections for r in records)
    by_pmid = {r.pmid: r for r in records}
    assert "Ketamine" in by_pmid["26576166"].title  # PROVENANCE: PMC4644613 -> 26576166, ketamine + ECT
    assert sum("ketamine" in r.title.lower() for r in records) == 25  # PROVENANCE: title contains ketamine (25)


# --- CSV -------------------------------------------------------------------------------------


def test_asreview_csv_handmade(tmp_path):
    path = write(tmp_path, "Topic.subset.csv",
                 'record_id,pubmedID,title,authors,abstract,year\n'
                 '1,999,"A title, with comma",A B; C D,"An ""abstract"".",2001\n'
                 '2,,No pmid,,,\n')
    first, second = iter_records(path)
    assert (first.id, first.pmid, first.year, first.authors) == ("pmid:999", "999", 2001, ("A B", "C D"))
    assert first.title == "A title, with comma" and first.abstract == 'An "abstract".'
    assert (second.id, second.pmid, second.sections) == ("csv:Topic:2", None, ())


def test_csv_errors(tmp_path):
    with pytest.raises(NotACorpusFile, match="title and abstract"):
        list(iter_records(write(tmp_path, "prompts.csv", "PromptID,PMCID\n1,2\n")))
    bad = write(tmp_path, "bad.csv", 'title,abstract\n"ok","ok"\n"a","b",extra\n')
    with pytest.raises(CorpusError, match=re.escape(f"{bad}:3: row 2 has more cells")):
        list(iter_records(bad))


def test_real_cohen_csv_import():
    folder = shared_file("ketamine-records", "cohen2006")
    records = [r for p in sorted(folder.glob("*.subset.csv")) for r in iter_records(p)]
    assert all(r.pmid and r.pmid.isdigit() for r in records)
    assert len({r.pmid for r in records}) == 92  # PROVENANCE.md: 92 unique PMIDs
    assert all(r.title for r in records)
    assert all(1995 <= (r.year or 0) <= 2003 for r in records)  # PROVENANCE: 1995-2003


def test_real_bannach_brown_csv_import():
    path = shared_file("ketamine-records", "bannach-brown2019", "Bannach-Brown_2019.subset.csv")
    records = list(iter_records(path))
    assert len(records) == 35  # PROVENANCE.md
    assert all(r.pmid is None and r.id.startswith("csv:Bannach-Brown_2019:") for r in records)
    assert "csv:Bannach-Brown_2019:1498" in {r.id for r in records}  # documented record 1498
    assert all(r.title for r in records)


# --- RIS -------------------------------------------------------------------------------------

# Hand-made RIS in two dialects: Scopus-like (TI/AB/T2/PY, multi-line KW) and an
# EndNote-like one (T1/N2/JF/Y1 with "2004///", a one-space "TY -"), the last without ER.
HANDMADE_RIS = """\ufeffTY  - JOUR
AU  - Doe, J.
TI  - A Scopus style record
AB  - First line of the abstract
continues here.
KW  - one
two
T2  - Journal of Things
PY  - 2009
DO  - https://doi.org/10.1000/XYZ
AN  - 12345678
ID  - 7
ER  - 

TY - JOUR
T1  - An EndNote style record
N2  - Its abstract.
JF  - Other Journal
Y1  - 2004///
AN  - PSYCINFO-2004-001
"""


def test_ris_dialects_handmade(tmp_path):
    first, second = iter_records(write(tmp_path, "list.ris", HANDMADE_RIS))
    assert (first.id, first.pmid, first.doi, first.year, first.journal) == (
        "pmid:12345678", "12345678", "10.1000/XYZ", 2009, "Journal of Things")
    assert first.abstract == "First line of the abstract continues here."
    assert first.title == "A Scopus style record" and first.authors == ("Doe, J.",)
    assert (second.id, second.pmid, second.year, second.journal) == ("ris:list:2", None, 2004, "Other Journal")
    assert second.abstract == "Its abstract."


@pytest.mark.parametrize("text, line", [
    ("stray text\nTY  - JOUR\nER  - \n", 1),
    ("TY  - JOUR\nTI  - a\nTY  - JOUR\nER  - \n", 3),
    ("TY  - JOUR\nER  - \nAU  - orphan\n", 3),
])
def test_malformed_ris_names_the_line(tmp_path, text, line):
    path = write(tmp_path, "bad.ris", text)
    with pytest.raises(CorpusError, match=re.escape(f"{path}:{line}: malformed RIS")):
        list(iter_records(path))


@pytest.mark.parametrize("number, records, with_ab, with_an", [(1, 363, 196, 66), (2, 38, 26, 9), (3, 8, 8, None)])
def test_real_ris_files_import(number, records, with_ab, with_an):
    """Counts documented in PROVENANCE.md (records, records with AB, records with AN)."""
    path = shared_file("ketamine-records", "van-de-schoot2017-ptsd", f"schoot-lgmm-ptsd-included-{number}.ris")
    parsed = list(iter_records(path))
    assert len(parsed) == records
    assert sum(bool(r.abstract) for r in parsed) == with_ab
    if with_an is not None:
        assert sum(r.pmid is not None for r in parsed) == with_an
    assert all(r.title for r in parsed)
    # PROVENANCE: years 1981-2016 (one Scopus record says "PY  - 0000": no year)
    assert all(1981 <= r.year <= 2016 for r in parsed if r.year is not None)


# --- EBM-NLP tokens -------------------------------------------------------------------------


def test_detokenize_and_parse_tokens():
    assert detokenize("small - dose ketamine ( 5 mg ) , then .".split()) == "small-dose ketamine (5 mg), then."
    tokens = "A hand - made title . OBJECTIVE To test . It works . MATERIALS AND METHODS We did . PTSD was rare .".split()
    title, sections = parse_tokens(tokens)
    assert title == "A hand-made title"
    assert sections == (("OBJECTIVE", "To test. It works."), ("MATERIALS AND METHODS", "We did. PTSD was rare."))


def test_tokens_file_handmade_and_empty(tmp_path):
    (record,) = iter_records(write(tmp_path, "424242.tokens", "Title\nhere\n.\nUNLABELLED\nBody\n.\n"))
    assert (record.id, record.pmid, record.title, record.sections) == (
        "pmid:424242", "424242", "Title here", (("", "Body."),))
    with pytest.raises(CorpusError, match="no tokens"):
        list(iter_records(write(tmp_path, "1.tokens", "\n\n")))


def test_real_tokens_files_import():
    folder = shared_file("ketamine-records", "ebm-nlp-difficulty")
    records = {r.pmid: r for p in sorted(folder.glob("*.tokens")) for r in iter_records(p)}
    assert set(records) == {"10439763", "24564308", "21859193", "24554519"}  # PROVENANCE.md
    # PROVENANCE.md quotes this title
    assert records["10439763"].title == (
        "Preoperative small-dose ketamine has no preemptive analgesic effect in patients "
        "undergoing total mastectomy")
    assert all(r.abstract for r in records.values())


def test_abst_keeps_the_abstract_and_leaves_the_body_out():
    # hand-made, in the evidence-inference layout
    text = ("TITLE.\nA trial\n\nABSTRACT.RESULTS:.\nPain fell.\n\nABSTRACT.CONCLUSION:.\nIt works.\n\n"
            "BODY.INTRODUCTION.\nLong full text about sleep.\n\nBODY.DISCUSSION.\nMore text.\n")
    title, sections = parse_abst(text)
    assert title == "A trial"
    assert sections == (("RESULTS", "Pain fell."), ("CONCLUSION", "It works."))
