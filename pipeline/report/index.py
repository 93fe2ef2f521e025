"""reports/index.html: every report in a folder, with its verdict summary.

Built from the `.json` reports themselves (the single view of each run), so the index never
disagrees with the reports it lists. Files that are not reports of this program are skipped.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from pipeline.report.writer import NOT_CHECKED, environment, write_atomic
from pipeline.types import VERDICTS

INDEX = "index.html"


def index_entry(path: Path) -> dict[str, Any] | None:
    """The index row of one `.json` report, or None when the file is not a report."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("article"), dict) \
            or not isinstance(data.get("claims"), list):
        return None
    claims = [c for c in data["claims"] if isinstance(c, dict)]
    summary = data.get("summary") if isinstance(data.get("summary"), dict) else {}
    counts = summary.get("counts") or Counter(c.get("verdict") or NOT_CHECKED for c in claims)
    html = path.with_suffix(".html")
    return {
        "title": data["article"].get("title") or path.stem,
        "url": data["article"].get("url"),
        "checked": data["article"].get("checked"),
        "generated": data.get("generated"),
        "source": data.get("source"),
        "html": html.name if html.exists() else None,
        "markdown": path.with_suffix(".md").name if path.with_suffix(".md").exists() else None,
        "json": path.name,
        "partial": path.stem.endswith(".partial"),
        "total": len(claims),
        "counts": {v: int(counts.get(v, 0)) for v in (*VERDICTS, NOT_CHECKED) if counts.get(v)},
        "overall": summary.get("overall") or "",
        "flagged": sum(1 for c in claims if c.get("flags")),
    }


def index_entries(out_dir: Path) -> list[dict[str, Any]]:
    """Every report in out_dir, newest first (then by title)."""
    entries = [e for p in sorted(Path(out_dir).glob("*.json")) if (e := index_entry(p))]
    entries.sort(key=lambda e: e["title"].lower())
    entries.sort(key=lambda e: e["generated"] or "", reverse=True)
    return entries


def render_index(entries: list[dict[str, Any]]) -> str:
    return environment("html").get_template("index.html.j2").render(entries=entries)


def write_index(out_dir: Path) -> Path:
    """(Re)write out_dir/index.html atomically from the reports now in out_dir."""
    return write_atomic(Path(out_dir), {INDEX: render_index(index_entries(out_dir))})[0]
