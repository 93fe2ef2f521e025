"""Dataclasses to plain JSON-able values and back (for the JSON report and stored records)."""

from __future__ import annotations

import dataclasses
from typing import Any

from pipeline.types import Notice, Record


def to_jsonable(value: Any) -> Any:
    """Dataclasses become dicts, tuples become lists; everything else is returned as it is."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    return value


def record_from_dict(data: dict[str, Any]) -> Record:
    """The inverse of to_jsonable for a Record."""
    return Record(
        source=data["source"],
        id=data["id"],
        title=data.get("title") or "",
        sections=tuple((label, text) for label, text in data.get("sections") or ()),
        pmid=data.get("pmid"),
        doi=data.get("doi"),
        journal=data.get("journal"),
        journal_abbrev=data.get("journal_abbrev"),
        year=data.get("year"),
        pub_types=tuple(data.get("pub_types") or ()),
        mesh=tuple(data.get("mesh") or ()),
        retracted=bool(data.get("retracted")),
        notices=tuple(Notice(**n) for n in data.get("notices") or ()),
        url=data.get("url"),
        authors=tuple(data.get("authors") or ()),
    )
