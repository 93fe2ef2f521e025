"""Pure checks of a claim's own specifics against the sources: cited studies and figures."""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline.rating.source import RELEVANT, Rated
from pipeline.rating.stance import split_sentences
from pipeline.rating.terms import content_tokens, stem
from pipeline.types import Check, Citation, Claim, ClaimNumber, Sentence

_JOURNAL_STOP = {"the", "of", "and", "for", "in", "on", "de", "la", "&"}
UNCHECKED_QUOTE = "quote checking against the outlet is not implemented; no URL given"


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


def label(rated: Rated) -> str:
    r = rated.record
    return f"PMID {r.pmid}" if r.pmid else r.id


def _describe(rated: Rated) -> str:
    r = rated.record
    journal = r.journal or r.journal_abbrev or "journal unknown"
    return f'{label(rated)} "{r.title}" ({journal}, {r.year or "year unknown"})'


def _title_match(cite_title: str, record_title: str) -> bool:
    want = content_tokens(cite_title)
    have = set(content_tokens(record_title))
    return bool(want) and sum(1 for t in want if t in have) / len(want) >= 0.7


def _looked_for(cite: Citation) -> str:
    parts = []
    if cite.year:
        parts.append(str(cite.year))
    parts.append("study")
    if cite.journal:
        parts.append(f"in {cite.journal}")
    if cite.title:
        parts.append(f'titled "{cite.title}"')
    if cite.doi:
        parts.append(f"doi {cite.doi}")
    if cite.pmid:
        parts.append(f"PMID {cite.pmid}")
    return " ".join(parts)


def check_citation(cite: Citation, rated: Sequence[Rated]) -> Check:
    """Look among the evidence records for the cited study (the search itself is done in sources/)."""
    if not (cite.journal or cite.doi or cite.pmid or cite.title):
        who = cite.person or cite.outlet or "the named source"
        detail = UNCHECKED_QUOTE if not cite.url else (
            f"quote checking against the outlet is not implemented; URL {cite.url} was not fetched")
        return Check("quote" if cite.person else "citation", "unchecked", f"{who}: {detail}")
    for r in rated:
        rec = r.record
        if (cite.pmid and rec.pmid == cite.pmid) or (
                cite.doi and rec.doi and rec.doi.lower() == cite.doi.lower()):
            return Check("citation", "found", f"found {_describe(r)} by identifier")
    near: list[str] = []
    for r in sorted(rated, key=lambda x: x.assessment.relevance, reverse=True):
        rec = r.record
        same_journal = bool(cite.journal) and (journals_match(cite.journal, rec.journal)
                                              or journals_match(cite.journal, rec.journal_abbrev))
        same_year = cite.year is not None and rec.year == cite.year
        topical = r.assessment.relevance >= RELEVANT and not rec.retracted
        titled = bool(cite.title) and _title_match(cite.title, rec.title)
        year_ok = same_year or cite.year is None
        journal_ok = same_journal or not cite.journal
        if titled and year_ok and journal_ok:
            return Check("citation", "found", f"found {_describe(r)}: title matches")
        if same_journal and year_ok and topical:
            return Check("citation", "found", f"found {_describe(r)}")
        if same_journal and topical:
            near.append(f"{_describe(r)}: same journal and topic, but published {rec.year}, "
                        f"not {cite.year}")
        elif same_journal and same_year:
            near.append(f"{_describe(r)}: same journal and year, but about another topic")
        elif topical and same_year and cite.journal:
            near.append(f"{_describe(r)}: same topic and year, but in "
                        f"{rec.journal or rec.journal_abbrev or 'another journal'}")
        elif titled:
            near.append(f"{_describe(r)}: similar title, but journal or year differ")
    if near:
        return Check("citation", "near_miss",
                     f"looked for a {_looked_for(cite)}; nearest: " + "; ".join(near[:2]))
    return Check("citation", "not_found",
                 f"looked for a {_looked_for(cite)} on this topic among {len(rated)} "
                 f"record{'s' if len(rated) != 1 else ''}; none matched")


# --- numbers -------------------------------------------------------------------------------

_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split())}
_PERCENT = re.compile(r"(\d+(?:[.\u00b7]\d+)?)\s*(?:%|percent\b|per cent\b)", re.IGNORECASE)
_NUMBER = re.compile(r"\b(\d+(?:\.\d+)?|" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)
_PERCENT_UNITS = {"%", "percent", "per cent", "pct", "percentage"}


def _fmt(value: float) -> str:
    return f"{value:g}"


def _quote(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return f'"{text[: limit - 1]}…"' if len(text) > limit else f'"{text}"'


def _sentences(r: Rated) -> tuple[Sentence, ...]:
    return r.finding.sentences or split_sentences(r.record)


def _sentence_at(r: Rated, span: tuple[int, int], text: str) -> str:
    for s in _sentences(r):
        if (span != (0, 0) and s.start <= span[0] < s.end) or (text and text in s.text):
            return s.text
    return text


def _percent_figures(r: Rated) -> list[tuple[float, str]]:
    figures: dict[tuple[float, str], None] = {}
    for e in r.finding.effects:
        if e.measure in ("percent", "percent_change") or e.unit == "%":
            figures.setdefault((e.value, _sentence_at(r, e.span, e.text)), None)
    for s in _sentences(r):
        for m in _PERCENT.finditer(s.text):
            value = float(m.group(1).replace("\u00b7", "."))
            if not any(v == value and s.text == t for v, t in figures):
                figures.setdefault((value, s.text), None)
    return list(figures)


def _count_figures(r: Rated, unit_words: tuple[str, ...]) -> list[tuple[float, str]]:
    """Numbers followed within three words by the unit ('three sessions', '42 patients')."""
    out: list[tuple[float, str]] = []
    for s in _sentences(r):
        for m in _NUMBER.finditer(s.text):
            after = re.findall(r"[a-z]+", s.text[m.end():m.end() + 40].lower())[:3]
            if unit_words and not any(stem(w) in unit_words for w in after):
                continue
            raw = m.group(1).lower()
            value = float(_NUMBER_WORDS[raw]) if raw in _NUMBER_WORDS else float(raw)
            out.append((value, s.text))
    return out


def check_number(number: ClaimNumber, rated: Sequence[Rated]) -> Check:
    """Is the claim's figure among the relevant sources' figures? (percent within ±1 point)."""
    relevant = [r for r in rated if r.relevant]
    unit = number.unit.strip().lower()
    is_percent = unit in _PERCENT_UNITS
    claimed = f"{_fmt(number.value)}{'%' if is_percent else ' ' + number.unit if unit else ''}"
    about = f" ({number.about})" if number.about else ""
    if unit in ("year", "years") and number.value >= 1800:
        hits = [r for r in relevant if r.record.year == int(number.value)]
        if hits:
            return Check("number", "match", f"claim {claimed}{about}: {label(hits[0])} was published "
                                            f"in {hits[0].record.year}")
        years = sorted({r.record.year for r in relevant if r.record.year})
        return Check("number", "differs" if years else "absent",
                     f"claim {claimed}{about}; relevant sources are from "
                     f"{', '.join(map(str, years)) or 'no known year'}")
    figures: list[tuple[float, str, Rated]] = []
    for r in relevant:
        if is_percent:
            found = _percent_figures(r)
        else:
            words = tuple(stem(w) for w in re.findall(r"[a-z]+", f"{unit} {number.about}".lower())
                          if w not in ("of", "the", "a", "in"))
            found = _count_figures(r, words) if words else []
        figures.extend((v, t, r) for v, t in found)
    tolerance = 1.0 if is_percent else 0.0
    for value, text, r in figures:
        if abs(value - number.value) <= tolerance + 1e-9:
            shown = f"{_fmt(value)}%" if is_percent else f"{_fmt(value)} {number.unit}".strip()
            return Check("number", "match",
                         f"claim {claimed}{about}; {label(r)} reports {shown}: {_quote(text)}")
    if not figures:
        where = f"{len(relevant)} relevant source{'s' if len(relevant) != 1 else ''}"
        return Check("number", "absent", f"claim {claimed}{about}; no comparable figure in {where}")
    figures.sort(key=lambda f: abs(f[0] - number.value))
    shown = []
    for value, text, r in figures[:3]:
        n = f", {r.n_label}" if r.finding.sample_size else ""
        fig = f"{_fmt(value)}%" if is_percent else f"{_fmt(value)} {number.unit}".strip()
        shown.append(f"{fig} ({label(r)}{n}): {_quote(text, 120)}")
    return Check("number", "differs", f"claim {claimed}{about}; sources: " + "; ".join(shown))


def run_checks(claim: Claim, rated: Sequence[Rated]) -> tuple[Check, ...]:
    return tuple(check_citation(c, rated) for c in claim.cites) + tuple(
        check_number(n, rated) for n in claim.numbers)
