"""Rule cues of result language: what a sentence says for or against the claim, in words.

Since issue 15 the cues decide nothing: the stance encoder does (`reading.py`). They are shown
beside its reading as signals of the deciding sentences, and this module also picks the sentences
the encoder reads (`candidate_sentences`) and flags a claim stronger than its evidence.

A sentence is read for negative findings ("no significant difference", "did not reduce",
"failed to", "comparable to placebo"), positive efficacy language ("significantly improved",
"effective", "superior to", "rapid antidepressant effect"), the direction of change near the
claim's outcome (the claim says *reduces* X; a source saying X *increased* contradicts it) and
significance (p-values and confidence intervals from the extracted effects inside the sentence).
A cue only counts when it is about the claim's outcome: not about another outcome nearer to it
("no decrease in pain"), not about another sense of the outcome's word ("respiratory
depression", see terms.other_senses_masked), and a generic word ("beneficial", "improved") only
next to the outcome.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.nlp.sections import section_kind
from pipeline.rating.cues import NEGATIVE_CUES, POSITIVE_CUES, adverse_context
from pipeline.rating.terms import (
    bag, content_tokens, mentions, other_outcomes, other_senses_masked, other_treatments, phrase_matches, stem,
)
from pipeline.types import Claim, Effect, Finding, Record, Sentence

# --- claim direction ---------------------------------------------------------------------

_CLAIM_DOWN = re.compile(
    r"\b(reduc\w*|decreas\w*|lower\w*|reliev\w*|relief|alleviat\w*|lessen\w*|eas(?:e|es|ed|ing)|"
    r"cut\w*|prevent\w*|diminish\w*|curb\w*|break\w*|escape\w*)\b")
_CLAIM_UP = re.compile(r"\b(increas\w*|rais\w*|boost\w*|elevat\w*|promot\w*)\b")
# A claim that something brings its outcome about: more of the outcome agrees with it.
_CLAIM_CAUSES = re.compile(r"\b(?:lead(?:s|ing)? to|led to|caus(?:e|es|ed|ing)|result(?:s|ed)? in|"
                           r"associated with|linked to|contribut\w* to|risk factor)\b")
_CLAIM_BETTER = re.compile(
    r"\b(cur(?:e|es|ed|ing)|improv\w*|enhanc\w*|effective|treat\w*|heal\w*|help\w*|benefit\w*|reset\w*|work\w*)\b")

# A claim of a complete or permanent effect needs evidence that says as much.
_CLAIM_ABSOLUTE = re.compile(
    r"\b(cur(?:e|es|ed|ing)|eliminat\w*|eradicat\w*|abolish\w*|revers(?:e|es|ed|ing)|"
    r"complete(?:ly)?|permanent(?:ly)?|entirely|always|guarantee\w*|end(?:s|ed)? (?:\w+ )?for good)\b")
_EVIDENCE_ABSOLUTE = re.compile(
    r"\b(cur(?:e|es|ed|ing)|eliminat\w*|eradicat\w*|abolish\w*|revers(?:e|es|ed|al)|complete\w*|"
    r"full recovery|remission|resolution|resolved|permanent\w*|sustained|free of)\b")

# --- sentence cues -----------------------------------------------------------------------

# Positive words that say nothing of what improved: they count only next to the claim's outcome.
_GENERIC_CUES = frozenset({"effective", "superior", "benefit"})

_DIRECTION_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "normalized", "restored", "rescued": back to health, the usual result wording of preclinical work
    ("better", re.compile(r"\b(?:improv\w*|reliev\w*|alleviat\w*|ameliorat\w*|relief|normali[sz](?:ed|es|ing|ation)|"
                          r"restor(?:ed|es|ing|ation)|rescu(?:ed|es|ing))\b")),
    ("down", re.compile(r"\b(?:reduc\w*|decreas\w*|lower(?:ed|s|ing)?|diminish\w*|attenuat\w*|declin\w*|fell|drop\w*)\b")),
    ("up", re.compile(r"\b(?:increas\w*|elevat\w*|higher|rais(?:ed|es)|enhanc\w*|augment\w*|greater)\b")),
)

_REJECTED = re.compile(r"\b(?:rather than|instead of|as opposed to)\s+$")
_NEGATORS = re.compile(r"\b(?:not|no|never|without|nor|neither|cannot|failed to|fails to|fail to|"
                       r"lack of|did not|does not|do not|was not|were not|n't)\s+(?:\w+\s+){0,2}$")

# Outcomes that are bad things: reducing them is the good direction. Any other outcome is taken
# as a good thing ("survival", "synaptic connections"); the diseases, harms and risks of health
# claims in general are listed, not only those of mental health (an unlisted "headache" or
# "transmission" read as good turned every reduction of it into a contradiction).
_BAD_THINGS = re.compile(
    r"symptom|severity|score|depress|ptsd|posttraumat|anxiety|pain|insomnia|nightmare|distress|"
    r"suicid|relapse|hyperarous|fear|mortality|death|craving|agitation|stress|burnout|disorder|"
    r"disease|infect|cancer|tumou?r|carcinom|\w+itis\b|\w{3,}omas?\b|ache\b|spasm|risk|complication|injur|"
    r"failure|fever|transmission|covid|virus|viral|fatal|hospitali[sz]|incidence|morbidity|toxicity|adverse|"
    r"inflammat|obes|hypertens|diabet|stroke|fracture|dementia|alzheimer|atherosclero|lesion|damage|deficit|"
    r"impairment|dysfunction|hyperalges|allodyn|nausea|vomit|addiction|abuse|misuse|withdrawal|rumination|"
    r"avoidance|intrusi|metasta|invasi|hypoxi|ischemi|ischaemi|thrombo|bleeding|haemorrhag|hemorrhag")

_P_TEXT = re.compile(r"\bp\s*(<=|>=|[<>=\u2264\u2265])\s*(0?\.\d+|1(?:\.0+)?)", re.IGNORECASE)
_RATIO = {"OR", "RR", "HR", "IRR"}
_DIFFERENCE = {"RD", "MD", "SMD", "r", "percent_change"}


@dataclass(frozen=True)
class Reading:
    """What one sentence says about the claim."""

    sentence: Sentence
    polarity: int  # >0 supports, <0 contradicts, 0 says nothing
    related: int  # 2 names intervention and outcome, 1 one of them, 0 neither
    section_rank: int  # 2 conclusion, 1 results, 0 other
    signals: tuple[str, ...]
    names_outcome: bool = False
    background: bool = False  # introduces the study rather than reporting it: counts half
    names_intervention: bool = False


def claim_direction(claim: Claim) -> str | None:
    """'down', 'up' or 'better' from the claim's verbs, 'harm' for a claim that something leads
    to its outcome ("exposure leads to PTSD"); None when it states no direction."""
    low = claim.text.lower()
    hits = [(m.start(), name) for name, rx in (("down", _CLAIM_DOWN), ("up", _CLAIM_UP),
                                                ("better", _CLAIM_BETTER))
            for m in rx.finditer(low)]
    return min(hits)[1] if hits else "harm" if _CLAIM_CAUSES.search(low) else None


def _negated(low: str, start: int) -> str | None:
    """The negator right before position `start`, if any (within three words)."""
    m = _NEGATORS.search(low[max(0, start - 40):start])
    return m.group(0).strip() if m else None


def _window(low: str, start: int, end: int) -> tuple[int, str]:
    """The text within ~6 words of a cue, and where it starts."""
    lo = max(0, start - _WINDOW)
    return lo, low[lo:min(len(low), end + _WINDOW)]


def _distance(pos: int, start: int, end: int) -> int:
    return start - pos if pos < start else max(0, pos - end)


def _near_outcome(low: str, start: int, end: int, outcome_tokens: frozenset[str]) -> str | None:
    """The claim's outcome word a cue is about, or None when there is none within ~6 words or
    another outcome ("pain", "ventilation", see terms.OTHER_OUTCOMES) is nearer to the cue."""
    lo, window = _window(low, start, end)
    own = [(_distance(lo + m.start(), start, end), m.group(0)) for m in re.finditer(r"[a-z0-9-]+", window)
           if stem(m.group(0).replace("-", "")) in outcome_tokens]
    if not own:
        return None
    near, word = min(own)
    others = [_distance(lo + pos, start, end) for pos, _ in other_outcomes(window, outcome_tokens)]
    return word if not others or near <= min(others) else None


_WINDOW = 60  # characters, about six words: how far a cue's object may sit from it


def significance(sentence: Sentence, effects: tuple[Effect, ...]) -> tuple[bool | None, str]:
    """Whether the sentence reports a significant result, from its effects' p-values and CIs."""
    inside = [e for e in effects
              if (e.span != (0, 0) and sentence.start <= e.span[0] and e.span[1] <= sentence.end)
              or (e.span == (0, 0) and e.text and e.text in sentence.text)]
    verdicts: list[tuple[bool, str]] = []
    for e in inside:
        if e.p_value is not None:
            op = e.p_operator or "="
            sig = e.p_value < 0.05 or (op in ("<", "<=", "\u2264") and e.p_value <= 0.05)
            verdicts.append((sig, f"p{op if op != '=' else '='}{e.p_value:g}"))
        elif e.ci_low is not None and e.ci_high is not None:
            null = 1.0 if e.measure in _RATIO else 0.5 if e.measure == "AUC" else (
                0.0 if e.measure in _DIFFERENCE else None)
            if null is not None:
                sig = not (e.ci_low <= null <= e.ci_high)
                verdicts.append((sig, f"{e.measure} {e.value:g}, CI {e.ci_low:g} to {e.ci_high:g}"))
    if not verdicts:
        for m in _P_TEXT.finditer(sentence.text):
            op, value = m.group(1), float(m.group(2))
            sig = value < 0.05 or (op in ("<", "<=", "\u2264") and value <= 0.05)
            verdicts.append((sig, f"p{op}{value:g}"))
    if not verdicts:
        return None, ""
    significant = [label for sig, label in verdicts if sig]
    if significant:
        return True, significant[0]
    return False, verdicts[0][1]


def read_sentence(sentence: Sentence, claim: Claim, direction: str | None,
                  intervention: tuple[str, ...], outcome: tuple[str, ...],
                  effects: tuple[Effect, ...], background: bool = False) -> Reading:
    """Polarity and signals of one sentence relative to the claim."""
    low = sentence.text.lower()
    # Outcome words are looked for with their other senses blanked ("respiratory depression").
    masked = other_senses_masked(low)
    has_i = any(phrase_matches(p, bag(sentence.text)) for p in intervention)
    has_o = any(phrase_matches(p, bag(masked)) for p in outcome)
    outcome_tokens = frozenset(t for p in outcome for t in content_tokens(p))

    anchored: list[str] = []  # outcome words the counted cues are about

    def off_topic(m: re.Match[str], generic: bool) -> bool:
        """A cue about another outcome decides nothing; a generic word ("beneficial",
        "effective", "improved") only counts next to the claim's outcome."""
        if not outcome_tokens:
            return False
        obj = _near_outcome(masked, m.start(), m.end(), outcome_tokens)
        if obj is None and (generic or other_outcomes(_window(masked, m.start(), m.end())[1],
                                                      outcome_tokens)):
            return True  # ("no decrease in pain")
        if obj:
            anchored.append(obj)
        return False

    signals: list[str] = []
    score = 0
    negative_spans: list[tuple[int, int]] = []
    cue_spans: list[tuple[int, int]] = []  # where the counted cues are, to find what they are about

    for label, rx in NEGATIVE_CUES:
        for m in rx.finditer(low):
            if adverse_context(low, m) or off_topic(m, generic=False):
                continue  # "no serious adverse events" is about safety, not efficacy
            if any(s <= m.start() < e for s, e in negative_spans):
                continue
            negative_spans.append((m.start(), m.end()))
            cue_spans.append((m.start(), m.end()))
            if label == "worse" and direction == "harm":
                score += 1  # a claim of harm: worsening is what it says
                signals.append(f"direction: worse, as claimed ({m.group(0)})")
                break
            score -= 1
            signals.append(f"negated: {m.group(0)}" if label == "negated" else
                           f"direction: worse ({m.group(0)})" if label == "worse" else
                           f"negative: {m.group(0)}")
            break

    def inside_negative(pos: int) -> bool:
        return any(s <= pos < e + 1 for s, e in negative_spans)

    for label, rx in POSITIVE_CUES:
        for m in rx.finditer(low):
            if inside_negative(m.start()) or off_topic(m, generic=label in _GENERIC_CUES):
                continue
            cue_spans.append((m.start(), m.end()))
            neg = _negated(low, m.start())
            if neg:
                score -= 1
                signals.append(f"negated: {neg} {m.group(0).strip()}")
            else:
                score += 1
                signals.append(f"positive: {m.group(0).strip()}")
            break

    for name, rx in _DIRECTION_WORDS:
        for m in rx.finditer(low):
            if inside_negative(m.start()) or _REJECTED.search(low[max(0, m.start() - 20):m.start()]):
                continue  # "increased rather than decreased": the second word is what did not happen
            obj = _near_outcome(masked, m.start(), m.end(), outcome_tokens) if outcome_tokens else None
            if outcome_tokens and obj is None:
                continue  # a change (or an improvement) in something the claim is not about
            if obj:
                anchored.append(obj)
            # Judge good or bad by the whole outcome the word belongs to ("cluster" of "cluster headache").
            whole = " ".join(p for p in outcome if obj and stem(obj.replace("-", "")) in content_tokens(p))
            agree = _agrees(name, direction, f"{obj} {whole}".strip() if obj else "")
            if agree == 0 or (agree < 0 and direction == "harm" and not has_i):
                continue  # less of the outcome speaks against a cause only when the cause is named
            cue_spans.append((m.start(), m.end()))
            neg = _negated(low, m.start())
            word = m.group(0)
            if neg:
                if agree > 0:
                    score -= 1
                    signals.append(f"negated: {neg} {word}")
            elif agree > 0:
                score += 1
                signals.append(f"direction: {_DIRECTION_NAMES[name]} ({word}{' ' + obj if obj else ''})")
            else:
                score -= 1
                signals.append(f"direction reversed: {word}{' ' + obj if obj else ''} "
                               f"(claim says {_DIRECTION_NAMES.get(direction or 'better')})")
            break

    sig, sig_label = significance(sentence, effects)
    if sig is True:
        signals.append(f"significant ({sig_label})")
        if score > 0:
            score += 1
    elif sig is False:
        signals.append(f"not significant ({sig_label})")
        if score > 0:  # a change in the right direction that did not reach significance
            score = -1
    section = sentence.section.lower()
    rank = 2 if re.search(r"conclu|interpret|implication|summary", section) else (
        1 if re.search(r"result|finding|outcome", section) or not section else 0)
    # A sentence speaks to the outcome when it names it, or when a cue is about one of the
    # outcome's own words ("a reduction in depression severity" for "HRSD depression scores"),
    # not a measurement word any outcome has ("scores", "symptoms").
    speaks = has_o or any(stem(w.replace("-", "")) not in _MEASUREMENT_WORDS for w in anchored)
    related = int(has_i) + int(has_o)
    # "ECT is an effective treatment for depression" says nothing of ketamine; patients "scored
    # higher than healthy controls" describes the condition, not its treatment.
    agent = _other_agent(low, cue_spans, intervention, has_i) if intervention and cue_spans else None
    off = (f"about another treatment: {agent}" if agent else "compares patients with healthy controls"
           if intervention and not has_i and _VERSUS_HEALTHY.search(low) else None)
    if off:
        return Reading(sentence, 0, related, rank, (off,), speaks, background, has_i)
    if background and score:
        signals.append("background statement (counts half)")
    return Reading(sentence, max(-2, min(2, score)), related, rank, tuple(signals), speaks, background, has_i)


_VERSUS_HEALTHY = re.compile(r"\b(?:than|compared (?:with|to)|versus|vs\.?|relative to) (?:the )?(?:\w+ )?healthy "
                             r"(?:controls?|volunteers?|subjects?|individuals|participants|people|adults)")
_AGENT_AFTER = re.compile(r"\s*(?:[\w-]+\s+){0,2}?(?:of|by|with|after|following|from|through|via)\s+(?:[\w-]+\s+){0,2}$")


def _other_agent(low: str, cue_spans: list[tuple[int, int]], intervention: tuple[str, ...],
                 names_intervention: bool) -> str | None:
    """Another treatment the sentence's cues are about: named before the first cue while the
    claim's is not (the subject: "Clonidine reduced the nightmares caused by ketamine"), or, in a
    sentence not naming the claim's, right after a cue ("the antidepressant effects of sleep
    deprivation"). Comparators ("than with ECT") are not agents (see terms.other_treatments)."""
    first = min(start for start, _ in cue_spans)
    if mentions(intervention, low[:first]):
        return None
    for pos, name in other_treatments(low, intervention):
        if pos < first or not names_intervention and any(
                0 <= pos - end <= 40 and _AGENT_AFTER.match(low[end:pos]) for _, end in cue_spans):
            return name
    return None


_MEASUREMENT_WORDS = frozenset(stem(w) for w in (
    "score", "scores", "scale", "rating", "symptoms", "symptom", "severity", "level", "levels", "change",
    "response", "measure", "total", "outcome", "effect", "reduction", "rate"))


_DIRECTION_NAMES = {"down": "reduction", "up": "increase", "better": "improvement", "worse": "worsening",
                    "harm": "harm"}


def _agrees(found: str, claimed: str | None, obj: str) -> int:
    """+1 when a change `found` in the source agrees with the claim's direction, -1 against, 0 unclear."""
    bad = bool(_BAD_THINGS.search(obj)) if obj else None
    if found == "better":
        return -1 if claimed == "harm" else 1
    if claimed == "harm":  # more of a bad outcome agrees with a claim that something causes it
        return 0 if bad is None else (1 if (found == "up") == bad else -1)
    if claimed == "down":
        return 1 if found == "down" else -1
    if claimed == "up":
        return 1 if found == "up" else -1
    # The claim says 'improves'/'treats' (or nothing): judge by what changed.
    if bad is None:
        return 0
    if found == "down":
        return 1 if bad else -1
    return -1 if bad else 1


# --- sentences of a record ---------------------------------------------------------------

_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\[])")


def split_sentences(record: Record) -> tuple[Sentence, ...]:
    """Sentences of the abstract with offsets into Record.abstract (when extraction gave none)."""
    out: list[Sentence] = []
    offset = 0
    for label, text in record.sections:
        pos = 0
        for part in _SPLIT.split(text):
            idx = text.find(part, pos)
            if part.strip():
                out.append(Sentence(part.strip(), offset + idx, offset + idx + len(part.strip()), label))
            pos = idx + len(part)
        offset += len(text) + 1
    return tuple(out)


# Sentences that state an aim or report others' work are not this study's result.
_NOT_A_RESULT = re.compile(
    r"^(to (evaluate|assess|compare|investigate|determine|examine|test)|we (aimed|sought|hypothesi[sz]ed)"
    r"|the (aim|objective|purpose)|this study (aims|aimed))"
    r"|previous(ly)? stud|has been (suggested|reported|shown)|have (suggested|reported|shown)"
    r"|\[\d+(?:[,\u2013-]\d+)*\]|et al\."
    # a limitation, not a finding: "we cannot ... rule out ... as the cause for the reduction"
    r"|cannot (?:\w+ ){0,3}?(?:rule out|exclude|specify|determine|conclude|establish)"
    r"|remains? (?:unclear|unknown|to be (?:determined|established|shown))|it is (?:unclear|unknown|not known) whether",
    re.IGNORECASE)


# Sentences that introduce a study rather than report it: what is known or usually done.
_BACKGROUND_WORDING = re.compile(
    r"\b(?:is|are|was|were) (?:well |widely |generally |commonly )?(?:known|thought|believed|considered|"
    r"recogni[sz]ed) (?:to|as)\b|\b(?:has|have) (?:long |recently |previously )?been (?:demonstrated|used|proposed|"
    r"recogni[sz]ed|established|investigated|studied)\b|\b(?:is|are) (?:an? |the )?(?:well[- ]established|"
    r"established|common(?:ly used)?|standard|widely used|first[- ]line|approved|accepted)\b"
    # a definition: "Ketamine is an NMDA receptor antagonist which ..."
    r"|\b(?:is|are) (?:an?|the) (?:[\w-]+ ){0,3}(?:antagonists?|agonists?|inhibitors?|blockers?|drugs?|agents?|"
    r"an(?:a)?esthetics?|medications?|compounds?|modulators?)\b", re.IGNORECASE)
# Where an unstructured abstract turns from background to its own study.
_STUDY_START = re.compile(
    r"^(?:here|in this|in the present|in a |this (?:study|trial|review|paper|report|article|work|analysis)|"
    r"the (?:present|current|aim|objective|purpose)\b|to (?:evaluate|assess|compare|investigate|determine|examine|"
    r"test)\b)|\b(?:we|our)\b|\bwere (?:randomi[sz]ed|randomly|enrolled|recruited|assigned|included|studied|"
    r"allocated|treated|given)\b|\bn ?= ?\d", re.IGNORECASE)


def background_spans(sentences: tuple[Sentence, ...]) -> frozenset[tuple[int, int]]:
    """(start, end) of the sentences that give background: a BACKGROUND/INTRODUCTION section, in an
    unstructured abstract the sentences before the first about this study ("We ...", "In this
    study", "were randomized"), and anywhere but a conclusion "is known to", "has been used"."""
    if any(s.section for s in sentences):
        out = {(s.start, s.end) for s in sentences if section_kind(s.section) == "background"}
    else:
        start = next((i for i, s in enumerate(sentences) if _STUDY_START.search(s.text)), 0)
        out = {(s.start, s.end) for s in sentences[:start]}
    out.update((s.start, s.end) for s in sentences
               if _BACKGROUND_WORDING.search(s.text) and section_kind(s.section) != "conclusions"
               and (s.section or s is not sentences[-1]))  # an unstructured abstract concludes last
    return frozenset(out)


def candidate_sentences(record: Record, finding: Finding) -> tuple[Sentence, ...]:
    """Result and conclusion sentences first; the whole abstract when extraction marked none."""
    sentences = tuple(s for s in (finding.sentences or split_sentences(record))
                      if not _NOT_A_RESULT.search(s.text))
    return _candidates(sentences, finding)


def _candidates(sentences: tuple[Sentence, ...], finding: Finding) -> tuple[Sentence, ...]:
    concl = tuple(s for s in sentences if re.search(r"conclu|interpret", s.section, re.IGNORECASE))
    if finding.result_sentences:
        results = tuple(s for s in finding.result_sentences if not _NOT_A_RESULT.search(s.text))
        seen = {(s.start, s.end) for s in results}
        return results + tuple(s for s in concl if (s.start, s.end) not in seen)
    results = tuple(s for s in sentences if re.search(r"result|finding|conclu|interpret",
                                                      s.section, re.IGNORECASE))
    return results or sentences


OVERSTATED = "claim stronger than evidence"


def overstatement(claim: Claim, rationale: list[Sentence]) -> str | None:
    """'claim stronger than evidence: "cures" vs "reduced"' when the claim says a complete or
    permanent effect and the sentences behind the support only report a change."""
    m = _CLAIM_ABSOLUTE.search(claim.text.lower())
    if not m or not rationale or any(_EVIDENCE_ABSOLUTE.search(s.text.lower()) for s in rationale):
        return None
    said = next((w.group(0) for s in rationale for _, rx in _DIRECTION_WORDS
                 for w in [rx.search(s.text.lower())] if w), "a change")
    return f'{OVERSTATED}: "{m.group(0)}" vs "{said}"'
