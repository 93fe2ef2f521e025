"""A stand-in for the stance encoder in tests of the verdict rules (not of stance reading).

It reads a sentence by the rule cues alone: a negative finding contradicts, efficacy or
improvement wording supports, anything else says nothing. Verdict tests then fix the stance of
each hand-made source by its wording, whatever the committed model would make of it; the
encoder's own reading of hard cases is tested in test_stance_hard_cases.py.
"""

from __future__ import annotations

import re

import numpy as np

from pipeline.rating.cues import NEGATIVE_CUES, POSITIVE_CUES, adverse_context
from pipeline.rating.encoder import Decision

_BETTER = re.compile(r"\b(?:reduc\w*|improv\w*|decreas\w*|increas\w*|lower\w*|reliev\w*|alleviat\w*)\b")


class CueScorer:
    decision = Decision("max_sentence", 0.5)

    def __call__(self, claim: str, sentences) -> np.ndarray:
        rows = []
        for s in sentences:
            low = s.lower()
            negative = any(m and not adverse_context(low, m) for _, rx in NEGATIVE_CUES for m in [rx.search(low)])
            positive = any(rx.search(low) for _, rx in POSITIVE_CUES) or _BETTER.search(low)
            rows.append([0.05, 0.9, 0.05] if negative else [0.9, 0.05, 0.05] if positive else [0.1, 0.1, 0.8])
        return np.array(rows, dtype=np.float32).reshape(-1, 3)
