"""The rule cues of result language (`stance.py` shows them as signals): a leaf module that
imports nothing of the rating package, so no import circle can run through it (issue 17).

NEGATIVE_CUES name negative findings ("no significant difference", "did not reduce", "failed to",
"comparable to placebo"); POSITIVE_CUES efficacy wording ("effective", "superior to").
"""

from __future__ import annotations

import re

_ADVERSE = re.compile(r"advers|side[- ]effect|complication|toxic|safety|tolera|psychotomimetic|"
                      r"hemodynamic|haemodynamic|dissociat|nausea|vomit|hallucinat|serious")

NEGATIVE_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("negated", re.compile(
        r"\b(?:did|does|do|could|was|were|has|have|had) not (?:\w+ly )?(?:\w+ly )?(?:be )?"
        r"(?:reduc\w*|decreas\w*|improv\w*|lower\w*|alleviat\w*|reliev\w*|ameliorat\w*|"
        r"attenuat\w*|chang\w*|affect\w*|benefit\w*|prevent\w*|shorten\w*|enhanc\w*)")),
    ("no significant difference", re.compile(
        r"\bno (?:statistically |clinically )?significant(?:ly)? (?:\w+ ){0,3}?"
        r"(?:differences?|effects?|changes?|improvements?|reductions?|benefits?|associations?)\b")),
    ("not significant", re.compile(
        r"\bnot (?:statistically )?significant(?:ly)?(?: (?:different|differ\w*|improv\w*|"
        r"reduc\w*|better|associated|changed?))?\b|\bnon-?significant\b")),
    ("did not differ", re.compile(r"\b(?:did|does|do) not (?:significantly )?differ\b|"
                                  r"\bwere (?:not different|similar)\b")),
    ("could not show", re.compile(r"\b(?:could|did|does|do|was|were) not (?:\w+ )?(?:show|demonstrate|find|"
                                  r"detect|confirm|support|establish)\w*")),
    ("failed to", re.compile(r"\bfail(?:ed|s)? to (?:\w+ )?(?:show|improve|reduce|demonstrate|"
                             r"find|achieve|separate|prevent|decrease|relieve|produce|detect)\w*")),
    ("no evidence", re.compile(r"\bno (?:\w+ ){0,2}?(?:evidence|benefit|advantage|difference|"
                               r"improvement|reduction|effects?)\b")),
    ("not effective", re.compile(r"\b(?:not|non)[- ]?(?:effective|efficacious|superior|beneficial)\b|"
                                 r"\bineffective\b|\black of (?:efficacy|effect|benefit)\b")),
    ("comparable to placebo", re.compile(
        r"\b(?:comparable|similar|equivalent|no better than) (?:\w+ )?(?:to )?(?:placebo|sham|control)\b|"
        r"\bdid not (?:differ|separate) from (?:placebo|sham)\b")),
    ("worse", re.compile(r"\bworse(?:ned|ning)?\b|\bexacerbat\w*|\bdeteriorat\w*")),
)

POSITIVE_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "effective dose/concentration" is pharmacology, not a finding of efficacy.
    ("effective", re.compile(r"\b(?:effective|efficacious)\b(?! (?:dose|doses|concentration|"
                             r"plasma|site|serum|level))")),
    ("superior", re.compile(r"\bsuperior to\b|\boutperform\w*|\bmore effective than\b")),
    ("antidepressant effect", re.compile(
        r"\b(?:rapid|robust|sustained|significant|potent)? ?antidepressant (?:effects?|response|efficacy)\b")),
    ("response/remission", re.compile(r"\b(?:response|remission) rates?\b|\b(?:achieved|in) remission\b")),
    ("benefit", re.compile(r"\bbenefici\w*|\bbenefit(?:s|ed)?\b")),
)


def adverse_context(low: str, match: re.Match[str]) -> bool:
    """True when a negative cue is about harms ("no serious adverse events"), not efficacy."""
    return bool(_ADVERSE.search(low[match.start():match.end() + 40]))
