"""A Draft -> claims YAML text, with the score and signals of each claim in a comment.

Written by hand (not yaml.dump) so the comments sit next to their claims; every scalar goes
through json.dumps, whose output is a valid YAML double-quoted string or number.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from pipeline.draft.drafter import Draft, DraftClaim
from pipeline.types import Citation, ClaimNumber


def _s(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return json.dumps(value, ensure_ascii=False)


def _list(values: Iterable[str]) -> str:
    return "[" + ", ".join(_s(v) for v in values) + "]"


def _number(n: ClaimNumber) -> str:
    parts = [f"value: {_s(n.value)}"]
    if n.unit:
        parts.append(f"unit: {_s(n.unit)}")
    if n.about:
        parts.append(f"about: {_s(n.about)}")
    return "{" + ", ".join(parts) + "}"


def _cite(c: Citation) -> str:
    fields = (("journal", c.journal), ("year", c.year), ("person", c.person), ("outlet", c.outlet))
    return "{" + ", ".join(f"{k}: {_s(v)}" for k, v in fields if v is not None) + "}"


def _claim(claim: DraftClaim, candidates: int) -> list[str]:
    w = claim.worthiness
    lines = [
        f"  # score {w.score:g} (rank {claim.rank} of {candidates}): {', '.join(w.signals)}",
        f"  - id: {claim.id}",
        f"    quote: {_s(claim.quote)}",
        f"    claim: {_s(claim.claim)}",
        f"    kind: {claim.kind}",
    ]
    for concept in ("population", "intervention", "comparator", "outcome"):
        values = getattr(claim.pico, concept)
        if values:
            lines.append(f"    {concept}: {_list(values)}")
    for key, items, render in (("numbers", claim.numbers, _number), ("cites", claim.cites, _cite)):
        if items:
            lines.append(f"    {key}:")
            lines.extend(f"      - {render(item)}" for item in items)
    return lines


def render(draft: Draft, source: str, file: str | None, url: str | None, today: str) -> str:
    """The draft as claims YAML; `file` is the text copy quotes are checked against (or None)."""
    lines = [
        f"# Draft claims for {_s(draft.title)}, by `factcheck draft` from {source} on {today}.",
        f"# {len(draft.claims)} of {draft.candidates} sentences scored as check-worthy. Review every claim:",
        "# keep, reword or delete it, check the PICO guesses, add mesh/queries; then set 'checked:'.",
        "article:",
        f"  title: {_s(draft.title)}",
    ]
    if url:
        lines.append(f"  url: {_s(url)}")
    if file:
        lines.append(f"  file: {_s(file)}")
    lines.append("claims:")
    for claim in draft.claims:
        lines.extend(_claim(claim, draft.candidates))
        lines.append("")
    if draft.near_misses:
        lines.append("# Not drafted (best scores below the threshold):")
        lines.extend(f"#   {score:g}: {text[:110]}" for score, text in draft.near_misses)
    return "\n".join(lines).rstrip() + "\n"
