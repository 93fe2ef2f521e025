"""Small pure text helpers shared by several stages: slugs, spacing, counts with their nouns, a
quote found in a page, journal names."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

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


_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


@dataclass(frozen=True)
class QuoteMatch:
    score: float  # 0..1: share of the quote's words found in order in the best passage
    passage: str  # the best passage of the text, as written there


def _words(text: str) -> list[tuple[str, int, int]]:
    text = normalize_quotes(text).lower()
    return [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]


def find_quote(quote: str, text: str) -> QuoteMatch:
    """The passage of `text` closest to `quote` (words in order, typography ignored).

    A sliding window the quote's length is ranked by shared words (linear time), then the best
    few windows are compared in order with difflib, so a long page stays cheap.
    """
    want = [w for w, _, _ in _words(quote)]
    have = _words(text)
    if not want or not have:
        return QuoteMatch(0.0, "")
    size = len(want)
    wanted = set(want)
    hits = [1 if w in wanted else 0 for w, _, _ in have]
    running = sum(hits[:size])
    scores = [running]
    for i in range(size, len(have)):
        running += hits[i] - hits[i - size]
        scores.append(running)
    starts = sorted(range(len(scores)), key=lambda i: scores[i], reverse=True)[:5]
    best = QuoteMatch(0.0, "")
    for start in starts:
        window = have[start:start + size]
        matcher = SequenceMatcher(None, want, [w for w, _, _ in window], autojunk=False)
        score = sum(b.size for b in matcher.get_matching_blocks()) / size
        if score > best.score:
            best = QuoteMatch(round(score, 2), text[window[0][1]:window[-1][2]])
    return best


_JOURNAL_STOP = {"the", "of", "and", "for", "in", "on", "de", "la", "&"}


def journal_words(name: str) -> tuple[str, ...]:
    clean = re.sub(r"[^a-z0-9 ]+", " ", name.lower().replace("&", " and "))
    return tuple(w for w in clean.split() if w not in _JOURNAL_STOP)


def journals_match(a: str | None, b: str | None) -> bool:
    """Same journal, written in full or as an ISO abbreviation ('J Trauma Stress')."""
    if not a or not b:
        return False
    wa, wb = journal_words(a), journal_words(b)
    if not wa or len(wa) != len(wb):
        return False
    return all(x.startswith(y) or y.startswith(x) for x, y in zip(wa, wb))


# Counts with their nouns, one way for every message and report: '1 hit', '49 hits', '1 query'.
_PLURALS = {"query": "queries", "study": "studies", "quantity": "quantities", "analysis": "analyses"}


def counted(n: int, one: str, many: str | None = None) -> str:
    """'1 hit', '1,204 hits', '3 queries': every count goes through here, so no '1 sessions' slips through."""
    return f"{n:,} {one if n == 1 else many or _PLURALS.get(one, one + 's')}"
