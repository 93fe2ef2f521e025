"""The sources a run searches: PubMed (network, through the cache) or a local corpus.

`Source` is what `run` and the citation look-up need of one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from pipeline.cache import Cache
from pipeline.config import Settings
from pipeline.types import Query, Record, SearchResult


class Source(Protocol):
    """Search by Query, fetch records by the ids search returned, and say what was searched."""

    name: str
    searched: str  # for the report's header: "PubMed", "a local corpus of 6,876 records"
    failure: str | None  # why the network was given up on during the run, if it was
    # What the citation checks may share for Crossref and Europe PMC; None for a local corpus.
    settings: Settings | None
    cache: Cache | None

    def search(self, query: Query) -> SearchResult: ...

    def fetch(self, ids: Sequence[str]) -> dict[str, Record]: ...
