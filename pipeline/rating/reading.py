"""The one stance path: how one abstract bears on one claim, read by the stance encoder.

`read_pair(claim, record, finding, relevant)` is what `factcheck run` (through
`source.rate_source`), `factcheck eval stance` and `factcheck eval scifact` all call. The relevance
gate decides first (`relevant`): a record that does not test the claim takes no side. Then the
encoder scores the claim against the title and the abstract's candidate sentences (results and
conclusions, or the whole abstract when none are marked); the decision rule stored with the model
labels the abstract from those scores, and the report shows the deciding sentences with their
probabilities. The rule cues of `stance.py` are only shown, as signals of the deciding sentences:
they no longer decide.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from pipeline.rating.encoder import LABELS, Decision
from pipeline.rating.stance import candidate_sentences, claim_direction, overstatement, read_sentence
from pipeline.rating.score_cache import default_scorer
from pipeline.types import Claim, Finding, Record, Sentence, Stance


class Scorer(Protocol):
    """The encoder behind a cache: (claim, sentences) -> [n, 3] probabilities in LABELS order."""

    decision: Decision

    def __call__(self, claim: str, sentences: Sequence[str]) -> np.ndarray: ...

STANCE_OF = {"support": "supports", "contradict": "contradicts", "nothing": "neutral"}
_WORDS = {"support": "supports the claim", "contradict": "contradicts the claim", "nothing": "says nothing about it"}
SHOWN = 3  # deciding sentences shown in the report


@dataclass(frozen=True)
class PairReading:
    """What the encoder read in one abstract for one claim."""

    stance: Stance
    label: str  # support | contradict | nothing
    probs: tuple[float, float, float]  # of the deciding sentence, in LABELS order
    rationale: tuple[Sentence, ...]  # the deciding sentences, surest first
    sentences: tuple[Sentence, ...]  # every sentence read (the title's section is "title")
    sentence_probs: tuple[tuple[float, float, float], ...]
    signals: tuple[str, ...]
    reasons: tuple[str, ...]


def sentences_read(record: Record, finding: Finding) -> tuple[Sentence, ...]:
    """The title (titles often state the finding) and the candidate result sentences."""
    title = (Sentence(record.title, 0, 0, "title"),) if record.title.strip() else ()
    return title + candidate_sentences(record, finding)


def _cue_signals(claim: Claim, sentences: Sequence[Sentence], finding: Finding) -> list[str]:
    """The rule cues of the deciding sentences, shown to the editor beside the model's reading."""
    intervention = tuple(claim.intervention) + claim.mesh_for("intervention")
    outcome = tuple(claim.outcome) + claim.mesh_for("outcome")
    direction = claim_direction(claim)
    out: list[str] = []
    for s in sentences:
        out.extend(read_sentence(s, claim, direction, intervention, outcome, finding.effects).signals)
    return list(dict.fromkeys(out))


def _fmt(p: Sequence[float]) -> str:
    return f"support {p[0]:.2f}, contradict {p[1]:.2f}, nothing {p[2]:.2f}"


def read_pair(claim: Claim, record: Record, finding: Finding, relevant: bool = True,
              scorer: Scorer | None = None) -> PairReading:
    """The stance of one abstract for one claim, with the sentences and probabilities behind it.

    `relevant` is the relevance gate's answer; `scorer` defaults to the committed encoder with the
    on-disk score cache."""
    if not relevant:
        return PairReading("neutral", "nothing", (0.0, 0.0, 1.0), (), (), (), ("low relevance",),
                           ("It is not closely enough about the claim to count for or against it.",))
    scorer = scorer or default_scorer()
    decision = scorer.decision
    sentences = sentences_read(record, finding)
    probs = scorer(claim.text, [s.text for s in sentences]) if sentences else np.zeros((0, 3), np.float32)
    label, best = decision.label(probs)
    rows = tuple(tuple(round(float(v), 4) for v in row) for row in probs)
    if label == "nothing":
        p = rows[best] if best >= 0 else (0.0, 0.0, 1.0)
        return PairReading("neutral", label, p, (), sentences, rows, ("encoder: says nothing about the claim",),
                           (f"The stance encoder finds no sentence that takes a side (surest: {_fmt(p)}).",))
    side = LABELS.index(label)
    order = sorted((i for i in range(len(sentences)) if probs[i, side] >= decision.threshold
                    and int(np.argmax(probs[i, :2])) == side), key=lambda i: -probs[i, side])
    rationale = tuple(sentences[i] for i in order[:SHOWN])
    stance: Stance = STANCE_OF[label]
    signals = [f"encoder: {label} (p={probs[best, side]:.2f})"]
    signals += _cue_signals(claim, rationale, finding)
    quoted = "; ".join(f'"{sentences[i].text[:160]}" ({_fmt(rows[i])})' for i in order[:SHOWN])
    reasons = [f"The stance encoder reads it as: {_WORDS[label]}, from {quoted}."]
    if stance == "contradicts" and claim.kind == "background":
        # A background statement ("first used as an anaesthetic") is not an effect claim: a null
        # or negative trial result does not speak against it.
        return PairReading("neutral", label, rows[best], rationale, sentences, rows,
                           ("background claim: trial result not applicable", *signals),
                           ("A trial result neither confirms nor refutes a background statement.", *reasons))
    overstated = overstatement(claim, list(rationale)) if stance == "supports" else None
    if overstated:
        signals.insert(0, overstated)
        reasons.append(f"The claim is stronger than this evidence ({overstated.split(': ', 1)[1]}).")
    return PairReading(stance, label, rows[best], rationale, sentences, rows, tuple(signals), tuple(reasons))

