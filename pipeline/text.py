"""Small pure text helpers shared by several stages."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_len: int = 60) -> str:
    """A file-name-safe slug: ascii lowercase words joined by '-' (never empty, never a path)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NON_WORD.sub("-", ascii_text.lower()).strip("-")
    if len(slug) > max_len:  # cut at a word boundary so the name stays readable
        cut = slug[: max_len + 1]
        slug = cut[: cut.rfind("-")] if "-" in cut else slug[:max_len]
    return slug or "article"


def normalize_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def normalize_quotes(text: str) -> str:
    """Curly quotes, dashes and apostrophes to ascii, so a quote check is not fooled by typography."""
    table = {
        "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
        "\u2013": "-", "\u2014": "-", "\u00a0": " ",
    }
    return "".join(table.get(ch, ch) for ch in text)
