"""Where a sentence names its treatment or exposure, and its outcome: cue words before or after
a noun phrase. Developed on the Evidence Inference train split (trial sentences) and on wellness
writing ("adults who fasted every other day", "ashwagandha extract"). Pure functions.
"""

from __future__ import annotations

import re

from pipeline.draft.phrases import (
    NOT_TREATMENT_HEAD, PRONOUNS, UNITS, fit_for_pico, gerund, noun_phrase, phrase_before, trim,
)

# "took curcumin", "treated with X", "effect of X": the phrase after the cue is the treatment.
_BEFORE_TREATMENT = re.compile(
    r"\b(?:took|take|takes|taking|received|receive|receives|receiving|(?:were|was|are|is|been)\s+given|"
    r"given|treated\s+with|treatment\s+with|therapy\s+with|supplementation\s+with|supplemented\s+with|"
    r"supplementing\s+with|(?:randomi[sz]ed|assigned|allocated)\s+to(?:\s+(?:receive|either))?|"
    r"exposure\s+to|exposed\s+to|(?:the\s+)?(?:effects?|efficacy|safety|benefits?|use|addition|"
    r"administration|intake|consumption|impact)\s+of|drank|drink|drinking|drinks|ate|eating|eats|"
    r"consum(?:ed|ing|es)|wore|wear|wearing|wears|slept\s+(?:under|with)|sleeping\s+(?:under|with)|"
    r"used|using|injected\s+with|infusion\s+of|dose\s+of|doses\s+of|course\s+of|after\s+(?:a\s+)?"
    r"(?:administration\s+of|taking|receiving)|combined\s+with|plus|practi[cs]ed|practi[cs]ing|"
    r"swear\s+by)\s+", re.IGNORECASE)
# "the trimetazidine group", "in the ultrasound arm": the phrase before the word names the arm.
_ARM = re.compile(r"\s+(?:group|groups|arm|arms)\b", re.IGNORECASE)
_NON_ARM = re.compile(r"^(?:control|placebo|comparison|study|two|both|all|each|treatment|intervention|"
                      r"experimental|age|sham|usual|standard|other|first|second|third|either|same|"
                      r"[A-Z]|\d+)$", re.IGNORECASE)
# "Group Endobutton", "with intranasal glucagon" after a comparison, "X versus Y".
_ARM_AFTER = re.compile(r"\b(?:[Gg]roups?|arm)\s+(?=[A-Z0-9])|\b" + r"(?:higher|lower|greater|better|worse|shorter|longer|"
                        r"more|less|fewer|reduced|increased|improved|decreased|different|similar|comparable|"
                        r"superior|inferior)\s+(?:with|using|after|for|in\s+the)\s+", re.IGNORECASE)
_VERSUS = re.compile(r"\s+(?:versus|vs\.?|compared\s+(?:with|to)|as\s+compared\s+(?:with|to)|over)\s+", re.IGNORECASE)
# "people who fasted every other day": the clause names an activity.
_WHO_DID = re.compile(r"\bwho\s+(?:regularly\s+|also\s+|often\s+|daily\s+)?([a-z]{3,}ed)\s+", re.IGNORECASE)
_NOT_ACTIVITY = frozenset("reported showed received used needed wanted tried started stopped continued completed "
                          "developed experienced suffered lived remained returned failed agreed declined "
                          "participated enrolled attended answered responded noticed described lost gained "
                          "followed underwent improved increased decreased reduced presented required "
                          "consumed practised practiced".split())
# Treatment head words: a phrase ending in one is a treatment wherever it stands.
_TREATMENT_HEAD = re.compile(
    r"\b(?:supplements?|supplementation|extracts?|capsules?|tablets?|pills?|lozenges?|gumm(?:y|ies)|teas?|"
    r"oils?|powders?|peptides?|juices?|vinegar|yog(?:h)?urt|drinks?|wort|root|leaf|leaves|seeds?|"
    r"therapy|therapies|diets?|fasting|eating|training|exercises?|yoga|meditation|acupuncture|massage|"
    r"immersion|baths?|bathing|showers?|saunas?|blankets?|glasses|lenses|patch(?:es)?|sprays?|injections?|"
    r"infusions?|vaccines?|vaccination|probiotics?|prebiotics?|surgery|stimulation|psilocybin|"
    r"mindfulness|breathing|walking|running|cycling|hypnosis|counsel(?:l)?ing|implants?|devices?)\b"
    r"(?!\s+(?:disorders?|disease|habits?|blood|plasma|serum|glucose|insulin|levels?|capacity|quality|groups?))",
    re.IGNORECASE)
_CHANGE = (r"(?:significantly\s+|statistically\s+|markedly\s+|slightly\s+|also\s+|not\s+|no\s+)*"
           r"(?:lower|higher|reduced|increased|decreased|improved|greater|better|worse|shorter|longer|"
           r"similar|different|comparable|unchanged|elevated|fewer|less|more|smaller|larger|superior|inferior)")
# "Peak pressure was significantly lower", "IKDC results were not different": the subject is the outcome.
_OUTCOME_BEFORE = re.compile(r"\s+(?:was|were|is|are|did\s+not\s+differ|differed|remained|tended\s+to\s+be|occurred|"
                             r"(?:showed|had|demonstrated|revealed)\s+no\s+(?:significant\s+)?(?:difference|change)|"
                             r"(?:de|in)creased|improved|reduced|fell|rose|declined|dropped)\b(?:\s+" + _CHANGE + r")?",
                             re.IGNORECASE)
# "melatonin shortened the time": an effect verb with an object after it; its subject is the treatment.
_EFFECT_VERB = re.compile(r"\s+(?:reduc|lower|improv|increas|decreas|rais|boost|prevent|reliev|enhanc|shorten|"
                          r"lengthen|eas|relax|calm|smooth|strengthen|protect|cut|slow|delay|speed|halv|doubl|"
                          r"treat|cur|restor)(?:e|es|ed|s|ing)?\b", re.IGNORECASE)
_NOT_OBJECT = frozenset("significantly markedly slightly also not by from after before during in at to over with "
                        "when while over compared than and or but as".split())
# "reduced the risk of X", "difference in X", "less joint pain": the phrase after the cue is the outcome.
_BEFORE_OUTCOME = re.compile(
    r"\b(?:(?:differences?|changes?|reductions?|improvements?|increases?|decreases?|declines?|rises?|"
    r"effects?|impact)\s+(?:in|on|of|regarding|for)|in\s+terms\s+of|with\s+respect\s+to|regarding|"
    r"(?:reduc|lower|improv|increas|decreas|rais|boost|prevent|reliev|enhanc|shorten|lengthen|"
    r"worsen|eas|relax|calm|smooth|strengthen|protect|cut|slow|delay|speed)(?:e|es|ed|ing|s)?|"
    r"(?:the\s+)?(?:risk|odds|incidence|rates?|levels?|severity|duration|frequency)\s+of|less|fewer|"
    r"more|better|lower|higher|shorter|longer|(?:differences?|changes?)\s+(?:\w+\s+)?(?:groups?\s+)?for\s+the)\s+",
    re.IGNORECASE)


# "Effect of vitamin D on bone density", "... in the treatment of asthma".
_EFFECT_ON = re.compile(r"\b(?:(?:effects?|impact|influence|efficacy|role)\s+of\s+[^.;:]{1,80}?\s+on|"
                        r"(?:in|for)\s+the\s+(?:treatment|management|prevention)\s+of)\s+", re.IGNORECASE)


def _clean(phrase: str) -> str:
    """A phrase with a trailing number, article or 'of' dropped."""
    return trim(phrase)


def _keep(found: list[str], phrase: str) -> None:
    """Add a phrase fit for a PICO field, unless it repeats (or sits inside) one already found."""
    phrase = _clean(phrase)
    low = phrase.lower()
    if phrase and fit_for_pico(phrase) and not any(low in f.lower() or f.lower() in low for f in found):
        found.append(phrase)


_MEASURE_OF = re.compile(r"^(?:the\s+)?(?:risk|odds|incidence|rates?|levels?|severity|duration|frequency|"
                         r"number|amount|proportion|percentage|occurrence)\s+of\s+", re.IGNORECASE)
_PEOPLE_END = re.compile(r"\b(?:patients|people|participants|subjects|adults|children|women|men|infants|"
                         r"individuals|cases|controls|groups?)$", re.IGNORECASE)


def _keep_outcome(found: list[str], phrase: str) -> None:
    """An outcome is what is measured: 'risk of respiratory infections' -> 'respiratory infections';
    a phrase ending in people ('frequency of patients') is not one."""
    phrase = _MEASURE_OF.sub("", phrase)
    phrase = re.sub(r"\s+(?:of|in)\s+(?:the\s+)?[\w\s-]*\b(?:groups?|arms?|patients|participants)$", "", phrase)
    if not _PEOPLE_END.search(phrase):
        _keep(found, phrase)


def _after_container(phrase: str) -> str:
    """'a daily dose of vitamin D' -> 'vitamin D'; '30 seconds of cold water' -> 'cold water'."""
    m = re.search(r"\b(?:dose|doses|course|cup|cups|glass|glasses|serving|servings|spoonfuls?|teaspoons?|"
                  r"tablespoons?|handfuls?|portions?|seconds|minutes|hours|"
                  r"sessions?|amount|form|mix|combination|kind|type|use)\s+of\s+", phrase, re.IGNORECASE)
    return phrase[m.end():] if m else phrase


_NEGATION_BEFORE = re.compile(r"(?:\s+(?:did|does|do|could|would|can|will|may|might)\s+not|\s+failed\s+to)$",
                              re.IGNORECASE)
_PLACE_TIME = frozenset("before after at in on for during until since from to by into within".split())


def _has_object(text: str, end: int) -> bool:
    """Is the verb ending at `end` followed by its object ("shortened the time"), not by an adverb,
    a preposition, a number or the end of the clause ("decreased significantly after ...")?"""
    m = re.match(r"\s+([A-Za-z][\w'-]*)", text[end:])
    return bool(m) and m.group(1).lower() not in _NOT_OBJECT and not m.group(1).lower().endswith("ly")


def find_treatments(text: str) -> list[str]:
    """The treatments or exposures a sentence names, in the order the cues are met."""
    found: list[str] = []
    for m in _BEFORE_TREATMENT.finditer(text):
        _keep(found, _after_container(noun_phrase(text, m.end(), 5)))
    for m in _WHO_DID.finditer(text):
        verb = m.group(1)
        if verb.lower() in _NOT_ACTIVITY:
            continue
        rest = noun_phrase(text, m.end(), 4, allow_of=False, skip_determiners=False)
        after = text[m.end():]
        with_ = re.match(re.escape(rest) + r"\s+with\s+", after) if rest else None
        if with_:  # "ended their daily shower with 30 seconds of cold water"
            rest += " with " + noun_phrase(after, with_.end(), 5, skip_determiners=False)
        to_ = re.match(r"(to|with|onto)\s+", after, re.IGNORECASE) if not rest else None
        if to_:  # "who switched to standing desks": what they took up follows the preposition
            rest = noun_phrase(after, to_.end(), 4, allow_of=False)
            rest = f"{to_.group(1).lower()} {rest}" if rest else ""
        _keep(found, f"{gerund(verb)} {rest}".strip())
    for m in _EFFECT_VERB.finditer(text):
        negated = _NEGATION_BEFORE.search(text, 0, m.start())  # "X did not reduce Y": X is still the treatment
        start = negated.start() if negated else m.start()
        subject = phrase_before(text, start, 4)
        before = re.search(r"(\w+)\s+" + re.escape(subject) + r"$", text[:start]) if subject else None
        if before and before.group(1).lower() in _PLACE_TIME:
            # "a spoonful of honey at bedtime reduced ...": the subject stands before the place or
            # time; in "(two hours before) bed improved ..." what stands there is no treatment.
            outer = _after_container(phrase_before(text, before.start(1), 4))
            subject = outer if outer and fit_for_pico(outer) and outer.split()[-1].lower() not in UNITS else ""
        if subject and _has_object(text, m.end()):
            _keep(found, _after_container(subject))
    for m in _ARM_AFTER.finditer(text):
        phrase = re.sub(r"\s+(?:groups?|arms?)$", "", noun_phrase(text, m.end(), 4), flags=re.IGNORECASE)
        if phrase and not _NON_ARM.match(phrase.split()[0]):
            _keep(found, phrase)
    for m in _VERSUS.finditer(text):
        phrase = phrase_before(text, m.start(), 4)
        if phrase and not _NON_ARM.match(phrase.split()[-1]):
            _keep(found, phrase)
    for m in _ARM.finditer(text):
        arm = phrase_before(text, m.start(), 4)
        if arm and not _NON_ARM.match(arm.split()[-1]) and arm.split()[0].lower() not in PRONOUNS:
            _keep(found, arm)
    for m in _TREATMENT_HEAD.finditer(text):
        phrase = phrase_before(text, m.end(), 4)
        if phrase:
            _keep(found, _after_container(phrase))
    return [f for f in found if not NOT_TREATMENT_HEAD.search(f)]


def find_outcomes(text: str) -> list[str]:
    """The outcomes a sentence names: the subject of 'was lower', the object of an effect verb, the
    phrase after 'difference in' or 'less'."""
    found: list[str] = []
    for m in _EFFECT_ON.finditer(text):
        _keep_outcome(found, noun_phrase(text, m.end(), 5, allow_and=True))
    for m in _OUTCOME_BEFORE.finditer(text):
        if m.group(0).strip().lower() in ("was", "were", "is", "are") and not re.search(_CHANGE, m.group(0), re.I):
            continue  # "X was given": only a change or a comparison makes the subject an outcome
        if _EFFECT_VERB.fullmatch(m.group(0)) and _has_object(text, m.end()):
            continue  # "X improved sleep quality": X is the treatment
        _keep_outcome(found, phrase_before(text, m.start(), 5))
    for m in _BEFORE_OUTCOME.finditer(text):
        _keep_outcome(found, noun_phrase(text, m.end(), 5, allow_and=True))
    return found
