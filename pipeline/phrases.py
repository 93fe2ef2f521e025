"""Phrase matching that keeps concepts apart: shared by the relevance gate and local search. Pure.

A phrase matches when its content words stand within a few words of each other. Morphology
keeps concepts apart: an -ing or -ed form ("fasting", "weighted") matches only -ing and -ed
forms ("fasted", "weighted"), never the bare word ("fast food", "weight"); a bare word
("exercise") matches its inflected forms too ("exercising", "exercises"). The stem is crude and
stable, for an overlap an editor can check by eye.
"""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")

STOPWORDS = frozenset(
    """a an and are as at be been being but by can could did do does for from had has have
    how in into is it its may might more most much of on or our over per so such than that the
    their them then there these they this those through to under up upon was we were what when
    which while who whom will with within without would you your after before about also just
    only very even both each other some any all no not nor one two three four five shown show
    shows found find study studies research researchers people patient patients participant
    participants individual individuals use used using help helps like""".split()
)

# Words that never name a concept, so a PICO phrase made of them (a drafter's "you", "others",
# "the risk of") constrains nothing: pronouns and the generic nouns of effect claims.
NOT_A_CONCEPT = frozenset("""i me my myself you yourself yourselves he him his she her it itself we us
    ourselves they them themselves someone somebody anyone anybody everyone everybody others person
    persons risk risks chance chances effect effects outcome outcomes rate rates level levels amount
    thing things way ways""".split())

# Words of a phrase may stand this many words further apart than the phrase itself
# ("fasting on alternate days" for "alternate-day fasting").
SLACK = 3
# A long phrase (a drafted clause, "severity of depressive symptoms in adolescents") matches on
# this share of its content words, anywhere in the record.
LONG_PHRASE = 4
LONG_SHARE = 2 / 3

_SUFFIXES = ("ations", "ation", "ings", "ing", "ions", "ion", "ives", "ive", "edly", "ed",
             "ies", "es", "s")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A crude, stable stem: 'therapies'->'therapy', 'reduced'/'reduces'/'reducing'->'reduc'."""
    w = word.lower().replace("'", "")
    if len(w) <= 3 or w.isdigit():
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("ss", "us", "is")):
        return w
    for suffix in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            break
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    return w


_DIGRAPH = re.compile(r"(?:ae|oe)(?=.)")
_OUR = re.compile(r"(?<=...)our(?=s?$)")
_ISE = re.compile(r"(?<=...)is(?=(?:e|ed|es|ing|ation|ations)$)")


def spelling(word: str) -> str:
    """One spelling for British and American forms: 'anaesthesia' -> 'anesthesia', 'tumour' ->
    'tumor', 'randomised' -> 'randomized'. Both sides of a match go through it."""
    return _ISE.sub("iz", _OUR.sub("or", _DIGRAPH.sub("e", word)))


def _is_inflected(word: str) -> bool:
    return len(word) > 5 and word.endswith(("ing", "ed"))


def word_key(word: str) -> str:
    """The key a record's word is indexed under: 'v:' marks an -ing or -ed form."""
    key = stem(spelling(word))
    return f"v:{key}" if _is_inflected(word) else key


def wanted_keys(word: str) -> frozenset[str]:
    """Keys a claim's word accepts: an -ing/-ed form only -ing/-ed forms; a bare word any form."""
    key = stem(spelling(word))
    return frozenset({f"v:{key}"}) if _is_inflected(word) else frozenset({key, f"v:{key}"})


@lru_cache(maxsize=4096)
def text_positions(text: str) -> dict[str, tuple[int, ...]]:
    """Key -> word positions in `text` (lower-cased; hyphenated words split, and joined at the
    first part's position so 'post-traumatic' meets 'posttraumatic')."""
    positions: dict[str, list[int]] = {}
    words: list[str] = []
    for raw in re.findall(r"[a-z0-9]+(?:[-'\u2010\u2011][a-z0-9]+)*", text.lower()):
        parts = [p for p in re.split(r"[-\u2010\u2011]", raw.replace("'", "")) if p]
        if len(parts) > 1:
            positions.setdefault(word_key("".join(parts)), []).append(len(words))
        words.extend(parts)
    for i, word in enumerate(words):
        positions.setdefault(word_key(word), []).append(i)
    for i, (left, right) in enumerate(zip(words, words[1:])):
        positions.setdefault(word_key(left + right), []).append(i)
    return {k: tuple(v) for k, v in positions.items()}


def phrase_words(phrase: str) -> list[str]:
    """Content words of a phrase, hyphens split ('alternate-day fasting' -> alternate, day, fasting)."""
    words = []
    for raw in _WORD.findall(phrase.lower().replace("-", " ").replace("\u2010", " ")):
        raw = raw.removesuffix("'s")
        if raw not in STOPWORDS and raw not in NOT_A_CONCEPT and not raw.isdigit():
            words.append(raw)
    return words


def hits_of(words: list[str], doc: dict[str, tuple[int, ...]]) -> list[tuple[int, ...]]:
    """The positions in `doc` of each word, in any form the word accepts."""
    return [tuple(sorted({p for k in wanted_keys(w) for p in doc.get(k, ())})) for w in words]


def phrase_in(phrase: str, doc: dict[str, tuple[int, ...]]) -> bool:
    """The phrase's words near each other in `doc` (a long phrase: most of its words anywhere)."""
    words = phrase_words(phrase)
    if not words:
        return False
    hits = hits_of(words, doc)
    if len(words) >= LONG_PHRASE:
        return sum(1 for h in hits if h) / len(words) >= LONG_SHARE
    if not all(hits):
        return False
    span = len(words) - 1 + SLACK
    return any(all(any(abs(p - start) <= span for p in h) for h in hits[1:]) for start in hits[0])




def mesh_as_text(heading: str) -> str:
    """'Depressive Disorder, Treatment-Resistant' -> 'Treatment-Resistant Depressive Disorder'."""
    parts = [p.strip() for p in heading.split(",")]
    return " ".join(reversed(parts)) if len(parts) == 2 else heading
