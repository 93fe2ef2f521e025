"""Pure checks of a claim's own specifics: cited studies, quotes, figures, integrity flags.

Finding a cited study or fetching a page is I/O and happens in `pipeline/sources/citations.py`; what
it did arrives here as one `Lookup` per citation. Everything here judges what was found:

citation   found (the record and why it matches) / near_miss (same journal or topic, another year
           or journal: the best candidates and what differs) / not_found (what was searched and
           what was found instead) / unchecked (a search failed and nothing matched: why).
quote      found / near_miss (a close passage) / not_found on the fetched page; unchecked with what
           was tried when no URL is given or the page could not be read.
number     match / differs (the nearest figures with their context and n) / absent, for the
           claim's `numbers` and the percentages and session counts in its quote.
integrity  retracted / expression_of_concern / erratum for cited or relevant records, with links
           to the notices (PubMed CommentsCorrections, Europe PMC, Crossref updated-by).
consistency impossible: a percentage of n participants that is k/n for no whole k (GRIM), in
           relevant abstracts; impossible / possible for the claim's percentages and the cited n.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from pipeline.designs import NONCLINICAL
from pipeline.rating.figures import (
    PERCENT,
    PERCENT_UNITS,
    ClaimFigure,
    as_figure,
    claim_figures,
    claimed_figures,
    count_figures,
    figures_in,
    fmt,
)
from pipeline.rating.source import RELEVANT, RETRACTION_NOTICES, Rated, is_retracted
from pipeline.rating.stance import split_sentences
from pipeline.rating.terms import content_tokens
from pipeline.text import counted, find_quote, journals_match
from pipeline.types import (
    Check, Citation, Claim, ClaimNumber, LandingPage, Lookup, Notice, Record, Sentence,
)

QUOTE_FOUND = 0.9  # share of the quote's words found in order
QUOTE_CLOSE = 0.6


def label(rated: Rated) -> str:
    return record_label(rated.record)


def record_label(r: Record) -> str:
    return f"PMID {r.pmid}" if r.pmid else (f"doi:{r.doi}" if r.doi else r.id)


def _describe(rated: Rated) -> str:
    r = rated.record
    journal = r.journal or r.journal_abbrev or "journal unknown"
    flag = " [RETRACTED]" if is_retracted(r) else ""
    return f'{label(rated)} "{r.title}" ({journal}, {r.year or "year unknown"}){flag}'


def _title_match(cite_title: str, record_title: str) -> bool:
    want = content_tokens(cite_title)
    have = set(content_tokens(record_title))
    return bool(want) and sum(1 for t in want if t in have) / len(want) >= 0.7


def cite_subject(cite: Citation) -> str:
    """What the one check of a citation is about (its Check.subject): the person quoted, the study
    named, or the outlet."""
    if cite.person:
        return cite.person
    if cite.journal or cite.doi or cite.pmid or cite.title:
        return looked_for(cite)
    if cite.outlet:
        return cite.outlet
    return f"{cite.year} study" if cite.year else "unnamed source"


def cited_by(check: Check, rated: Sequence[Rated]) -> list[Rated]:
    """The rated sources a found citation or quote check points to, by the links it carries."""
    if check.status != "found":
        return []
    links = {x.lower() for x in check.links}
    return [r for r in rated if (r.record.link or "").lower() in links
            or (r.record.doi and f"https://doi.org/{r.record.doi}".lower() in links)]


def looked_for(cite: Citation) -> str:
    """'2021 study in Journal of Traumatic Stress' (what the article names)."""
    parts = [str(cite.year)] if cite.year else []
    parts.append("study")
    if cite.journal:
        parts.append(f"in {cite.journal}")
    if cite.authors:
        parts.append("by " + ", ".join(cite.authors))
    if cite.title:
        parts.append(f'titled "{cite.title}"')
    if cite.doi:
        parts.append(f"doi {cite.doi}")
    if cite.pmid:
        parts.append(f"PMID {cite.pmid}")
    return " ".join(parts)


def _differences(cite: Citation, r: Rated) -> tuple[bool, bool, bool, str]:
    """(same journal, same year, on topic, 'published 2019, not 2021; in J Affect Disord')."""
    rec = r.record
    same_journal = not cite.journal or journals_match(cite.journal, rec.journal) or journals_match(
        cite.journal, rec.journal_abbrev)
    same_year = cite.year is None or rec.year == cite.year
    topical = r.assessment.relevance >= RELEVANT
    what = []
    if not same_year:
        what.append(f"published {rec.year or 'in an unknown year'}, not {cite.year}")
    if not same_journal:
        what.append(f"in {rec.journal or rec.journal_abbrev or 'another journal'}, not {cite.journal}")
    if not topical:
        what.append(f"about another topic (relevance {r.assessment.relevance:.2f})")
    what.extend(s for s in r.assessment.signals if s.startswith("population mismatch"))
    return same_journal, same_year, topical, "; ".join(what)


def _other_figures(r: Rated, claim: Claim | None) -> str:
    """'reports 67% vs 20% after 6 infusions, not 87%' when the claim's percentage is not there."""
    wanted = [n.value for n in claim.numbers if n.unit.strip().lower() in PERCENT_UNITS] if claim else []
    if not wanted:
        return ""
    figures = _percent_figures(r)
    if not figures or any(abs(v - w) <= 1.0 for v, _, _ in figures for w in wanted):
        return ""
    _, _, shown = min(figures, key=lambda f: min(abs(f[0] - w) for w in wanted))
    return f"reports {shown}, not {' or '.join(f'{fmt(w)}%' for w in wanted)}"


def _links(*records: Record) -> tuple[str, ...]:
    return tuple(dict.fromkeys(r.link for r in records if r.link))


def check_citation(cite: Citation, rated: Sequence[Rated], lookup: Lookup = Lookup(),
                   claim: Claim | None = None) -> Check:
    """Judge whether the cited study is among the records (the searches are in `lookup`)."""
    if not (cite.journal or cite.doi or cite.pmid or cite.title):
        return _named_source(cite, lookup)
    subject = cite_subject(cite)
    searched = lookup.searched + tuple(f"not searched: {s}" for s in lookup.skipped)
    by_id = [r for r in rated if (cite.pmid and r.record.pmid == cite.pmid) or (
        cite.doi and r.record.doi and r.record.doi.lower() == cite.doi.lower())]
    if by_id:
        return Check("citation", "found", f"found {_describe(by_id[0])} by identifier", subject,
                     searched, _links(by_id[0].record))
    page_check = _citation_from_page(cite, lookup.page, subject, searched)
    if page_check is not None:
        return page_check
    near: list[tuple[Rated, str]] = []
    # A retracted record is found only when no sound record matches: it is still the study cited.
    for r in sorted(rated, key=lambda x: (not is_retracted(x.record), x.assessment.relevance), reverse=True):
        same_journal, same_year, topical, differs = _differences(cite, r)
        titled = bool(cite.title) and _title_match(cite.title, r.record.title)
        why = ", ".join(w for w, ok in (("title", titled), (f"journal {cite.journal}", cite.journal and same_journal),
                                        (f"year {cite.year}", cite.year and same_year),
                                        ("topic", topical)) if ok)
        if (titled and same_year and same_journal) or (cite.journal and same_journal and same_year and topical):
            return Check("citation", "found", f"found {_describe(r)}: same {why}", subject,
                         searched, _links(r.record))
        # A near miss shares two of what the article named (journal, year) and the topic.
        shared = (bool(cite.journal) and same_journal, bool(cite.year) and same_year, topical)
        if titled or sum(shared) >= 2:
            near.append((r, "; ".join(x for x in (differs, _other_figures(r, claim)) if x) or "similar title"))
    if near:
        candidates = tuple(f"{_describe(r)}: {differs}" for r, differs in near[:3])
        detail = (f"no {subject} was found; nearest: " + "; ".join(candidates[:2]))
        return Check("citation", "near_miss", detail, subject, searched,
                     _links(*(r.record for r, _ in near[:3])), candidates)
    instead = _found_instead(cite, rated)
    if lookup.failures:
        return Check("citation", "unchecked",
                     f"could not finish looking for a {subject}: " + "; ".join(lookup.failures)
                     + (f"; the searches that ran found none ({len(rated)} records)" if rated else ""),
                     subject, searched + tuple(f"failed: {f}" for f in lookup.failures) + instead)
    where = "; ".join(lookup.summary or lookup.searched) or f"{counted(len(rated), 'record')} considered"
    detail = f"no {subject} was found. Searched: {where}."
    if lookup.skipped:
        detail += " Not searched: " + "; ".join(lookup.skipped) + "."
    if instead:
        detail += " Found instead: " + "; ".join(instead) + "."
    return Check("citation", "not_found", detail, subject, searched + instead)


def _found_instead(cite: Citation, rated: Sequence[Rated]) -> tuple[str, ...]:
    """What the searches did return: the journal's records (by year) and the topic's best records."""
    out = []
    if cite.journal:
        same = [r for r in rated if journals_match(cite.journal, r.record.journal)
                or journals_match(cite.journal, r.record.journal_abbrev)]
        if same:
            years = sorted({r.record.year for r in same if r.record.year})
            span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "years unknown")
            topical = sum(1 for r in same if r.assessment.relevance >= RELEVANT)
            out.append(f"{counted(len(same), 'record')} from {cite.journal} read ({span}), "
                       f"{topical or 'none'} on the claim's topic")
    on_topic = sorted((r for r in rated if r.assessment.relevance >= RELEVANT),
                      key=lambda r: r.assessment.relevance, reverse=True)[:3]
    if on_topic:
        out.append("on the claim's topic: " + "; ".join(_describe(r) for r in on_topic))
    return tuple(out)


def _citation_from_page(cite: Citation, page: LandingPage | None, subject: str,
                        searched: tuple[str, ...]) -> Check | None:
    """A cited URL that is a journal landing page: its citation_* meta tags name the work."""
    if page is None or not (page.doi or page.title):
        return None
    found_year = re.search(r"\b(1[89]|20)\d\d\b", page.date or "")  # "2019/04/22", "Apr 22, 2019"
    year = int(found_year.group()) if found_year else None
    same_doi = bool(cite.doi and page.doi and cite.doi.lower() == page.doi.lower())
    same_title = bool(cite.title and page.title and _title_match(cite.title, page.title))
    same_journal = bool(cite.journal and journals_match(cite.journal, page.journal))
    same_year = cite.year is not None and cite.year == year
    shown = f'the page {page.url} is "{page.title}" ({page.journal or "journal not stated"}, ' \
            f'{page.date or "date not stated"}{", doi " + page.doi if page.doi else ""})'
    evidence = searched + (f"citation_* meta tags of {page.url}",)
    links = tuple(x for x in (page.url, page.doi and f"https://doi.org/{page.doi}") if x)
    if same_doi or same_title or (same_journal and (same_year or cite.year is None)):
        return Check("citation", "found", f"found: {shown}", subject, evidence, links)
    if same_journal or same_year:
        return Check("citation", "near_miss", f"no {subject} at the cited URL; {shown}", subject, evidence,
                     links, (shown,))
    return None


def _named_source(cite: Citation, lookup: Lookup) -> Check:
    """A person or outlet without a study: only a quote on a fetched page can be checked."""
    who = cite_subject(cite)
    kind = "quote" if cite.person else "citation"
    if cite.url and lookup.failures:
        return Check(kind, "unchecked", f"{who}: the page {cite.url} could not be read ({'; '.join(lookup.failures)})",
                     who, lookup.searched, (cite.url,))
    tried = list(lookup.searched) + [f"not searched: {s}" for s in lookup.skipped]
    if not cite.person:
        named = "an organisation or outlet is named" if cite.outlet else "no journal, title or author is named"
        return Check(kind, "unchecked", f"{who}: {named}, with no study, DOI or URL to look up", who, tuple(tried))
    where = f" in {cite.outlet}" if cite.outlet else ""
    return Check(kind, "unchecked", f"{who}{where}: no URL was given, so the words could not be looked up "
                 "at the source; " + (("tried: " + "; ".join(tried)) if tried else "nothing else could be searched"),
                 who, tuple(tried))


def check_quote(claim: Claim, cite: Citation, lookup: Lookup, rated: Sequence[Rated]) -> Check:
    """The claim's quote on the cited page (fuzzy), or what was tried without a page."""
    who = cite_subject(cite)
    page = lookup.page
    if page is None:
        searched = lookup.searched
        best = max(((find_quote(claim.quote, r.record.abstract), r) for r in rated if r.record.abstract),
                   key=lambda x: x[0].score, default=None)
        if best is not None:
            match, r = best
            if match.score >= QUOTE_FOUND:
                return Check("quote", "found", f"{who}: the quote appears in {_describe(r)}: \"{match.passage}\"",
                             who, searched, _links(r.record))
            searched += (f"the quote's words in the {counted(len(rated), 'abstract')} found for this claim: "
                         f"best {match.score:.0%} in {label(r)}",)
        return _named_source(cite, Lookup(searched, lookup.failures, lookup.skipped))
    if not page.text:
        return Check("quote", "unchecked", f"{who}: the page {page.url} has no readable text "
                     "(a bot wall or a script-only page)", who, (f"fetched {page.url}",), (page.url,))
    match = find_quote(claim.quote, page.text)
    evidence = (f"fetched {page.url} ({len(page.text.split())} words)",
                f"best passage ({match.score:.0%} of the quote's words in order): \"{match.passage}\"")
    if match.score >= QUOTE_FOUND:
        return Check("quote", "found", f"{who}: the quote appears on {page.url}: \"{match.passage}\"", who,
                     evidence, (page.url,))
    if match.score >= QUOTE_CLOSE:
        return Check("quote", "near_miss", f"{who}: {page.url} has a similar but not identical passage "
                     f"({match.score:.0%} of the words): \"{match.passage}\"", who, evidence, (page.url,))
    return Check("quote", "not_found", f"{who}: the quote is not on {page.url} (best passage shares "
                 f"{match.score:.0%} of its words)", who, evidence, (page.url,))


# --- integrity -------------------------------------------------------------------------------

# Notice kinds (PubMed/Europe PMC RefTypes, Crossref updated-by types) by what they say of a work.
_INTEGRITY = {
    "retracted": RETRACTION_NOTICES,
    "expression_of_concern": ("ExpressionOfConcernIn", "expression_of_concern"),
    "erratum": ("ErratumIn", "CorrectedandRepublishedIn", "correction", "erratum", "corrigendum"),
}
_INTEGRITY_WORDS = {"retracted": "was retracted", "expression_of_concern": "has an expression of concern",
                    "erratum": "has a published correction"}


def integrity_flags(record: Record) -> dict[str, tuple[Notice, ...]]:
    """{'retracted': notices, ...}: what a record's notices and publication types say of it."""
    flags: dict[str, tuple[Notice, ...]] = {}
    for status, kinds in _INTEGRITY.items():
        notices = tuple(n for n in record.notices if n.kind in kinds)
        if notices or (status == "retracted" and record.retracted):
            flags[status] = notices
    return flags


def _notice_text(n: Notice) -> str:
    origin = {"retraction-watch": "Retraction Watch via Crossref", "publisher": "publisher via Crossref"}.get(
        n.origin, n.origin or "PubMed")
    ident = f"PMID {n.pmid}" if n.pmid else (f"doi:{n.doi}" if n.doi else "")
    return ", ".join(x for x in (n.kind, n.ref, ident, origin) if x)


def check_integrity(records: Sequence[Record], failures: Sequence[str] = ()) -> tuple[Check, ...]:
    """One check per flag of each record (retraction first); unchecked ones say why."""
    checks = []
    for rec in records:
        for status, notices in integrity_flags(rec).items():
            what = "; ".join(_notice_text(n) for n in notices) or "publication type Retracted Publication"
            tail = " It counts for nothing." if status == "retracted" else ""
            checks.append(Check("integrity", status, f"{record_label(rec)} \"{rec.title}\" "
                                f"{_INTEGRITY_WORDS[status]} ({what}).{tail}", record_label(rec),
                                tuple(_notice_text(n) for n in notices),
                                tuple(dict.fromkeys(x for x in (rec.link, *(n.link for n in notices)) if x))))
    checks.extend(Check("integrity", "unchecked", f"retraction status not checked: {f}", "", (f,)) for f in failures)
    return tuple(checks)


# --- numbers ---------------------------------------------------------------------------------

# Animal words in a claim: only then do animal or cell studies count for its figures.
_ANIMAL_CLAIM = re.compile(r"\b(?:animals?|mice|mouse|rats?|rodents?|primates?|in vitro|cells?)\b", re.IGNORECASE)


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


Figure = tuple[float, str, str]  # value, the sentence it is in, how the source words it ("6 infusions")


def _percent_figures(r: Rated) -> list[Figure]:
    figures: dict[tuple[float, str], None] = {}
    for e in r.finding.effects:
        if e.measure in ("percent", "percent_change") or e.unit == "%":
            figures.setdefault((e.value, _sentence_at(r, e.span, e.text)), None)
    for s in _sentences(r):
        for m in PERCENT.finditer(s.text):
            figures.setdefault((float(m.group(1).replace("\u00b7", ".")), s.text), None)
    return [(v, t, figures_in(t) or f"{fmt(v)}%") for v, t in figures]


def _figures_of(r: Rated, figure: ClaimFigure) -> list[Figure]:
    if figure.quantity == "percent":
        return _percent_figures(r)
    return [(v, s.text, shown) for s in _sentences(r) for v, shown in count_figures(s.text, figure)]


def about_animals(claim: Claim | None) -> bool:
    return bool(claim) and bool(_ANIMAL_CLAIM.search(" ".join((claim.text, *claim.population))))


def comparable(r: Rated, claim: Claim | None) -> bool:
    """A source whose figures may be set against the claim's: relevant, testing the claim (the
    relevance gate), and in humans unless the claim is about animals."""
    if not (r.relevant and r.assessment.tests_claim):
        return False
    nonhuman = (r.assessment.population == "animal" or r.finding.humans is False
                or r.finding.design in NONCLINICAL)
    return not nonhuman or about_animals(claim)


def _sure(disagreeing: int) -> str:
    """How sure a 'differs' is: several studies that test the claim all report another figure of
    the same quantity, or one does."""
    if disagreeing >= 2:
        return f"how sure: high ({disagreeing} studies that test the claim report other figures of this quantity, none the claim's)"
    return "how sure: medium (one study that tests the claim reports another figure of this quantity)"


def check_number(number: ClaimNumber | ClaimFigure, rated: Sequence[Rated], claim: Claim | None = None) -> Check:
    """Is the claim's figure among the figures of the same quantity in the sources that test the
    claim (percent within ±1 point; a range holds any value inside it)?"""
    figure = as_figure(number)
    relevant = [r for r in rated if comparable(r, claim)]
    claimed = figure.shown
    together = claimed_figures(claim) if claim is not None else ""
    context = together if figure.quantity == "percent" and together and claimed in together else claimed
    about = f" ({figure.about})" if figure.about else ""
    if figure.quantity == "time:year" and figure.low >= 1800:  # a publication year, not a duration
        hits = [r for r in relevant if r.record.year and figure.holds(r.record.year)]
        if hits:
            return Check("number", "match", f"claim {claimed}{about}: {label(hits[0])} was published "
                                            f"in {hits[0].record.year}", claimed, links=_links(hits[0].record))
        return Check("number", "absent", f"claim {claimed}{about}; no source that tests the claim was "
                                         "published then", claimed)
    figures = [(v, t, shown, r) for r in relevant for v, t, shown in _figures_of(r, figure)]
    tolerance = 1.0 if figure.quantity == "percent" else 0.0
    for value, text, shown, r in figures:
        if figure.holds(value, tolerance):
            return Check("number", "match",
                         f"claim {claimed}{about}; {label(r)} reports {shown if figure.quantity != 'percent' else fmt(value) + '%'}: "
                         f"{_quote(text)}", claimed, (f"{label(r)}: {_quote(text)}",), _links(r.record))
    if not figures:
        where = (f"no figure of the same quantity in the {counted(len(relevant), 'source')} that test the claim"
                 if relevant else "no source that tests the claim (in humans) was found to compare it with")
        return Check("number", "absent", f"claim {claimed}{about}; {where}", claimed)
    figures.sort(key=lambda f: figure.distance(f[0]))
    nearest: dict[tuple[str, str], tuple[str, Rated]] = {}  # one line per wording per source
    for _, text, shown, r in figures:
        if len(nearest) < 3:
            nearest.setdefault((shown, r.record.id), (text, r))
    listed = [f"{shown} ({label(r)}{', ' + r.n_label if r.finding.sample_size else ''})"
              for (shown, _), (_, r) in nearest.items()]
    evidence = tuple(f"{label(r)}: {_quote(text, 200)}" for text, r in nearest.values())
    sure = _sure(len({r.record.id for _, _, _, r in figures}))
    return Check("number", "differs", f"claim {context}{about}; sources: " + "; ".join(listed) + f"; {sure}",
                 claimed, evidence + (sure,), _links(*(r.record for _, r in nearest.values())), tuple(listed))


# --- consistency (GRIM) ----------------------------------------------------------------------

_K_OF_N = re.compile(r"\b(\d+)\s*(?:/|of|out of)\s*(\d+)\s*(?:[a-z]+\s*){0,2}\(\s*(\d+(?:\.\d+)?)\s*%", re.I)
# "90% (n = 18)" usually gives the count, not the group, so only "p% of N patients" is read as a group.
_P_OF_N = re.compile(r"\b(\d+(?:\.\d+)?)\s*%\s*of\s+(?:the\s+)?(\d+)\s+"
                     r"(?:participants|patients|subjects|people|individuals|adults|veterans)\b", re.I)


def grim_possible(percent: float, n: int, decimals: int = 0) -> bool:
    """Can `percent` (reported to `decimals` places) be k/n of a group of n for a whole k?"""
    if n <= 0 or not 0 <= percent <= 100:
        return False
    half = 0.5 * 10 ** -decimals + 1e-9
    k = percent * n / 100
    return any(abs(100 * c / n - percent) <= half for c in (math.floor(k), math.ceil(k)) if 0 <= c <= n)


def _decimals(raw: str) -> int:
    return len(raw.split(".", 1)[1]) if "." in raw else 0


def _grim_sentence(text: str) -> list[str]:
    """Impossible figures stated in one sentence: 'k/n (p%)', 'k of n (p%)', 'p% of N patients'."""
    problems = []
    for m in _K_OF_N.finditer(text):
        k, n, p = int(m.group(1)), int(m.group(2)), m.group(3)
        if 0 < k <= n and abs(100 * k / n - float(p)) > 0.5 * 10 ** -_decimals(p) + 1e-9:
            problems.append(f"{k}/{n} is {100 * k / n:.1f}%, not {p}%")
    for m in _P_OF_N.finditer(text):
        p, n = m.group(1), m.group(2)
        if not grim_possible(float(p), int(n), _decimals(p)):
            problems.append(f"{p}% of {n} is not a whole number of people")
    return problems


def check_consistency(claim: Claim, rated: Sequence[Rated], cited: Sequence[Rated] = ()) -> tuple[Check, ...]:
    """GRIM: impossible percentages in relevant abstracts, and the claim's own percentages against the
    cited study's n (reported either way, since it tells the reader the figure could be right)."""
    checks = []
    for r in rated:
        if r.assessment.relevance < RELEVANT:
            continue
        for s in _sentences(r):
            for problem in _grim_sentence(s.text):
                checks.append(Check("consistency", "impossible", f"{label(r)}: {problem}: {_quote(s.text)}",
                                    label(r), (_quote(s.text, 300),), _links(r.record)))
    for r in cited[:1]:
        n = r.finding.sample_size
        for number in claim.numbers:
            if n and number.unit.strip().lower() in PERCENT_UNITS:
                raw = fmt(number.value)
                ok = grim_possible(number.value, n, _decimals(raw))
                checks.append(Check("consistency", "possible" if ok else "impossible",
                                    f"claim {raw}% of the cited study's n={n}: "
                                    + ("a whole number of participants" if ok else "no whole number of participants "
                                       f"gives {raw}%"), f"{raw}%", (f"{label(r)}, n={n}",), _links(r.record)))
    return tuple(checks)


# --- all checks of a claim -------------------------------------------------------------------


def run_checks(claim: Claim, rated: Sequence[Rated], lookups: Sequence[Lookup] = (),
               integrity_failures: Sequence[str] = ()) -> tuple[Check, ...]:
    """Citation/quote checks (one per cite, in order), number checks, integrity and consistency."""
    lookups = list(lookups) + [Lookup()] * (len(claim.cites) - len(lookups))
    cite_checks = tuple(
        check_quote(claim, cite, lookup, rated) if cite.person else check_citation(cite, rated, lookup, claim)
        for cite, lookup in zip(claim.cites, lookups))
    found = {id(r) for c in cite_checks for r in cited_by(c, rated)}
    cited = [r for r in rated if id(r) in found]
    flagged = [r.record for r in rated if r in cited or r.assessment.relevance >= RELEVANT]
    return (cite_checks + tuple(check_number(f, rated, claim) for f in claim_figures(claim))
            + check_integrity(flagged, integrity_failures) + check_consistency(claim, rated, cited))
