"""Report file names that never collide silently, and the --out folder checked before a run.

A report is named after its article's title (`ketamine-good.json`). Two articles whose titles
slug alike ("Ketamine: Good?", "Ketamine -- good!") or to nothing at all (a Japanese title, a
title of punctuation) would overwrite each other's reports, so the second one gets a short hash
of its title and claims file after the slug. The same article always maps to the same name:
its existing report (plain or hashed) is found again and replaced.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from pipeline.errors import InputError
from pipeline.text import slugify
from pipeline.types import ClaimsFile

EMPTY_SLUG = slugify("")  # what a title without a single ASCII letter or digit slugs to


def _identity(claims_file: ClaimsFile) -> tuple[str, str]:
    """What makes a report the same article's: its title and its claims file (absolute)."""
    return claims_file.article.title, os.path.abspath(claims_file.path)


def _owner(report: Path) -> tuple[str, str] | None:
    """The (title, claims file) a JSON report in the folder was written for; None if unreadable."""
    try:
        article = json.loads(report.read_text(encoding="utf-8")).get("article") or {}
        return str(article.get("title")), os.path.abspath(str(article.get("claims_file")))
    except (OSError, UnicodeDecodeError, ValueError, AttributeError, TypeError):
        return None


def report_name(claims_file: ClaimsFile, out_dir: Path) -> str:
    """The stem of this article's report files in out_dir (without `.partial`)."""
    slug = claims_file.article.slug
    title, claims_path = _identity(claims_file)
    digest = hashlib.sha256(f"{title}\n{claims_path}".encode()).hexdigest()[:8]
    hashed = f"{slug}-{digest}"
    if slug == EMPTY_SLUG or any((out_dir / f"{hashed}{kind}.json").exists() for kind in ("", ".partial")):
        return hashed
    for kind in ("", ".partial"):
        existing = out_dir / f"{slug}{kind}.json"
        if existing.exists() and _owner(existing) != (title, claims_path):
            return hashed  # another article's report has the plain name
    return slug


def check_out_dir(out_dir: Path) -> None:
    """Refuse, before any work, a --out that is a file or a dangling link, or cannot be written."""
    if out_dir.is_symlink() and not out_dir.exists():
        raise InputError(f"--out {out_dir}: a link to {os.readlink(out_dir)}, which does not exist",
                         "remove the link, or give a folder with --out")
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"--out {out_dir}: is a file, not a folder", "give a folder for the reports with --out")
    parent = out_dir if out_dir.exists() else next((p for p in out_dir.parents if p.exists()), Path("."))
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"--out {out_dir}: {parent} cannot be written to", "give a folder you can write to with --out")
