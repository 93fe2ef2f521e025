"""PubMed search syntax (pure): a Query as the term an editor would paste into PubMed. The PubMed
client sends it; the local index shows it (and renders its own FTS5 in `fts_query.py`)."""

from __future__ import annotations

import re

from pipeline.text import normalize_space
from pipeline.types import Query, QueryArm

_UNSAFE_CHARS = re.compile(r'["\[\](){}\x00-\x1f]')


def _clean_phrase(text: str) -> str:
    """A phrase safe inside "..."[tag]: quotes, brackets and parentheses would end it early."""
    return normalize_space(_UNSAFE_CHARS.sub(" ", text))


def render_arm(arm: QueryArm) -> str:
    """One concept as `("Heading"[mh] OR "phrase"[tiab] ...)`; "" when it has no usable term."""
    terms = [f'"{h}"[mh]' for h in map(_clean_phrase, arm.mesh) if h]
    terms += [f'"{p}"[tiab]' for p in map(_clean_phrase, arm.free_text) if p]
    terms = list(dict.fromkeys(terms))
    return f"({' OR '.join(terms)})" if terms else ""


def render_query(query: Query) -> str:
    """The PubMed term for a Query: the editor's raw override, else arms ANDed, then filters.

    Returns "" when no arm has a term: filters alone (e.g. humans[mh]) are not a search.
    """
    if query.raw and query.raw.strip():
        return query.raw.strip()
    # The comparator ranks results (local search); PubMed would filter on it, so it is left out.
    arms = [rendered for rendered in map(render_arm, (a for a in query.arms if a.concept != "comparator")) if rendered]
    if not arms:
        return ""
    term = " AND ".join(arms)
    for text in (f.strip() for f in query.filters if f and f.strip()):
        # PubMed's NOT is binary ("A NOT B"); "A AND NOT B" would search the word "not".
        if text.upper().startswith("NOT "):
            term = f"({term}) {text}"
        else:
            term = f"{term} AND {text}"
    return term
