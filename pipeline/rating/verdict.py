"""Pure verdict: weigh the rated sources and checks into one verdict with plain reasons."""

from __future__ import annotations

import math
from collections.abc import Sequence

from pipeline.rating.checks import label, run_checks
from pipeline.rating.source import NONCLINICAL, Rated, design_name, rate_source
from pipeline.rating.stance import OVERSTATED
from pipeline.types import Assessment, Check, Citation, Claim, Finding, Record, SearchResult, Verdict

SOURCE_KINDS = {"citation", "statistic", "quote"}
LIGHT_KINDS = {"background", "mechanism"}
ADEQUATE_RCT_N = 50
CREDIBLE = {"meta_analysis", "systematic_review", "rct", "nonrandomized_trial", "cohort", "case_control"}
# Opposing weight of at least this share of the other side makes the evidence mixed.
SIMILAR = 0.5
_DESIGN_ORDER = ("meta_analysis", "systematic_review", "rct", "nonrandomized_trial", "cohort",
                 "case_control", "cross_sectional", "case_series", "case_report",
                 "genetic_association", "modeling", "narrative_review", "other", "animal", "in_vitro")


def adequate(group: Sequence[Rated]) -> bool:
    """A meta-analysis/systematic review, an RCT with n >= 50, or two RCTs (human work only)."""
    human = [r for r in group if r.clinical]
    if any(r.design in ("meta_analysis", "systematic_review") for r in human):
        return True
    rcts = [r for r in human if r.design == "rct"]
    return len(rcts) >= 2 or any((r.finding.sample_size or 0) >= ADEQUATE_RCT_N for r in rcts)


def credible(group: Sequence[Rated]) -> bool:
    return any(r.design in CREDIBLE for r in group if r.clinical)


def describe(group: Sequence[Rated]) -> str:
    """'2 randomised trials (n=60, n=42) and 1 animal study'."""
    by_design: dict[str, list[Rated]] = {}
    for r in group:
        by_design.setdefault(r.design, []).append(r)
    parts = []
    for design in sorted(by_design, key=lambda d: _DESIGN_ORDER.index(d) if d in _DESIGN_ORDER else 99):
        items = by_design[design]
        sizes = [r.n_label for r in items if r.n_label != "n unknown"]
        ns = sorted(r.finding.sample_size for r in items if r.finding.sample_size)
        if len(sizes) > 4 and len(ns) == len(sizes):  # a long list says less than its range
            sizes = [f"n={ns[0]}" if ns[0] == ns[-1] else f"n={ns[0]}–{ns[-1]}"]
        size_text = f" ({', '.join(sizes)})" if sizes else ""
        parts.append(f"{len(items)} {design_name(design, len(items))}{size_text}")
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _weight(group: Sequence[Rated]) -> float:
    return sum(r.assessment.weight for r in group if r.clinical)


def _verb(group: Sequence[Rated], singular: str, plural: str) -> str:
    return singular if len(group) == 1 else plural


def search_summary(rated: Sequence[Rated], searches: Sequence[SearchResult]) -> str:
    relevant = sum(1 for r in rated if r.relevant)
    considered = f"{len(rated)} record{'s' if len(rated) != 1 else ''} considered, {relevant} relevant to the claim"
    if not searches:
        return f"Searched: {considered}."
    shown = [f"{s.source} '{s.term[:80]}{'…' if len(s.term) > 80 else ''}' → {s.count} hits"
             for s in searches[:3]]
    more = f" and {len(searches) - 3} more" if len(searches) > 3 else ""
    n = len(searches)
    return (f"Searched {n} quer{'y' if n == 1 else 'ies'} ({'; '.join(shown)}{more}); {considered}.")


def _citation_sentence(cite: Citation, check: Check, considered: int) -> str:
    """'The cited 2021 Journal of Traumatic Stress study could not be located ...'."""
    if check.status == "unchecked":
        who = " ".join(x for x in (cite.person, cite.outlet and f"({cite.outlet})") if x)
        what = "quote attributed to " + who if cite.person else f"source {who or 'named'}"
        return f"The {what} could not be checked: {check.detail.split(': ', 1)[-1]}."
    what = " ".join(x for x in (str(cite.year) if cite.year else "", cite.journal or "", "study") if x)
    if cite.title:
        what += f' "{cite.title}"'
    if check.status == "near_miss":
        nearest = check.detail.split("nearest: ", 1)[-1]
        return f"The cited {what} could not be located; the nearest record was {nearest}."
    return (f"The cited {what} could not be located among the {considered} "
            f"record{'s' if considered != 1 else ''} considered.")


def _number_sentences(checks: Sequence[Check]) -> list[str]:
    out = []
    for c in checks:
        if c.kind != "number":
            continue
        if c.status == "match":
            out.append(f"The claim's figure is reported by a source ({c.detail}).")
        elif c.status == "differs":
            out.append(f"The claim's figure differs from what the sources report ({c.detail}).")
        else:
            out.append(f"The claim's figure was not found in the sources ({c.detail}).")
    return out


def _confidence(weight: float, agreement: float, base: float, span: float) -> float:
    return round(max(0.0, min(1.0, base + span * (1 - math.exp(-weight)) * agreement)), 2)


def decide(claim: Claim, rated: Sequence[Rated], checks: Sequence[Check],
           searches: Sequence[SearchResult]) -> tuple[Verdict, float, list[str]]:
    """The verdict, its confidence and the reasons, by the rules in the package docstring."""
    relevant = [r for r in rated if r.relevant]
    sup = [r for r in relevant if r.assessment.stance == "supports"]
    con = [r for r in relevant if r.assessment.stance == "contradicts"]
    sup_h = [r for r in sup if r.clinical]
    con_h = [r for r in con if r.clinical]
    sup_w, con_w = _weight(sup), _weight(con)
    total = sup_w + con_w
    agreement = abs(sup_w - con_w) / total if total else 0.0
    searched = search_summary(rated, searches)
    retracted = [r for r in rated if r.record.retracted]
    tail = [searched]
    if retracted:
        tail.insert(0, f"{len(retracted)} retracted source{'s were' if len(retracted) > 1 else ' was'} "
                       f"set aside ({', '.join(label(r) for r in retracted)}); retracted work counts for nothing.")
    numbers = [c for c in checks if c.kind == "number"]
    number_text = _number_sentences(numbers)
    differs = any(c.status == "differs" for c in numbers)
    considered = max(1, len(rated))

    # 1. Claims that rest on a named source, quote or figure stand or fall with it.
    cite_checks = [c for c in checks if c.kind in ("citation", "quote")]
    rests = claim.kind in SOURCE_KINDS or bool(claim.cites and claim.numbers)
    found = [c for c in cite_checks if c.status == "found"]
    if rests and cite_checks and not found:
        reasons = [_citation_sentence(cite, c, len(rated)) for cite, c in zip(claim.cites, cite_checks)
                   if c.status != "found"] + number_text + tail
        conf = _confidence(considered / 5, 1.0, 0.3, 0.4)
        return "unverifiable", conf, reasons
    if claim.kind == "statistic" and not cite_checks and numbers and all(
            c.status == "absent" for c in numbers):
        return "unverifiable", _confidence(considered / 5, 1.0, 0.3, 0.4), number_text + tail
    if rests and found:
        cited = [r for r in rated if any(label(r) in c.detail for c in found)]
        stance = cited[0].assessment.stance if cited else "neutral"
        head = f"The cited study was found ({found[0].detail.removeprefix('found ')})."
        if stance == "contradicts":
            return "contradicted", 0.6, [head, "Its results go against the claim."] + number_text + tail
        if stance == "supports" and not differs:
            return "supported", 0.7, [head, "Its results support the claim."] + number_text + tail
        if stance == "supports":
            return "partly_supported", 0.6, [head, "Its results support the claim, but the claim "
                                                   "overstates or misstates its figures."] + number_text + tail
        return "not_supported", 0.5, [head, "Its results do not bear out the claim as stated."] + number_text + tail

    # 2. The weight of the evidence.
    sup_text = describe(sup)
    con_text = describe(con)
    if adequate(sup) and adequate(con):
        reasons = [f"Credible evidence points both ways: {sup_text} "
                   f"{_verb(sup, 'supports', 'support')} the claim, while {con_text} "
                   f"{_verb(con, 'contradicts', 'contradict')} it."]
        return "mixed", _confidence(total, 1.0, 0.3, 0.4), reasons + number_text + tail
    if adequate(sup):
        if credible(con) and con_w >= SIMILAR * sup_w:
            reasons = [f"{sup_text} {_verb(sup, 'supports', 'support')} the claim, but {con_text} of "
                       f"similar weight {_verb(con, 'contradicts', 'contradict')} it."]
            return "mixed", _confidence(total, 1.0, 0.3, 0.4), reasons + number_text + tail
        against = (f"{con_text} {_verb(con, 'points', 'point')} the other way but "
                   f"{_verb(con, 'carries', 'carry')} less weight."
                   if con else "no source of similar weight contradicts it.")
        head = f"{sup_text} {_verb(sup, 'supports', 'support')} the claim; {against}"
        strong = [r for r in sup_h if adequate([r]) or r.design == "rct"]
        narrower = strong and all(r.population_mismatch for r in strong)
        overstated = [sig for r in strong for sig in r.assessment.signals if sig.startswith(OVERSTATED)]
        if narrower or differs or (strong and len(overstated) == len(strong)):
            why = []
            if narrower:
                why.append("the supporting studies were done in another population than the claim names")
            if overstated:
                why.append("the claim states a stronger effect than the studies report "
                           f"({overstated[0].split(': ', 1)[1]})")
            if differs:
                why.append("the claim's figures differ from what the sources report")
            reasons = [head, "It is only partly supported because " + " and ".join(why) + "."]
            return "partly_supported", _confidence(total, agreement, 0.35, 0.45), reasons + number_text + tail
        return "supported", _confidence(total, agreement, 0.4, 0.55), [head] + number_text + tail
    if adequate(con):
        if credible(sup) and sup_w >= SIMILAR * con_w:
            reasons = [f"{con_text} {_verb(con, 'contradicts', 'contradict')} the claim, but {sup_text} of "
                       f"similar weight {_verb(sup, 'supports', 'support')} it."]
            return "mixed", _confidence(total, 1.0, 0.3, 0.4), reasons + number_text + tail
        against = (f"{sup_text} {_verb(sup, 'supports', 'support')} it but {_verb(sup, 'carries', 'carry')} less weight."
                   if sup else "no source of similar weight supports it.")
        head = f"{con_text} {_verb(con, 'contradicts', 'contradict')} the claim; {against}"
        return "contradicted", _confidence(total, agreement, 0.4, 0.55), [head] + number_text + tail
    if credible(sup) and credible(con):
        reasons = [f"Smaller studies point both ways: {sup_text} {_verb(sup, 'supports', 'support')} "
                   f"the claim and {con_text} {_verb(con, 'contradicts', 'contradict')} it; none is "
                   "large enough to settle it."]
        return "mixed", _confidence(total, 1.0, 0.2, 0.3), reasons + number_text + tail
    if credible(sup):
        reasons = [f"Only {sup_text} {_verb(sup, 'supports', 'support')} the claim; that is weaker "
                   "evidence than a meta-analysis or a randomised trial of fair size."]
        if con:
            reasons.append(f"{con_text} {_verb(con, 'points', 'point')} the other way.")
        return "partly_supported", _confidence(total, agreement, 0.25, 0.35), reasons + number_text + tail
    if credible(con):
        reasons = [f"No adequate evidence supports the claim: {con_text} "
                   f"{_verb(con, 'finds', 'find')} against it, though not conclusively."]
        if sup:
            reasons.append(f"Only {sup_text} {_verb(sup, 'supports', 'support')} it.")
        return "not_supported", _confidence(total, agreement, 0.3, 0.35), reasons + number_text + tail
    if sup and claim.kind in LIGHT_KINDS:
        reasons = [f"Only {sup_text} {_verb(sup, 'supports', 'support')} this {claim.kind} claim; "
                   "narrative reviews and animal or laboratory work can make it plausible but not establish it, "
                   "so it is partly supported at best."]
        return "partly_supported", _confidence(total + 0.3, 1.0, 0.2, 0.3), reasons + number_text + tail
    if sup:
        nonclinical = [r for r in sup if r.design in NONCLINICAL]
        reasons = [f"No adequate evidence supports the claim: only {sup_text} "
                   f"{_verb(sup, 'supports', 'support')} it."]
        if nonclinical:
            reasons.append(f"{describe(nonclinical)} cannot establish a clinical claim "
                           "(animal or laboratory work).")
        return "not_supported", _confidence(total + 0.3, 1.0, 0.3, 0.3), reasons + number_text + tail
    if relevant:
        reasons = [f"{len(relevant)} relevant source{'s' if len(relevant) != 1 else ''} "
                   f"{'was' if len(relevant) == 1 else 'were'} found, but none reports results "
                   "for or against the claim as stated."]
    else:
        reasons = ["No source found speaks to the claim: none of the records considered is about "
                   "its intervention and outcome."]
    conf = round(min(0.6, 0.2 + 0.4 * (1 - math.exp(-considered / 10))), 2)
    return "not_supported", conf, reasons + number_text + tail


def assess(claim: Claim, evidence: Sequence[tuple[Record, Finding]],
           searches: Sequence[SearchResult] = ()) -> Assessment:
    """Rate one claim against its candidate sources; pure, no I/O."""
    rated = [rate_source(claim, record, finding) for record, finding in evidence]
    rated.sort(key=lambda r: (r.assessment.weight, r.assessment.relevance), reverse=True)
    checks = run_checks(claim, rated)
    verdict, confidence, reasons = decide(claim, rated, checks, searches)
    return Assessment(claim.id, verdict, confidence, tuple(reasons),
                      tuple(r.assessment for r in rated), checks, tuple(searches))

