"""Pure verdict: weigh the rated sources and checks into one verdict with plain reasons."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from pipeline.rating.checks import cite_subject, cited_by, integrity_flags, label, run_checks
from pipeline.designs import DESIGNS, NONCLINICAL
from pipeline.rating.source import Rated, design_name, is_retracted, rate_source
from pipeline.rating.stance import OVERSTATED
from pipeline.text import counted
from pipeline.types import Assessment, Check, Citation, Claim, Finding, Record, SearchResult, Verdict

Decision = tuple[Verdict, float, list[str]]  # the verdict, its confidence and the reasons
SOURCE_KINDS = {"citation", "statistic", "quote"}
LIGHT_KINDS = {"background", "mechanism"}
ADEQUATE_RCT_N = 50
CREDIBLE = {"meta_analysis", "systematic_review", "rct", "nonrandomized_trial", "cohort", "case_control"}
# Opposing weight of at least this share of the other side makes the evidence mixed.
SIMILAR = 0.5
# "High" confidence (writer.confidence_label) needs an adequate study that tests the claim directly.
HIGH = 0.75
BELOW_HIGH = 0.7
# No study that tests the claim: how sure we are that the sources searched hold none. It does not
# grow with the number of records that came back and do not test the claim.
UNVERIFIABLE_CONFIDENCE = 0.5
SOURCE_NAMES = {"pubmed": "PubMed", "local": "the local corpus", "europepmc": "Europe PMC"}
_DESIGN_ORDER = tuple(DESIGNS)  # the evidence hierarchy, strongest first


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
    considered = f"{counted(len(rated), 'record')} considered, {relevant} {'tests' if relevant == 1 else 'test'} the claim"
    if not searches:
        return f"Searched: {considered}."
    # The queries themselves are listed once, whole, with the claim's searches; here only counts.
    unique = {(s.source, s.term): s.count for s in searches}  # a relaxed query can repeat an earlier one
    n, hits = len(unique), sum(unique.values())
    return (f"Searched {counted(n, 'query')} ({counted(hits, 'hit')} in all); "
            f"{considered}.")


def searched_what(searches: Sequence[SearchResult]) -> str:
    """'PubMed', 'the local corpus' (or both), for a sentence."""
    names = [SOURCE_NAMES.get(s.source, s.source) for s in searches]
    return " and ".join(dict.fromkeys(names)) or "no source"


def _gate_reason_counts(rated: Sequence[Rated]) -> str:
    """'none of 20 records studies ashwagandha'; '12 do not study X, 8 do not report on Y'."""
    failed = [r for r in rated if not r.assessment.tests_claim]
    counts = Counter(r.assessment.gate_reason or "does not test the claim" for r in failed)
    if len(counts) == 1 and len(failed) == len(rated):
        reason = next(iter(counts))
        verb, _, rest = reason.removeprefix("does not ").partition(" ")
        verb_s = verb[:-1] + "ies" if verb.endswith("y") else verb + "s"
        n = len(failed)
        return f"{'it does not' if n == 1 else f'none of the {n} records'} {verb if n == 1 else verb_s} {rest}".strip()
    parts = [f"{n} {reason if n == 1 else reason.replace('does not', 'do not', 1)}" for reason, n in counts.most_common()]
    return ", ".join(parts)


def no_study_sentence(rated: Sequence[Rated], searches: Sequence[SearchResult]) -> str:
    """Why a claim is unverifiable for want of evidence: what was searched, what came back, why none tests it."""
    where = f"{counted(len(searches), 'search', 'searches')} of {searched_what(searches)}"
    if not rated:
        return f"No study that tests the claim was found: {where} returned no records."
    return (f"No study that tests the claim was found: {where} returned {counted(len(rated), 'record')}, "
            f"and {_gate_reason_counts(rated)}.")


def pair_cites(claim: Claim, checks: Sequence[Check]) -> tuple[tuple[Citation, Check], ...]:
    """Each cite with its one citation or quote check, in order: matched by Check.subject, or by
    position among checks without a subject. Anything but one check per cite is a caller's bug."""
    pool = [c for c in checks if c.kind in ("citation", "quote")]
    pairs = []
    for cite in claim.cites:
        want = cite_subject(cite)
        check = next((c for c in pool if c.subject == want), None) or next((c for c in pool if not c.subject), None)
        if check is None:
            raise ValueError(f"claim {claim.id}: no citation or quote check for '{want}'")
        pool.remove(check)
        pairs.append((cite, check))
    if pool:
        raise ValueError(f"claim {claim.id}: citation or quote checks for no cite: "
                         + "; ".join(c.subject or c.detail for c in pool))
    return tuple(pairs)


def _cited_what(cite: Citation, check: Check) -> str:
    """'quote attributed to Dr. X (Psychology Today)', 'cited 2021 study in Journal of ...'."""
    if check.kind == "quote":
        return f"quote attributed to {check.subject}" + (f" ({cite.outlet})" if cite.outlet else "")
    if cite.journal or cite.doi or cite.pmid or cite.title:
        return f"cited {check.subject}"
    return f"named source {check.subject}" if cite.outlet else f"{check.subject} the article names"


def _citation_sentence(cite: Citation, check: Check) -> str:
    """Why a cited source does not count: what was searched and not found, or why it could not be
    checked (a service failed, nothing to look up)."""
    # A detail opens with its subject: "no X was found. Searched: ...", "Dr. X in Y: ...",
    # "could not finish looking for a X: ..."; the sentence names the subject once.
    rest = check.detail.removeprefix(f"no {check.subject} was found")
    if rest == check.detail:
        before, sep, after = check.detail.partition(": ")
        rest = ": " + (after if sep and check.subject and check.subject in before else check.detail)
    if check.status == "unchecked":
        sentence = f"The {_cited_what(cite, check)} could not be checked{rest}"
    else:
        sentence = f"The claim rests on the {_cited_what(cite, check)}, which could not be located{rest}"
    return sentence if sentence.endswith(".") else sentence + "."


def _impossible_figures(checks: Sequence[Check]) -> list[Check]:
    """Failed consistency (GRIM) checks of the claim's own figures (their subject is a number check's)."""
    claimed = {c.subject for c in checks if c.kind == "number"}
    return [c for c in checks if c.kind == "consistency" and c.status == "impossible" and c.subject in claimed]


def _figure_problems(checks: Sequence[Check]) -> list[str]:
    """The claim's own figures that are off: they differ from the sources, or the consistency
    (GRIM) check finds them impossible; each counts against the claim as stated."""
    out = [f"the claim's {c.subject} differs from the sources' {'; '.join(c.candidates[:2])}" if c.candidates
           else f"the claim's {c.subject} differs from what the sources report ({c.detail})"
           for c in checks if c.kind == "number" and c.status == "differs"]
    return out + [f"the claim's {c.subject} is impossible by the consistency (GRIM) check ({c.detail})"
                  for c in _impossible_figures(checks)]


def _number_sentences(checks: Sequence[Check]) -> list[str]:
    """One sentence per figure of the claim, then the claim's figures the GRIM check finds impossible."""
    out = []
    for c in (c for c in checks if c.kind == "number"):
        if c.status == "match":
            out.append(f"The claim's figure is reported by a source ({c.detail}).")
        elif c.status == "differs":
            out.append(f"The claim's figure differs from what the sources report ({c.detail}).")
        else:
            out.append(f"The claim's figure was not found in the sources ({c.detail}).")
    return out + [f"The consistency (GRIM) check finds the claim's {c.subject} impossible ({c.detail})."
                  for c in _impossible_figures(checks)]


def _retraction(r: Rated, checks: Sequence[Check]) -> Check | None:
    """The integrity check that says a source was retracted, if one does."""
    return next((c for c in checks if c.kind == "integrity" and c.status == "retracted"
                 and c.subject == label(r)), None)


def _retracted(r: Rated, checks: Sequence[Check]) -> bool:
    """Retracted by its record (flag or notice) or by an integrity check about it."""
    return is_retracted(r.record) or _retraction(r, checks) is not None


def _retracted_sentence(r: Rated, checks: Sequence[Check]) -> str:
    """'The cited study PMID 1 "Title" (Journal, 2021) was retracted (<notice link>); ...'."""
    check = _retraction(r, checks)
    notices = [x for x in (check.links if check else ()) if x != r.record.link] or [
        n.link for n in integrity_flags(r.record).get("retracted", ()) if n.link]
    where = ", ".join(notices) or f"publication type Retracted Publication, {r.record.link or label(r)}"
    rec = r.record
    return (f'The cited study {label(r)} "{rec.title}" ({rec.journal or rec.journal_abbrev or "journal unknown"}, '
            f"{rec.year or 'year unknown'}) was retracted ({where}); retracted work counts for nothing, so it "
            "cannot support the claim.")


def _confidence(weight: float, agreement: float, base: float, span: float) -> float:
    return round(max(0.0, min(1.0, base + span * (1 - math.exp(-weight)) * agreement)), 2)


def _by_citation(claim: Claim, rated: Sequence[Rated], checks: Sequence[Check],
                 problems: Sequence[str], after: list[str]) -> Decision | None:
    """Rule 1: a claim that rests on a named source, quote or figure stands or falls with it."""
    pairs = pair_cites(claim, checks)
    rests = claim.kind in SOURCE_KINDS or bool(claim.cites and claim.numbers)
    if not (rests and pairs):
        return None
    found = [c for _, c in pairs if c.status == "found"]
    missing = [_citation_sentence(cite, c) for cite, c in pairs if c.status != "found"]
    if not found:
        return "unverifiable", UNVERIFIABLE_CONFIDENCE, missing + after
    heads = [f"The {_cited_what(cite, c)} was found ({c.detail.removeprefix('found ')})."
             for cite, c in pairs if c.status == "found"]
    if claim.kind == "quote" and any(c.kind == "quote" for c in found):
        return "supported", 0.7, heads + ["The quoted words are there as the article gives them."] + missing + after
    ids = {id(r) for c in found for r in cited_by(c, rated)}
    cited = [r for r in rated if id(r) in ids]
    sound = [r for r in cited if not _retracted(r, checks)]
    if cited and not sound:
        return "not_supported", 0.8, [_retracted_sentence(r, checks) for r in cited] + missing + after
    if not cited:
        return "unverifiable", 0.4, heads + [
            "No abstract of it was among the records read, so what it reports could not be weighed."] + missing + after
    stances = {r.assessment.stance for r in sound}
    reasons = heads + [_retracted_sentence(r, checks) for r in cited if r not in sound]
    if stances >= {"supports", "contradicts"}:
        return "mixed", 0.5, reasons + ["The cited studies point both ways."] + missing + after
    if "contradicts" in stances:
        return "contradicted", 0.6, reasons + ["Its results go against the claim."] + missing + after
    if "supports" in stances and not problems:
        return "supported", 0.7, reasons + ["Its results support the claim."] + missing + after
    if "supports" in stances:
        return "partly_supported", 0.6, reasons + [
            "Its results support the claim, but not as stated: " + " and ".join(problems) + "."] + missing + after
    off_topic = [r for r in sound if not r.relevant]
    why = (f"it is not about the claim as stated (it {off_topic[0].assessment.gate_reason or 'does not test it'})"
           if off_topic else "its results neither support nor contradict the claim as stated")
    return "not_supported", 0.5, reasons + [f"It does not bear out the claim: {why}."] + missing + after


def decide(claim: Claim, rated: Sequence[Rated], checks: Sequence[Check],
           searches: Sequence[SearchResult]) -> Decision:
    """The verdict, its confidence and the reasons, by the rules in the package docstring; "high"
    confidence only with an adequate study that tests the claim directly (same population, human)."""
    verdict, confidence, reasons = _decide(claim, rated, checks, searches)
    direct = [r for r in rated if r.direct and not _retracted(r, checks) and adequate([r])]
    if confidence >= HIGH and not direct:
        confidence = BELOW_HIGH
        reasons = reasons + ["Confidence is not high: no adequate study (meta-analysis, systematic review or "
                             "randomised trial of fair size) tests the claim directly, in people of the "
                             "population it names."]
    return verdict, confidence, reasons


def _decide(claim: Claim, rated: Sequence[Rated], checks: Sequence[Check],
            searches: Sequence[SearchResult]) -> Decision:
    set_aside = [r for r in rated if _retracted(r, checks)]
    relevant = [r for r in rated if r.relevant and r not in set_aside]
    sup = [r for r in relevant if r.assessment.stance == "supports"]
    con = [r for r in relevant if r.assessment.stance == "contradicts"]
    sup_h = [r for r in sup if r.clinical]
    sup_w, con_w = _weight(sup), _weight(con)
    total = sup_w + con_w
    agreement = abs(sup_w - con_w) / total if total else 0.0
    tail = [search_summary(rated, searches)]
    if set_aside:
        tail.insert(0, f"{len(set_aside)} retracted source{'s were' if len(set_aside) > 1 else ' was'} "
                       f"set aside ({', '.join(label(r) for r in set_aside)}); retracted work counts for nothing.")
    numbers = [c for c in checks if c.kind == "number"]
    number_text = _number_sentences(checks)
    problems = _figure_problems(checks)

    if not any(r.relevant or (r.assessment.tests_claim and r in set_aside) for r in rated):
        # Nothing found tests the claim, which is not a finding against it: say so first.
        number_text = [no_study_sentence(rated, searches)] + number_text
    by_citation = _by_citation(claim, rated, checks, problems, number_text + tail)
    if by_citation is not None:
        return by_citation
    if claim.kind == "statistic" and not claim.cites and numbers and all(c.status == "absent" for c in numbers):
        return "unverifiable", UNVERIFIABLE_CONFIDENCE, number_text + tail
    if not any(r.relevant or (r.assessment.tests_claim and r in set_aside) for r in rated):
        return "unverifiable", UNVERIFIABLE_CONFIDENCE, number_text + tail

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
        if narrower or problems or (strong and len(overstated) == len(strong)):
            why = []
            if narrower:
                why.append("the supporting studies were done in another population than the claim names")
            if overstated:
                why.append("the claim states a stronger effect than the studies report "
                           f"({overstated[0].split(': ', 1)[1]})")
            why.extend(problems)
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
        reasons = [f"{counted(len(relevant), 'source')} that "
                   f"{'tests' if len(relevant) == 1 else 'test'} the claim {'was' if len(relevant) == 1 else 'were'} "
                   "found, but none reports results for or against it as stated."]
    else:
        reasons = ["The only sources that test the claim were retracted."]
    # Records that say nothing do not make the verdict any surer, however many there are.
    return "not_supported", 0.4, reasons + number_text + tail


def rate(claim: Claim, evidence: Sequence[tuple[Record, Finding]]) -> list[Rated]:
    """Every source rated for the claim, heaviest first."""
    rated = [rate_source(claim, record, finding) for record, finding in evidence]
    return sorted(rated, key=lambda r: (r.assessment.weight, r.assessment.relevance), reverse=True)


def assess(claim: Claim, evidence: Sequence[tuple[Record, Finding]] | Sequence[Rated],
           searches: Sequence[SearchResult] = (), checks: Sequence[Check] | None = None) -> Assessment:
    """Rate one claim against its candidate sources; pure, no I/O.

    `evidence` is (record, finding) pairs, or the sources `rate()` returned (a run rates them first
    to make its checks on them). `checks`, when given, are used as they are (a run's know what the
    citation searches did); otherwise the claim's checks are made here on the records alone.
    """
    rated = list(evidence) if all(isinstance(e, Rated) for e in evidence) else rate(claim, evidence)
    checks = tuple(checks) if checks is not None else run_checks(claim, rated)
    verdict, confidence, reasons = decide(claim, rated, checks, searches)
    return Assessment(claim.id, verdict, confidence, tuple(reasons),
                      tuple(r.assessment for r in rated), checks, tuple(searches))
