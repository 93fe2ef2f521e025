"""Local search's second look: a query's phrases checked on each record it found. Pure.

FTS5's porter stemmer merges concepts ("fasting" and "fast food" both index as "fast"), so the
records an FTS5 match returns are read again with `pipeline.phrases`, whose morphology keeps them
apart; every searched arm must stand in the record as a phrase. The comparator ranks: records
naming it come first, none is left out for lacking it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from pipeline.phrases import mesh_as_text, phrase_in, phrase_words, text_positions
from pipeline.serialize import record_from_dict
from pipeline.types import Query, QueryArm

# How many of the best BM25 matches are read again.
PHRASE_SCAN = 2000


def arm_holds(arm: QueryArm, doc: dict[str, tuple[int, ...]]) -> bool:
    """Some phrase or MeSH heading of the arm stands in the record as a phrase (an arm of only
    generic words constrains nothing)."""
    terms = [t for t in (*arm.free_text, *arm.mesh, *map(mesh_as_text, arm.mesh)) if phrase_words(t)]
    return not terms or any(phrase_in(t, doc) for t in terms)


def phrases_checked(query: Query, rows: Sequence[tuple[str, str]], count: int,
                    notes: tuple[str, ...]) -> tuple[list[str], int, tuple[str, ...]]:
    """Ids (BM25 order, records naming the comparator first) of the records in which every
    searched arm stands as a phrase; their number; notes on what was left out."""
    searched = [a for a in query.arms if a.concept != "comparator"]
    comparator = [a for a in query.arms if a.concept == "comparator"]
    kept: list[tuple[bool, str]] = []
    for record_id, data in rows:
        record = record_from_dict(json.loads(data))
        doc = text_positions("\n".join([record.title, record.abstract, " ; ".join(record.mesh)]))
        if all(arm_holds(a, doc) for a in searched):
            kept.append((not any(arm_holds(a, doc) for a in comparator) if comparator else False, record_id))
    kept.sort(key=lambda pair: pair[0])  # stable: BM25 order within each group
    dropped = len(rows) - len(kept)
    extra = []
    if dropped:
        extra.append(f"{dropped} records left out: a searched phrase is in them only as scattered or "
                     "differently formed words (e.g. 'fast food' for 'fasting')")
    if count > len(rows):
        extra.append(f"phrases checked on the best {len(rows)} of {count} matches")
    if comparator:
        extra.append("records naming the comparator ranked first")
    total = len(kept) if count <= len(rows) else count - dropped
    return [record_id for _, record_id in kept], total, tuple(notes) + tuple(extra)
