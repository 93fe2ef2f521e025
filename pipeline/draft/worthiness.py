"""Check-worthiness of a sentence: rule signals on a spaCy Span, each with a weight, summed.

Empirical statements (figures, study language, effects of a treatment, mechanisms, conditions
of a population, attributed words) score up; opinion, rhetoric, questions, predictions, advice
to the reader and anecdote score down. The signals are kept so the draft can say why.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Span

from pipeline.draft import lexicon as lx
from pipeline.draft.cites import find_cites
from pipeline.draft.figures import find_numbers
from pipeline.draft.pico import Topic
from pipeline.nlp.tokenizer import ABBREVIATIONS


# (signal, weight): positive for what makes a claim checkable, negative for what makes it opinion.
WEIGHTS = {
    "percent": 2.5, "figure": 1.5, "study": 2.0, "shown": 1.5, "citation": 2.0,
    "effect-verb": 1.5, "efficacy": 1.5, "safety": 1.5, "mechanism": 1.0, "condition": 1.0,
    "condition-verb": 1.0, "administration": 1.0, "population": 0.5, "frequency": 0.5,
    "topic": 1.0, "comparative": 0.5, "attribution": 1.0, "quote-named": 2.5, "quote-unnamed": 1.0,
    "hedge": -0.5, "prediction": -2.0, "question": -3.0, "exclamation": -1.5, "first-person": -1.5,
    "anecdote": -1.5, "second-person": -1.5, "imperative": -2.0, "evaluative": -1.0, "short": -2.0,
    "meta": -4.0,
}


@dataclass(frozen=True)
class Worthiness:
    score: float
    signals: tuple[str, ...]


def _topic_terms(topic: Topic) -> tuple[str, ...]:
    return tuple(t for t in (topic.intervention, *topic.aliases) if t)


def signals(span: Span, topic: Topic, quoted: bool = False, speaker_named: bool = False) -> tuple[str, ...]:
    """The rule signals that fire on a sentence (or a whole quotation when `quoted`)."""
    text = span.text
    words = [t for t in span if not t.is_punct and not t.is_space]
    found: list[str] = []

    def when(name: str, hit: object) -> None:
        if hit:
            found.append(name)

    numbers = find_numbers(text)
    when("percent", any(n.unit in ("%", "percentage points") for n in numbers))
    when("figure", any(n.unit not in ("%", "percentage points") for n in numbers))
    when("study", lx.STUDY.search(text))
    when("shown", lx.SHOWN.search(text))
    when("citation", any(c.journal or c.year or (c.outlet and not c.person) for c in find_cites(text)))
    when("effect-verb", lx.EFFECT.search(text))
    when("efficacy", lx.EFFICACY.search(text))
    when("safety", lx.SAFETY.search(text))
    when("mechanism", lx.MECHANISM.search(text))
    when("condition", lx.CONDITIONS.search(text))
    when("condition-verb", lx.CONDITION_VERB.search(text))
    when("administration", lx.ADMINISTRATION.search(text))
    when("population", lx.POPULATIONS.search(text) or any(t.lower_ in ("patients", "individuals") for t in words))
    when("frequency", lx.FREQUENCY.search(text))
    lowered = text.lower()
    when("topic", any(term.lower() in lowered for term in _topic_terms(topic)) or lx.TREATMENT_ANAPHOR.search(text))
    when("comparative", lx.COMPARATIVE.search(text))
    when("attribution", not quoted and lx.ATTRIBUTION.search(text))
    if quoted:
        found.append("quote-named" if speaker_named else "quote-unnamed")
    when("hedge", lx.HEDGE.search(text))
    when("prediction", lx.PREDICTION.search(text))
    when("question", text.rstrip('"\u201d ').endswith("?"))
    when("exclamation", text.rstrip('"\u201d ').endswith("!"))
    when("first-person", not quoted and lx.FIRST_PERSON.search(text))
    when("anecdote", quoted and not speaker_named and lx.FIRST_SINGULAR.search(text))
    when("second-person", lx.SECOND_PERSON.search(text))
    when("imperative", words and lx.IMPERATIVE_START.match(words[0].text))
    when("evaluative", lx.EVALUATIVE.search(text))
    when("short", len(words) < 6)
    when("meta", lx.META.search(text))
    return tuple(found)


def score(found: tuple[str, ...]) -> Worthiness:
    return Worthiness(round(sum(WEIGHTS[s] for s in found), 2), found)


def worthiness(span: Span, topic: Topic, quoted: bool = False, speaker_named: bool = False) -> Worthiness:
    return score(signals(span, topic, quoted, speaker_named))


@lru_cache(maxsize=1)
def sentence_nlp() -> Language:
    """Blank English with the sentencizer; abbreviations such as 'Dr.' do not end a sentence.

    The extraction pipeline's abbreviation list is kept as special cases in spaCy's own
    tokenizer (as written, capitalised and upper-cased: "vs.", "Dr.", "U.S."), so the dot stays
    on the abbreviation's token and the sentencizer does not split there.
    """
    from spacy.symbols import ORTH

    nlp = spacy.blank("en")
    for word in ABBREVIATIONS:
        for form in {word, word.capitalize(), word.upper()}:
            nlp.tokenizer.add_special_case(form + ".", [{ORTH: form + "."}])
    nlp.add_pipe("sentencizer")
    return nlp
