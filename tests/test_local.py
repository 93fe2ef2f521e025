"""The offline FTS5 index: to_fts (pure), build_index (atomic, deduping), LocalIndex search.

The mini corpora are hand-made in this file; the last tests index the real data in ../shared/data.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
import time
from pathlib import Path

import pytest

from conftest import shared_file
from pipeline.errors import CorpusError, SourceError
from pipeline.sources import fts_query, local
from pipeline.sources.fts_query import render, to_fts
from pipeline.sources.local import LocalIndex, build_index
from pipeline.types import Query, QueryArm, Record

# Hand-made documents (not real abstracts).
MINI = [
    {"doc_id": 1, "title": "Ketamine for treatment-resistant depression: a randomized trial",
     "abstract": ["We randomized 40 adults.", "Depression scores fell."], "year": 2019,
     "pmid": 1001, "pub_types": ["Randomized Controlled Trial"], "mesh": ["Humans", "Ketamine"]},
    {"doc_id": 2, "title": "Anaesthesia outcomes in day surgery",
     "abstract": "Among many drugs, ketamine was once given; depression of breathing was rare.",
     "year": 2005, "pmid": 1002, "pub_types": ["Journal Article"], "mesh": ["Humans"]},
    {"doc_id": 3, "title": "Sleep in mice after ketamine", "abstract": "Mice slept; depression-like behaviour fell.",
     "year": 2015, "mesh": ["Animals", "Mice"]},
    {"doc_id": 4, "title": "Exercise and mood", "abstract": "Walking lifted mood in older adults."},
    {"doc_id": 5, "title": "Ketamine and depression without a year", "abstract": "No year, no MeSH."},
]

NASTY = [
    'say "hi', '"', '""', "NEAR(ketamine depression, 3)", "ketamine*", "*", "-", "- depression",
    "(ketamine", "ketamine)", ")(", "AND", "OR NOT", "title:ketamine", "{title}: x", "^ketamine",
    "ketamine + depression", "a'b", "\\", ":", "\x00", "émigré", "中文", "ketamine NOT", "NEAR", "col : umn",
]


def write_jsonl(path: Path, docs: list[dict]) -> Path:
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return path


@pytest.fixture
def mini_db(tmp_path) -> Path:
    db = tmp_path / "mini.db"
    build_index([write_jsonl(tmp_path / "mini.jsonl", MINI)], db)
    return db


def arms(*groups: tuple[str, ...]) -> tuple[QueryArm, ...]:
    return tuple(QueryArm(f"c{i}", free_text=g) for i, g in enumerate(groups))


# --- to_fts ---------------------------------------------------------------------------------


def test_to_fts_ands_arms_and_ors_phrases():
    query = Query("c1", arms=(
        QueryArm("intervention", mesh=("Ketamine",), free_text=("ketamine", "esketamine")),
        QueryArm("outcome", mesh=("Depressive Disorder, Treatment-Resistant",), free_text=("depression",)),
    ))
    expr, notes = to_fts(query)
    assert expr == (
        '{title abstract mesh} : ("ketamine" OR "esketamine" OR "Ketamine") AND '
        '{title abstract mesh} : ("depression" OR "Depressive Disorder, Treatment-Resistant" '
        'OR "Treatment-Resistant Depressive Disorder")'
    )
    assert notes == ()


def test_to_fts_filters_honoured_or_noted():
    query = Query("c1", arms=arms(("ketamine",)),
                  filters=("humans[mh]", "english[la]", "2015:2020[dp]", '"randomized controlled trial"[pt]'))
    fts = render(query)
    assert 'mesh : "humans"' in fts.match and 'pub_types : "randomized controlled trial"' in fts.match
    assert fts.years == (2015, 2020)
    assert "ignored english[la]: the local index has no [la] field" in fts.notes
    assert any(n.startswith("filter humans[mh]") for n in fts.notes)
    assert not any("english" in part for part in fts.match.split('"')[1::2])


def test_to_fts_raw_pubmed_syntax():
    raw = ('(ketamine[mh] OR ketamine[tiab] OR esketamin*) AND (treatment resistant depression[tiab] '
           'OR TRD[ti] OR "major depression"[ab]) AND humans[mh] AND Smith J[au] AND lancet[ta] '
           'AND ("2015/01/01"[dp] : "3000"[dp]) NOT review[pt]')
    fts = render(Query("c1", raw=raw, arms=arms(("ignored arm",)), filters=("english[la]",)))
    m = fts.match
    assert '{title abstract mesh} : "esketamin" *' in m
    assert '{title abstract} : "treatment resistant depression"' in m
    assert 'title : "TRD"' in m and 'abstract : "major depression"' in m
    assert 'journal : "lancet"' in m
    assert m.endswith('NOT (pub_types : "review")')
    assert "ignored arm" not in m and "english" not in m  # raw is the whole query, as for PubMed
    assert fts.years == (2015, 3000)
    assert any('"Smith J"[au]' in n and "ignored" in n for n in fts.notes)
    assert any("ketamine[mh] searched as MeSH" in n for n in fts.notes)


def test_to_fts_raw_date_inside_or_is_dropped_with_a_note():
    expr, notes = to_fts(Query("c", raw="ketamine NOT (review[pt] OR 2010[dp])"))
    assert expr == '({title abstract mesh} : "ketamine") NOT (pub_types : "review")'
    assert any("2010[dp]" in n for n in notes)


def test_to_fts_with_nothing_searchable():
    expr, notes = to_fts(Query("c", raw="english[la] AND )) NOT"))
    assert expr == ""
    assert "nothing searchable in the query" in notes
    assert to_fts(Query("c"))[0] == ""
    # filters alone are not a search (same rule as PubMed's render_query)
    assert to_fts(Query("c", filters=("humans[mh]",)))[0] == ""


@pytest.mark.parametrize("text", NASTY)
def test_user_text_never_breaks_fts(mini_db, text):
    with LocalIndex(mini_db) as index:
        for query in (Query("c", arms=arms((text,), ("ketamine",))), Query("c", raw=text),
                      Query("c", raw=f"ketamine AND ({text})"), Query("c", raw=f'"{text}"[tiab]')):
            result = index.search(query)  # must not raise
            assert result.count >= len(result.ids)


def test_quotes_in_user_text_are_escaped_not_dropped():
    expr, _ = to_fts(Query("c", arms=arms(('the "new" drug',))))
    assert expr == '{title abstract mesh} : ("the ""new"" drug")'


# --- search ---------------------------------------------------------------------------------


def test_title_match_outranks_passing_mention(mini_db):
    with LocalIndex(mini_db) as index:
        result = index.search(Query("c", arms=arms(("ketamine",), ("depression",))))
    assert result.source == "local" and result.term == '("ketamine"[tiab]) AND ("depression"[tiab])'  # PubMed syntax
    assert result.ids[0] in ("doc:1", "doc:5")  # ketamine and depression in the title
    assert result.ids.index("doc:2") > result.ids.index("doc:1")  # a passing mention ranks lower
    assert "doc:4" not in result.ids
    assert result.count == 4


def test_count_is_total_matches_not_the_limit(mini_db):
    with LocalIndex(mini_db) as index:
        result = index.search(Query("c", arms=arms(("ketamine",))), limit=2)
    assert len(result.ids) == 2 and result.count == 4


def test_porter_stemming_and_prefix(mini_db):
    with LocalIndex(mini_db) as index:
        assert "doc:1" in index.search(Query("c", arms=arms(("randomizing",)))).ids
        assert set(index.search(Query("c", raw="ketam*")).ids) == {"doc:1", "doc:2", "doc:3", "doc:5"}


def test_filters_use_stored_fields(mini_db):
    with LocalIndex(mini_db) as index:
        humans = index.search(Query("c", arms=arms(("ketamine",)), filters=("humans[mh]",)))
        # doc:3 has MeSH without Humans: dropped; doc:5 has no MeSH at all: kept
        assert set(humans.ids) == {"doc:1", "doc:2", "doc:5"}
        years = index.search(Query("c", raw="ketamine AND 2010:2020[dp]"))
        assert set(years.ids) == {"doc:1", "doc:3", "doc:5"}  # 2005 dropped, no-year kept
        rct = index.search(Query("c", arms=arms(("ketamine",)), filters=("randomized controlled trial[pt]",)))
        assert "doc:2" not in rct.ids and "doc:1" in rct.ids
        not_animals = index.search(Query("c", raw="ketamine NOT animals[mh]"))
        assert "doc:3" not in not_animals.ids and "doc:1" in not_animals.ids
        title_only = index.search(Query("c", raw="depression[ti]"))
        assert set(title_only.ids) == {"doc:1", "doc:5"}


def test_fts_error_becomes_source_error_with_the_query(mini_db, monkeypatch):
    monkeypatch.setattr(local, "render", lambda q: fts_query.FtsQuery('"unclosed'))
    with LocalIndex(mini_db) as index, pytest.raises(SourceError) as err:
        index.search(Query("c", arms=arms(("x",))))
    assert '"unclosed' in str(err.value)


def test_fetch_get_and_len(mini_db, tmp_path):
    with LocalIndex(mini_db) as index:
        assert len(index) == len(MINI)
        records = index.fetch(["doc:3", "doc:missing", "doc:1", "doc:3"])
        assert [r.id for r in records] == ["doc:3", "doc:1"]
        assert index.get("doc:nope") is None
        assert index.get_pmid("1002").id == "doc:2"
        assert index.meta["complete"] == "1"


def test_records_round_trip_through_the_index(mini_db, tmp_path):
    from pipeline.sources.importers import iter_records

    originals = list(iter_records(write_jsonl(tmp_path / "again.jsonl", MINI)))
    with LocalIndex(mini_db) as index:
        stored = index.fetch([r.id for r in originals])
    assert stored == originals
    assert isinstance(stored[0], Record) and stored[0].sections[1] == ("", "Depression scores fell.")


# --- build ----------------------------------------------------------------------------------


def test_duplicates_first_wins_and_borrows_a_missing_abstract(tmp_path):
    a = write_jsonl(tmp_path / "a.jsonl", [
        {"doc_id": "a1", "title": "First copy", "abstract": "kept", "pmid": 77},
        {"doc_id": "a2", "title": "No abstract here but a long enough title to match", "abstract": "",
         "doi": "10.1/DUP"},
        {"doc_id": "a3", "title": "Same DOI, different PMID", "abstract": "x", "pmid": 1, "doi": "10.9/c"},
    ])
    b = write_jsonl(tmp_path / "b.jsonl", [
        {"doc_id": "b1", "title": "Second copy", "abstract": "dropped", "pmid": "77"},
        {"doc_id": "b2", "title": "Other title", "abstract": "borrowed abstract", "doi": "10.1/dup"},
        {"doc_id": "b3", "title": "Cochrane update", "abstract": "y", "pmid": 2, "doi": "10.9/C"},
        {"doc_id": "a1", "title": "Same id again", "abstract": "z"},
        {"doc_id": "b4", "title": "", "abstract": ""},
    ])
    stats = build_index([a, b], tmp_path / "d.db")
    assert stats.duplicates == 3 and stats.records == 4
    assert ("doc:b4", "no title and no abstract") in stats.skipped
    with LocalIndex(tmp_path / "d.db") as index:
        assert index.get("doc:a1").abstract == "kept"
        assert index.get("doc:b1") is None
        merged = index.get("doc:a2")
        assert merged.title.startswith("No abstract here") and merged.abstract == "borrowed abstract"
        assert "doc:a2" in index.search(Query("c", arms=arms(("borrowed",)))).ids  # FTS row updated
        assert index.get("doc:b3") is not None  # two PMIDs never merge, even with one DOI


def test_failed_build_leaves_previous_db_intact_and_no_partial_file(tmp_path):
    db = tmp_path / "corpus.db"
    good = write_jsonl(tmp_path / "good.jsonl", MINI)
    build_index([good], db)
    before = db.read_bytes()
    xml = (b'<?xml version="1.0"?><PubmedArticleSet>' + b"".join(
        b"<PubmedArticle><MedlineCitation><PMID>%d</PMID><Article><ArticleTitle>Hand-made %d"
        b"</ArticleTitle></Article></MedlineCitation></PubmedArticle>" % (i, i) for i in range(1, 400))
           + b"</PubmedArticleSet>")
    data = gzip.compress(xml)
    truncated = tmp_path / "cut.xml.gz"
    truncated.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(CorpusError, match="cut.xml.gz"):
        build_index([good, truncated], db)
    assert db.read_bytes() == before
    with LocalIndex(db) as index:
        assert len(index) == len(MINI)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.db", "cut.xml.gz", "good.jsonl"]
    # and with no previous db, nothing that looks like a corpus is left behind
    fresh = tmp_path / "fresh.db"
    with pytest.raises(CorpusError):
        build_index([truncated], fresh)
    assert not fresh.exists()
    assert not any(p.name.endswith(".building") for p in tmp_path.iterdir())


def test_explicit_non_corpus_file_fails_but_folder_skips_it(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    write_jsonl(folder / "corpus.jsonl", MINI)
    claims = write_jsonl(folder / "claims.jsonl", [{"id": 1, "claim": "x", "evidence": {}}])
    stats = build_index([folder], tmp_path / "a.db")
    assert stats.records == len(MINI)
    assert any(path == str(claims) for path, _ in stats.skipped)
    with pytest.raises(CorpusError, match="claims"):
        build_index([claims], tmp_path / "b.db")


def test_build_with_nothing_to_index(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CorpusError, match="no records"):
        build_index([empty], tmp_path / "e.db")
    assert not (tmp_path / "e.db").exists()


def test_progress_is_reported(tmp_path):
    calls: list[tuple[str, int]] = []
    build_index([write_jsonl(tmp_path / "m.jsonl", MINI)], tmp_path / "p.db", progress=lambda f, n: calls.append((f, n)))
    assert calls[-1] == (str(tmp_path / "m.jsonl"), len(MINI))


@pytest.mark.parametrize("make, what", [
    (lambda p: None, "no such corpus database"),
    (lambda p: p.write_bytes(b"not sqlite at all, just some bytes" * 50), "not an SQLite database"),
    (lambda p: sqlite3.connect(p).execute("CREATE TABLE x(y)").connection.commit(), "not a factcheck corpus"),
])
def test_local_index_rejects_what_is_not_an_index(tmp_path, make, what):
    db = tmp_path / "x.db"
    make(db)
    with pytest.raises(CorpusError, match=what) as err:
        LocalIndex(db)
    assert "factcheck index" in str(err.value)


def test_local_index_rejects_an_unfinished_index(mini_db):
    conn = sqlite3.connect(mini_db)
    conn.execute("DELETE FROM meta WHERE key = 'complete'")
    conn.commit()
    conn.close()
    with pytest.raises(CorpusError, match="never finished"):
        LocalIndex(mini_db)


# --- the real corpus the offline end-to-end run uses ----------------------------------------


@pytest.fixture(scope="module")
def real_db(tmp_path_factory) -> tuple[Path, object, float]:
    paths = [
        shared_file("scifact", "corpus.jsonl"),
        shared_file("pubmed-xml", "pubmedsample_2019.xml.gz"),
        shared_file("pubmedqa", "ori_pqal.json"),
        shared_file("ketamine-records"),
    ]
    db = tmp_path_factory.mktemp("real") / "corpus.db"
    started = time.monotonic()
    stats = build_index(paths, db)
    return db, stats, time.monotonic() - started


def test_real_corpus_builds_and_finds_ketamine(real_db):
    db, stats, seconds = real_db
    print(f"\nindex build: {stats.records} records, {stats.duplicates} duplicates, "
          f"{seconds:.1f} s, {db.stat().st_size / 1e6:.1f} MB")
    with LocalIndex(db) as index:
        assert len(index) == stats.records
        # each source is there: SciFact 5,183 docs (doc ids never collide with pmid: ids)
        assert sum(n for f, n in stats.per_file if f.endswith("scifact/corpus.jsonl")) == 5183
        result = index.search(Query("c", arms=arms(("ketamine",))), limit=500)
        records = index.fetch(result.ids)
        assert records and result.count == len(result.ids)
        assert all("ketamin" in (r.title + r.abstract + " ".join(r.mesh)).lower() for r in records)
        found = {r.pmid for r in records} | {r.id for r in records}
        # documented ketamine records of each source (PROVENANCE.md files)
        for expected in ("26576166", "29099972", "15278624", "16498158", "10439763",
                         "csv:Bannach-Brown_2019:1498", "doc:27093166", "10027033"):
            assert expected in found
        top = index.fetch(result.ids[:10])
        assert all("ketamin" in r.title.lower() for r in top)  # title matches rank first


def test_real_corpus_keeps_one_copy_of_each_cohen_pmid(real_db):
    db, stats, _ = real_db
    with LocalIndex(db) as index:
        pmids = [row[0] for row in index._conn.execute("SELECT pmid FROM records WHERE pmid IS NOT NULL")]
    assert len(pmids) == len(set(pmids))
    assert stats.duplicates > 0  # cohen2006 topics overlap (PROVENANCE: 92 unique PMIDs in 101 rows)


def test_humans_filter_keeps_human_and_mixed_records_and_drops_animal_only(tmp_path):
    from pipeline.queries import HUMANS

    docs = [
        {"doc_id": 1, "title": "Ketamine in adults", "abstract": "x", "mesh": ["Humans", "Ketamine"]},
        {"doc_id": 2, "title": "Ketamine in adults and rats", "abstract": "x", "mesh": ["Humans", "Animals", "Rats"]},
        {"doc_id": 3, "title": "Ketamine in rats", "abstract": "x", "mesh": ["Animals", "Rats"]},
        {"doc_id": 4, "title": "Ketamine, not yet indexed", "abstract": "x"},
    ]
    db = tmp_path / "h.db"
    build_index([write_jsonl(tmp_path / "h.jsonl", docs)], db)
    query = Query(claim_id="c", arms=(QueryArm("intervention", free_text=("ketamine",)),), filters=(HUMANS,))
    with LocalIndex(db) as index:
        assert sorted(index.search(query).ids) == ["doc:1", "doc:2", "doc:4"]
