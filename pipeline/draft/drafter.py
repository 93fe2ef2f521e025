"""ArticleText -> drafted claims: candidate units (sentences, quotations), scored, ranked, filled in.

A unit is a sentence of a paragraph, or a whole quotation paragraph with the speaker named in
the lead-in before it ("Dr. X, founder of Y, explains:") and the outlet after it ("(Source: Z)").
Headings and inline labels ("Rapid Relief: ...") are context for the PICO guesses, never claims.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language

from pipeline.draft.article import HEADING, QUOTATION, ArticleText, Block
from pipeline.draft.cites import QUOTED_WORDS, Person, find_cites, find_people, source_tag, speaker_of
from pipeline.draft.figures import find_numbers
from pipeline.draft.lexicon import ATTRIBUTION, STOPWORDS, THRESHOLD
from pipeline.draft.pico import Pico, Topic, article_topic, guess_pico
from pipeline.draft.wording import guess_kind, reword
from pipeline.draft.worthiness import Worthiness, sentence_nlp, worthiness
from pipeline.text import slugify
from pipeline.types import Citation, ClaimNumber

_OPEN_QUOTES, _CLOSE_QUOTES = ('"', "\u201c"), ('"', "\u201d")
# "Rapid Relief: Unlike ..." -> label "Rapid Relief"; a short title-case run before a colon.
_INLINE_LABEL = re.compile(r"^((?:[A-Z][\w'\u2019-]*|of|the|and|for|in|to|a|an|on|with)"
                           r"(?:\s+(?:[A-Z][\w'\u2019-]*|of|the|and|for|in|to|a|an|on|with)){0,5}):\s+(?=\S)")
_SOURCE_ONLY = re.compile(r"^\(\s*Source:[^)]*\)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Unit:
    """A candidate claim: its verbatim text and what surrounds it."""

    text: str
    context: str  # the heading and inline label it sits under
    quoted: bool = False
    speaker: Person | None = None
    source: str | None = None  # outlet named by a '(Source: ...)' tag


@dataclass(frozen=True)
class DraftClaim:
    id: str
    quote: str
    claim: str
    kind: str
    pico: Pico
    numbers: tuple[ClaimNumber, ...]
    cites: tuple[Citation, ...]
    worthiness: Worthiness
    rank: int


@dataclass(frozen=True)
class Draft:
    title: str
    claims: tuple[DraftClaim, ...]  # in article order
    candidates: int  # units scored
    near_misses: tuple[tuple[float, str], ...]  # best units below the threshold: (score, text)


def _is_quotation(block: Block) -> bool:
    text = block.text
    if block.kind == QUOTATION:
        return True
    inner = text[1:-1]
    return text.startswith(_OPEN_QUOTES) and text.endswith(_CLOSE_QUOTES) and not any(q in inner for q in '"\u201c\u201d')


def _unquote(text: str) -> str:
    return text[1:-1].strip() if text.startswith(_OPEN_QUOTES) and text.endswith(_CLOSE_QUOTES) else text


def _is_lead_in(block: Block, following: Block | None) -> bool:
    return block.text.rstrip().endswith(":") and following is not None and _is_quotation(following)


_DANGLING_OPENER = re.compile(r"\s([\"\u201c(])$")


def split_sentences(nlp: Language, text: str) -> list[str]:
    """spaCy's sentences, with an opening quote or bracket the sentencizer left at the end of a
    sentence moved to the start of the next one ('... says. "' + 'They ...' -> '"They ...')."""
    out: list[str] = []
    carry = ""
    for sent in nlp(text).sents:
        piece = carry + sent.text.strip()
        carry = ""
        dangling = _DANGLING_OPENER.search(piece)
        if dangling:
            piece, carry = piece[: dangling.start()], dangling.group(1)
        if piece.strip():
            out.append(piece.strip())
    if carry and out:
        out[-1] += " " + carry
    return out


def units(article: ArticleText, people: tuple[Person, ...]) -> list[Unit]:
    """Every candidate claim of the article, in order."""
    nlp = sentence_nlp()
    out: list[Unit] = []
    heading = ""
    speaker: Person | None = None  # named by the lead-in of the next quotation
    blocks = article.blocks
    for i, block in enumerate(blocks):
        after = blocks[i + 1] if i + 1 < len(blocks) else None
        if block.kind == HEADING:
            heading = block.text
            continue
        if block.kind not in ("paragraph", QUOTATION) or _SOURCE_ONLY.match(block.text):
            continue
        if _is_quotation(block):
            source = source_tag(after.text) if after is not None else None
            out.append(Unit(_unquote(block.text), heading, quoted=True, speaker=speaker, source=source))
            speaker = None
            continue
        label = _INLINE_LABEL.match(block.text)
        body = block.text[label.end():] if label else block.text
        context = f"{heading} {label.group(1)}" if label else heading
        source = source_tag(body)
        sentences = split_sentences(nlp, body)
        if _is_lead_in(block, after):  # "Dr. X, founder of Y, explains:" introduces the quotation
            speaker = speaker_of(sentences.pop(), people)
        for text in sentences:
            if _SOURCE_ONLY.match(text):
                continue
            quoted = bool(QUOTED_WORDS.search(text) and ATTRIBUTION.search(QUOTED_WORDS.sub(" ", text)))
            out.append(Unit(text, context, quoted=quoted, speaker=speaker_of(text, people) if quoted else None,
                            source=source))
    return out


def _claim_id(text: str, taken: set[str]) -> str:
    words = [w for w in re.findall(r"[A-Za-z0-9]+", text.lower()) if w not in STOPWORDS][:5]
    base = slugify(" ".join(words), max_len=40)
    claim_id, n = base, 2
    while claim_id in taken:
        claim_id, n = f"{base}-{n}", n + 1
    taken.add(claim_id)
    return claim_id


def _fill(unit: Unit, topic: Topic, score: Worthiness, rank: int, taken: set[str]) -> DraftClaim:
    numbers = find_numbers(unit.text)
    cites = find_cites(unit.text, speaker=unit.speaker, source=unit.source)
    named = unit.text
    for journal in (c.journal for c in cites if c.journal):  # "Journal of Exercise Physiology" is not an intervention
        named = named.replace(journal, " " * len(journal))
    pico = guess_pico(named, topic, unit.context)
    kind = guess_kind(unit.text, numbers, cites, pico, unit.quoted)
    return DraftClaim(
        id=_claim_id(unit.text, taken), quote=unit.text, claim=reword(unit.text, kind, pico, cites), kind=kind,
        pico=pico, numbers=numbers, cites=cites, worthiness=score, rank=rank,
    )


def _people(article: ArticleText) -> tuple[Person, ...]:
    """Everyone the article names, first mention (which usually carries the affiliation) first."""
    found: dict[str, Person] = {}
    for block in article.blocks:
        for person in find_people(block.text):
            found.setdefault(person.name, person)
    return tuple(found.values())


def draft(article: ArticleText, min_score: float = THRESHOLD, max_claims: int | None = None) -> Draft:
    """Score every unit, keep those at or above `min_score` (best `max_claims`), in article order."""
    body = "\n".join(b.text for b in article.blocks)
    topic = article_topic(article.title, body)
    people = _people(article)
    nlp = sentence_nlp()
    candidates = units(article, people)
    scored = [(worthiness(nlp(u.text)[:], topic, u.quoted, bool(u.speaker)), i, u) for i, u in enumerate(candidates)]
    ranked = sorted(scored, key=lambda item: (-item[0].score, item[1]))
    kept = [item for item in ranked if item[0].score >= min_score][:max_claims]
    rank_of = {i: r for r, (_, i, _) in enumerate(ranked, 1)}
    taken: set[str] = set()
    claims = tuple(_fill(u, topic, w, rank_of[i], taken) for w, i, u in sorted(kept, key=lambda item: item[1]))
    kept_ids = {i for _, i, _ in kept}
    misses = tuple((w.score, u.text) for w, i, u in ranked if i not in kept_ids)[:5]
    return Draft(title=article.title, claims=claims, candidates=len(candidates), near_misses=misses)
