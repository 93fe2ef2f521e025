"""Which records of a corpus build are the same paper, and how two copies become one.

`factcheck index` keeps the first copy of a paper; a later copy only lends its abstract (and
fields the first lacks) when the first has none. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from pipeline.types import Record


def _title_key(record: Record) -> str | None:
    """A long title + year identifies a paper exported twice without PMID or DOI (RIS lists)."""
    title = re.sub(r"[^a-z0-9]+", " ", record.title.lower()).strip()
    return f"{title}|{record.year}" if len(title) >= 40 else None


@dataclass
class Seen:
    """Dedupe keys of the records kept so far, each mapped to (row n, has PMID, has abstract).

    Same id or same PMID is the same record. DOI or long title + year only join records when
    one of them has no PMID: two PubMed records never merge (Cochrane updates share a DOI).
    """

    keys: dict[str, tuple[int, bool, bool]] = field(default_factory=dict)

    @staticmethod
    def _keys(record: Record) -> tuple[list[str], list[str]]:
        strong = [f"id:{record.id}"] + ([f"pmid:{record.pmid}"] if record.pmid else [])
        weak = [f"doi:{record.doi.lower()}"] if record.doi else []
        weak += [f"title:{k}"] if (k := _title_key(record)) else []
        return strong, weak

    def match(self, record: Record) -> tuple[int, bool, bool] | None:
        strong, weak = self._keys(record)
        for key in strong:
            if key in self.keys:
                return self.keys[key]
        for key in weak:
            hit = self.keys.get(key)
            if hit and not (hit[1] and record.pmid):
                return hit
        return None

    def add(self, record: Record, n: int, merged: bool = False) -> None:
        """Remember the keys of the record now in row n (again, merged=True, after a merge)."""
        strong, weak = self._keys(record)
        value = (n, bool(record.pmid), bool(record.abstract.strip()))
        old = [k for k, v in self.keys.items() if v[0] == n] if merged else []  # rare: O(n) ok
        for key in old + strong + weak:
            self.keys[key] = value


def merge(first: Record, later: Record) -> Record:
    """The first record with the later copy's abstract and any field the first lacks."""
    return replace(
        first,
        sections=later.sections,
        pmid=first.pmid or later.pmid,
        doi=first.doi or later.doi,
        journal=first.journal or later.journal,
        year=first.year or later.year,
        pub_types=first.pub_types or later.pub_types,
        mesh=first.mesh or later.mesh,
        authors=first.authors or later.authors,
    )
