"""Effect estimates in one sentence, and whether a sentence reports results (pure, no spaCy).

    find_effects("OR 2.3, 95% CI 1.4-3.8; P<0.001")
      -> [Effect("OR", 2.3, 1.4, 3.8, 0.001, "<", "", "OR 2.3, 95% CI 1.4-3.8; P<0.001", (0, 31))]

Labelled estimates take the CI and p-value that follow them; a CI nobody claimed repeats the
last measure; with `percentages`, shares ("67% of the ketamine group") and changes ("reduced
by 30%") are read too. Regexes run on sentence text, so "1.4-3.8", "0·55–0·92" or "P<.001"
are one unit to them however a tokenizer would split them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.nlp.casefree import CaseFree
from pipeline.nlp.facts import SentenceFacts, ascii_lower, may_hold
from pipeline.nlp.numbers import NUM_RE, covered, find_cis, find_p_values, find_percentages, p_values, parse_number
from pipeline.types import Effect

_ADJ = r"(?:(?:adjusted|unadjusted|crude|pooled|summary|overall|multivariable|multivariate|" \
       r"age-adjusted|fully\s+adjusted|corresponding|estimated|average)\s+)?"
# (pattern, measure); longer names first so "incidence rate ratio" is not read as "rate ratio".
_MEASURE_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"incidence[\s-]rate\s+ratios?|IRRs?|aIRRs?|rate\s+ratios?", "IRR"),
    (r"hazard\s+ratios?|(?:aHR|HR)s?", "HR"),
    (r"(?:diagnostic\s+)?odds\s+ratios?|(?:aOR|OR)s?|AORs?", "OR"),
    (r"relative\s+risks?|risk\s+ratios?|(?:aRR|RR)s?", "RR"),
    (r"absolute\s+risk\s+(?:differences?|reductions?)|risk\s+differences?|ARR|RD|"
     r"absolute\s+differences?", "RD"),
    (r"numbers?\s+needed\s+to\s+(?:treat|harm)|NNT|NNH", "NNT"),
    (r"standardi[sz]ed\s+mean\s+differences?|SMDs?|Cohen['’]?s\s+d|Hedges['’]?\s+g|"
     r"effect\s+sizes?", "SMD"),
    (r"(?:weighted\s+)?mean\s+differences?|WMDs?|MDs?", "MD"),
    (r"area\s+under\s+the\s+(?:receiver[\s-]operating[\s-]characteristic\s+)?(?:\(?ROC\)?\s+)?"
     r"curves?|AUCs?|AUROCs?|c[\s-]statistics?|c[\s-]index|concordance\s+index", "AUC"),
    (r"(?:Spearman|Pearson)['’]?s?\s+(?:rank\s+)?(?:correlation\s+coefficient|rho|r)|"
     r"correlation\s+coefficients?|rho|ρ", "r"),
    (r"sensitivity|specificity|positive\s+predictive\s+value|negative\s+predictive\s+value|"
     r"PPV|NPV|accuracy|β|beta(?:\s+coefficient)?|regression\s+coefficient", "other"),
)
# One-letter names need "=" or ":" ("d = 1.13", "r=0.45"); otherwise "5 g" or "r" as a
# variable would become effects.
_SHORT_MEASURES: tuple[tuple[str, str], ...] = (("d", "SMD"), ("g", "SMD"), ("r", "r"))

_LONG_LABEL = "|".join(f"(?P<m{i}>{p})" for i, (p, _) in enumerate(_MEASURE_PATTERNS))
_LABELLED_RE = CaseFree(re.compile(
    rf"(?<![\w-]){_ADJ}(?:{_LONG_LABEL})(?![\w-])"
    r"(?:\s*[\[(][A-Za-z]{1,6}[\])])?"  # "odds ratio (OR)", "hazard ratio [HR]"
    # "OR for death was 2.3": a qualifier is only skipped when a verb or "=" follows it.
    r"(?:\s*,?\s*(?:for|of|in|among|between)\s+[^\d;:=()\[\]]{1,60}?\s*(?:[:=]|\b(?:was|were|is)\b))?"
    r"\s*(?:[:=,]|≈|\b(?:of|was|were|is|equal(?:l?ed|s)?\s+to|reached|being)\b)?\s*"
    r"(?:[\[(]\s*)?"
    rf"(?P<value>{NUM_RE})(?P<pct>\s?%)?(?![\d])",
    re.IGNORECASE,
))
_SHORT_RE = re.compile(
    r"(?<![\w'’-])(?P<label>[dgr])\s*(?:=|:)\s*" rf"(?P<value>{NUM_RE})(?![\d])"
)
# An interval written without "CI" right after the value: "0.8 (0.7-0.9)", "2.3 [1.4, 3.8]".
_BARE_INTERVAL = re.compile(
    rf"\s*[\[(,;]\s*(?P<low>{NUM_RE})\s?%?\s*(?:-|\u2013|\u2014|to|,)\s*(?P<high>{NUM_RE})\s?%?\s*[\])]"
)
_VALUE_WITH_INTERVAL = re.compile(
    rf"(?<![\w.\u00b7-])(?P<value>{NUM_RE})(?P<pct>\s?%)?\s*[\[(]\s*(?P<low>{NUM_RE})\s*"
    rf"(?:-|\u2013|\u2014|to)\s*(?P<high>{NUM_RE})\s*[\])]"
)
_MEASURE_NAME = CaseFree(re.compile(rf"(?<![\w-])(?:{_LONG_LABEL})(?![\w-])", re.IGNORECASE))
_RATIO_MEASURES = {"OR", "RR", "HR", "IRR"}
# Gate words: every measure name contains one of them, abbreviations as written (a lower-case
# "or" or "hr" is a word, see _label_measure), full names in lower case.
MEASURE_ABBREVIATIONS = ("OR", "HR", "RR", "RD", "NN", "MD", "AUC", "AUROC", "PPV", "NPV", "Hr", "Or")
MEASURE_NAME_WORDS = ("ratio", "risk", "spearman", "pearson", "differen", "number", "cohen", "hedges",
                      "effect", "area under", "statistic", "index", "correlat", "rho", "\u03c1",
                      "sensitivity", "specificity", "predictive", "accuracy", "\u03b2", "beta", "coefficient")
_CASE_SENSITIVE_ABBREV = re.compile(r"^(?:a?ORs?|AORs?|a?RRs?|a?HRs?|IRRs?|aIRRs?|ARR|RD|NNT|NNH|"
                                    r"SMDs?|WMDs?|MDs?|AUCs?|AUROCs?|PPV|NPV)$", re.IGNORECASE)


def _label_measure(m: re.Match[str]) -> str | None:
    for i, (_, measure) in enumerate(_MEASURE_PATTERNS):
        label = m.group(f"m{i}")
        if label is not None:
            # "or"/"hr"/"md" in lower case are words or units, not abbreviations.
            if _CASE_SENSITIVE_ABBREV.match(label) and not re.search(r"[A-Z]", label[-2:] + label[:2]):
                return None
            if label in ("or", "Or", "ors", "hr", "hrs", "md", "rd"):
                return None
            return measure
    return None


def _ci_fits(measure: str, value: float, low: float, high: float) -> bool:
    if low > high:
        return False
    # Ratios are printed rounded ("OR 1.0, 95% CI 1.01-1.5"), so allow a rounding margin.
    tol = 0.011 if measure in _RATIO_MEASURES else 0.0
    return low - tol <= value <= high + tol


def _attach_ci(text: str, end: int, limit: int, measure: str, value: float
               ) -> tuple[float | None, float | None, int]:
    """The CI that follows a value at `end` (before `limit`), and where it ends."""
    bare = _BARE_INTERVAL.match(text, end)
    if bare and bare.end() <= limit:
        low, high = parse_number(bare.group("low")), parse_number(bare.group("high"))
        if low is not None and high is not None and _ci_fits(measure, value, low, high):
            return low, high, bare.end()
    for ci in find_cis(text[end:limit]):
        gap = text[end:end + ci.span[0]]
        # Only a CI separated from the value by punctuation/words, not by another number.
        if len(gap) > 40 or re.search(r"\d", gap):
            break
        if _ci_fits(measure, value, ci.low, ci.high):
            return ci.low, ci.high, end + ci.span[1]
        break
    return None, None, end


def _attach_p(text: str, end: int, limit: int) -> tuple[float | None, str | None]:
    for p in find_p_values(text[end:limit]):
        if p.span[0] <= 80:
            return p.value, p.operator
    return None, None


_REDUCE_WORDS = r"reduc\w*|decreas\w*|lower\w*|declin\w*|drop\w*|fell|fall\w*|less|fewer|" \
                r"diminish\w*|attenuat\w*|loss|lost|shrank|shrink\w*"
_INCREASE_WORDS = r"increas\w*|rais\w*|higher|elevat\w*|gain\w*|ris\w*|rose|improv\w*|more|" \
                  r"greater|grew|grow\w*|enhanc\w*|boost\w*"
# A value just before an interval, with the unit of a mean difference between them: "0.83 (95%
# CI", "-1.3 points (95% CI", "2.1 mm Hg, 95% CI". Searched only up to the interval's start.
_UNIT = (r"(?:percentage\s+)?points?|units?|mm\s?Hg|mmHg|"
         r"(?:[kmnµμ]?g|[cm]?m|mmol|[µμ]mol|[dm]?l|beats|bpm|days?|hours?|weeks?|months?|years?|min|minutes?|"
         r"seconds?|kcal|IU)(?:\^?[23])?(?:\s?/\s?[a-z0-9]{1,5}){0,2}")
# A figure in units is a difference when written with its sign ("+0.5 kg", "-0.15 mmol/l"),
# named one ("the difference was", "mean change", "treatment effect", "an increase in FEV1 of")
# or worded as a change by it ("reduced pain by", _CHANGE_BEFORE).
_DIFFERENCE_NOUN = re.compile(r"\b(?:differences?|changes?|between-group|effects?|increases?|decreases?|"
                              r"reductions?|gains?|losses)\b", re.IGNORECASE)
_VALUE_BEFORE_CI = re.compile(
    rf"(?<![\w.])(?P<value>{NUM_RE})(?:(?P<pct>\s?%)|\s*(?P<unit>{_UNIT})(?![\w%]))?\s*[\[(,;]?\s*$", re.IGNORECASE)
_CHANGE_BEFORE = re.compile(
    rf"\b(?P<dir>{_REDUCE_WORDS}|{_INCREASE_WORDS})\b(?:\s+[\w-]+){{0,4}}?\s+by\s+(?:an?\s+)?"
    r"(?:average\s+of\s+|mean\s+of\s+|approximately\s+|about\s+|nearly\s+|almost\s+|over\s+)?$",
    re.IGNORECASE,
)
_CHANGE_AFTER = re.compile(
    r"^\s*(?:relative\s+|absolute\s+|mean\s+|average\s+|net\s+|overall\s+)?"
    rf"(?P<dir>{_REDUCE_WORDS}|{_INCREASE_WORDS}|change)\b",
    re.IGNORECASE,
)
# Percentages that describe who was studied, a dose or a power calculation, not an outcome.
_NOT_OUTCOME_AFTER = re.compile(
    r"^\s*(?:of\s+(?:the\s+)?(?:participants|patients|subjects|sample|cohort)\s+)?"
    r"(?:were\s+|was\s+)?(?:female|male|women|men|boys|girls|white|black|caucasian|"
    r"hispanic|asian|smokers?\b(?=\s*(?:[,;)]|and))|power|confidence|solution|dextrose|glucose|"
    r"saline|lidocaine|bupivacaine|w/v|v/v|wt|weight/volume|ethanol|gel|cream|ointment|"
    r"concentration|sucrose|oxygen|O2|CO2|formalin|DMSO|FBS|serum\b)",
    re.IGNORECASE,
)
_NOT_OUTCOME_BEFORE = re.compile(
    r"(?:\baged?\b|\bage\b[^.;]{0,20}|\bpower\b[^.;]{0,10}|\bwith\s+a\s+|\bFiO2\b[^.;]{0,10}|"
    r"\bHbA1c\b[^.;]{0,20}|\bHbA\(1c\)[^.;]{0,20}|\bcutoff\b[^.;]{0,10}|\bthreshold\b[^.;]{0,10})$",
    re.IGNORECASE,
)


# Words one of which every match of _NOT_OUTCOME_BEFORE holds; of _DIFFERENCE_BEFORE; of _CHANGE_BEFORE.
_NOT_OUTCOME_WORDS = ("age", "power", "with", "fio2", "hba", "cutoff", "threshold")
_DIFFERENCE_WORDS = ("absolute", "difference")
_CHANGE_WORDS = ("by",)


# "absolute mortality reduction 2·8%", "the difference was 1%": a risk difference.
_DIFFERENCE_BEFORE = re.compile(r"\b(?:absolute\s+(?:\w+\s+)?(?:risk\s+)?(?:reduction|increase|difference)|"
                                r"(?:risk\s+)?difference)\s*(?:was|of|is|=|:|,)?\s*(?:\w+\s+)?$", re.I)


def _percent_effect(text: str, value: float, span: tuple[int, int]) -> tuple[str, float, str] | None:
    """Classify one percentage: ("percent" | "percent_change" | "RD", signed value, unit)."""
    before, after = text[max(0, span[0] - 60):span[0]], text[span[1]:span[1] + 60]
    low = ascii_lower(before)  # the patterns that end at the percentage: see _may_hold
    if _NOT_OUTCOME_AFTER.match(after) or may_hold(low, _NOT_OUTCOME_WORDS) and _NOT_OUTCOME_BEFORE.search(before):
        return None
    if ("±" in before or "+" in before) and re.search(r"(?:±|\+/-|\+-)\s*$", before):
        return None  # the spread in "8.0% ± 0.4%", not a figure of its own
    if re.search(r"points?$", text[span[0]:span[1]]) or re.match(r"^\s*percentage\s+points?", after, re.I):
        return "RD", value, "percentage points"
    if may_hold(low, _DIFFERENCE_WORDS) and _DIFFERENCE_BEFORE.search(before):
        return "RD", value, "%"
    change = _CHANGE_AFTER.match(after) or may_hold(low, _CHANGE_WORDS) and _CHANGE_BEFORE.search(before)
    if change:
        direction = change.group("dir").lower()
        if re.match(_REDUCE_WORDS, direction, re.IGNORECASE) and value > 0:
            value = -value
        return "percent_change", value, "%"
    return "percent", value, "%"


def find_effects(text: str, offset: int = 0, percentages: bool = True,
                 facts: SentenceFacts | None = None) -> list[Effect]:
    """Effect estimates reported in one sentence, spans shifted by `offset`.

    Labelled estimates ("OR 2.3, 95% CI 1.4-3.8; P<0.001", "the rate ratio was 0.36 (95% CI,
    0.27 to 0.49) ... and 0.83 (95% CI, 0.59 to 1.16)", "d=1.13, 95% CI=0.36, 1.91") take the
    CI and the p-value that follow them; with `percentages`, shares of a group ("67% of the
    ketamine group") and changes ("reduced by 30%") become percent / percent_change effects.
    `facts` are the sentence's gates when sentence_facts has read them.
    """
    found: list[tuple[int, str, float, int, str]] = []  # (start, measure, value, value_end, unit)
    if facts and not (facts.digit or facts.number_word):
        return []  # every estimate has digits or number words; most background sentences have neither
    names_measure = facts.measure if facts else True
    for m in _LABELLED_RE.finditer(text) if names_measure else ():
        measure = _label_measure(m)
        value = parse_number(m.group("value"))
        if measure is None or value is None:
            continue
        if m.group("pct") and measure in _RATIO_MEASURES | {"AUC", "r", "SMD"}:
            continue  # "OR 95%" is the start of a CI, not an odds ratio
        unit = "%" if m.group("pct") else ""
        found.append((m.start(), measure, value, m.end(), unit))
    for m in _SHORT_RE.finditer(text) if ("=" in text or ":" in text) else ():
        value = parse_number(m.group("value"))
        if value is None or any(s <= m.start() < e for s, _, _, e, _ in found):
            continue
        label = m.group("label")
        measure = dict(_SHORT_MEASURES)[label]
        if measure == "r" and abs(value) > 1:
            continue
        found.append((m.start(), measure, value, m.end(), ""))
    found.sort()

    effects: list[Effect] = []
    consumed: list[tuple[int, int]] = []
    starts = [f[0] for f in found]
    for i, (start, measure, value, value_end, unit) in enumerate(found):
        limit = starts[i + 1] if i + 1 < len(starts) else len(text)
        ci_low, ci_high, end = _attach_ci(text, value_end, limit, measure, value)
        p_value, p_op = _attach_p(text, end, limit)
        effects.append(Effect(measure, value, ci_low, ci_high, p_value, p_op, unit,
                              text[start:end], (offset + start, offset + end)))
        consumed.append((start, end))

    # A CI nobody claimed: "... and 0.83 (95% CI, 0.59 to 1.16)" repeats the last measure.
    for ci in find_cis(text):
        if covered(consumed, ci.span[0]):
            continue
        head = _VALUE_BEFORE_CI.search(text, 0, ci.span[0])
        if not head:
            continue
        value = parse_number(head.group("value"))
        if value is None:
            continue
        start = head.start("value")
        earlier = [e for e in effects if e.span[0] - offset < start]
        if head.group("pct"):
            kind = _percent_effect(text, value, (start, head.end("pct")))
            if kind is None:
                continue
            measure, value, unit = kind
        elif head.group("unit"):
            # "reduced pain by -1.3 points (95% CI -2.38 to -0.22)": a difference in the
            # outcome's own units (or in percentage points of a risk) when worded as one; a
            # mean or a median with its CI ("23 months (95% CI 20-29)") is not an effect.
            before = text[max(0, start - 80):start]
            signed = before.endswith(("+", "-", "\u2212")) or head.group("value")[0] in "-\u2212\u2013"
            if not (signed or _DIFFERENCE_NOUN.search(before) or _CHANGE_BEFORE.search(before)):
                continue
            unit = re.sub(r"\s+", " ", head.group("unit"))
            measure = "RD" if unit.lower().startswith("percentage") else "MD"
        elif earlier:
            measure, unit = earlier[-1].measure, earlier[-1].unit
        else:
            measure, unit = "other", ""
        if not _ci_fits(measure, value, ci.low, ci.high):
            continue
        nxt = [s for s in starts if s > ci.span[1]]
        p_value, p_op = _attach_p(text, ci.span[1], nxt[0] if nxt else len(text))
        effects.append(Effect(measure, value, ci.low, ci.high, p_value, p_op, unit,
                              text[start:ci.span[1]], (offset + start, offset + ci.span[1])))
        consumed.append((start, ci.span[1]))

    # "hazard ratios (HR) and 95% CI for AD were 1.23 (0.97–1.55) and 1.57 (1.23–2.01)": a value
    # with a bare interval takes the measure named last before it in the sentence.
    bracketed = "(" in text or "[" in text  # the pattern needs one: test it before a pass
    for m in _VALUE_WITH_INTERVAL.finditer(text) if names_measure and bracketed else ():
        start = m.start("value")
        if covered(consumed, start) or m.group("pct"):
            continue
        named = [_label_measure(n) for n in _MEASURE_NAME.finditer(text, 0, start)]
        named = [n for n in named if n]
        value, low, high = (parse_number(m.group(g)) for g in ("value", "low", "high"))
        if not named or value is None or low is None or high is None:
            continue
        if not _ci_fits(named[-1], value, low, high):
            continue
        end = m.end()
        nxt = [x for x in starts if x > end]
        p_value, p_op = _attach_p(text, end, nxt[0] if nxt else len(text))
        effects.append(Effect(named[-1], value, low, high, p_value, p_op, "",
                              text[start:end], (offset + start, offset + end)))
        consumed.append((start, end))

    if percentages:
        for value, (s, e) in find_percentages(text):
            if covered(consumed, s):
                continue
            kind = _percent_effect(text, value, (s, e))
            if kind is None:
                continue
            measure, signed, unit = kind
            nxt = [x for x in starts if x > e]
            p_value, p_op = _attach_p(text, e, nxt[0] if nxt else len(text))
            effects.append(Effect(measure, signed, None, None, p_value, p_op, unit,
                                  text[s:e], (offset + s, offset + e)))
    effects.sort(key=lambda eff: eff.span)
    return effects


# --- result sentences -----------------------------------------------------------------------

_RESULT_LANGUAGE = re.compile(
    r"\bsignifican\w*|\bimprov\w*|\breduc\w*|\bdecreas\w*|\bincreas\w*|\bno\s+difference|"
    r"\bdid\s+not\s+differ|\bnot\s+differ\w*|\bassociated\s+with|\bsuperior\b|\binferior\b|"
    r"\bnon-?inferior\w*|\beffective\b|\befficacy\b|\bbenefit\w*|\blower\b|\bhigher\b|"
    r"\bwe\s+(?:found|observed|show|demonstrate)\w*|\bresulted\s+in\b|\bpredict\w*|\bcorrelat\w*",
)  # read on lower-cased text
# Gate words: every match of _RESULT_LANGUAGE holds one.
RESULT_WORDS = ("significan", "improv", "reduc", "decreas", "increas", "differ", "associated",
                "superior", "inferior", "effective", "efficacy", "benefit", "lower", "higher",
                "found", "observed", "show", "demonstrat", "resulted", "predict", "correlat")


@lru_cache(maxsize=4096)  # asked twice by the effects component (for percentages, for the flag)
def is_result_sentence(text: str, kind: str, has_figures: bool, words: bool | None = None) -> bool:
    """Does a sentence report results? `kind` is its section kind (see section_kind); `words`,
    when the caller has read it (SentenceFacts.result_words), whether it holds a result word."""
    if has_figures:
        return kind != "background" or bool(p_values(text))
    if kind in ("results", "conclusions"):
        return True
    if kind in ("background", "methods"):
        return False
    return words is not False and bool(_RESULT_LANGUAGE.search(text.lower()))

