"""Counts with their nouns, one way for the whole report: '1 hit', '49 hits', '1 query'."""

from __future__ import annotations

_PLURALS = {"query": "queries", "study": "studies", "quantity": "quantities", "analysis": "analyses"}


def counted(n: int, one: str, many: str | None = None) -> str:
    """'1 hit', '49 hits', '1 query', '3 queries': every count the report prints goes through here,
    so no '1 sessions' slips through."""
    return f"{n} {one if n == 1 else many or _PLURALS.get(one, one + 's')}"
