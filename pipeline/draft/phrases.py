"""Noun phrases of a sentence without a tagger, and the test of what may stand in a PICO field.

spaCy here is `spacy.blank("en")` (no part-of-speech tagger), so a phrase is a run of words cut
at punctuation, function words and verb forms. Pure functions.
"""

from __future__ import annotations

import re

WORD = re.compile(r"[A-Za-z0-9][\w'\u2019-]*|[^\w\s]")
DETERMINERS = frozenset("the a an their its your his her our my this these that those some any each every "
                        "such".split())
PRONOUNS = frozenset("i you he she it we they me him us them one ones someone something everyone everybody "
                     "anyone anything nothing people who what which whom whose there here yourself themselves "
                     "itself this that these those".split())
FUNCTION = frozenset("and or in for by with from after while when that which who whom whose than to as at on "
                     "over under into onto about around without within if because so but not no nor is are was "
                     "were be been being has have had do does did can may might could will would should must "
                     "shall also only just even still then there here very more most less least much many "
                     "among between during before until since via per versus vs compared whether through "
                     "throughout alongside despite against toward towards across beyond like unlike except "
                     "upon up down out off".split())
# Verb forms that never head a PICO phrase (a tagger would tell; without one, the common ones).
VERBS = frozenset("going go goes went gone get gets got getting do doing done make makes made making take takes "
                  "took taken taking give gives gave given giving feel feels felt feeling try tries tried trying "
                  "say says said saying seem seems seemed look looks looked find finds found keep keeps kept "
                  "become becomes became help helps helped helping show shows showed shown need needs needed "
                  "want wants wanted know knows knew come comes came think thinks thought see sees saw seen "
                  "use uses used using work works worked let lets start starts started stop stops stopped "
                  "report reports reported suggest suggests suggested appear appears appeared swear "
                  "promise promises promised claim claims claimed sold marketed promoted lost slept ate drank "
                  "fell rose grew ran spent won paid led left met sat stood told wore went saw enable enables "
                  "allow allows lead leads cause causes offer offers provide provides create creates".split())
# Effect verbs ("lower", "reducing"): they end a phrase and never continue one after "and".
EFFECT_VERB = re.compile(r"(?:reduc|lower|improv|increas|decreas|rais|boost|prevent|reliev|enhanc|promot|"
                         r"shorten|lengthen|worsen|strengthen|protect|restor|cut|slow|help)(?:e|es|ed|s|ing)?$",
                         re.IGNORECASE)
# Head words of a condition or a habit, never of a treatment ("eating disorders", "their eating window").
NOT_TREATMENT_HEAD = re.compile(r"\b(?:disorders?|diseases?|syndromes?|symptoms?|infections?|windows?|habits?|"
                                r"patterns?|behaviou?rs?)$", re.IGNORECASE)
# Units and spans of time: a phrase of these alone is a number's unit, not a PICO term ("weeks").
UNITS = frozenset("week weeks month months day days hour hours minute minutes second seconds year years times "
                  "kg mg g ml mmol percent percentage points point sessions session average".split())
QUANTITY = frozenset("about around approximately nearly almost roughly over under up to least more less fewer than "
                     "of by per cent percent one two three four five six seven eight nine ten half quarter "
                     "dozen hundred thousand million times fold".split())
_TIME_ADVERBS = frozenset("daily nightly weekly monthly twice once".split())
_LY_NOUNS = frozenset("daily weekly monthly early family belly jelly rally lily holy".split())


def words(text: str) -> list[re.Match[str]]:
    return list(WORD.finditer(text))


def is_word(token: str) -> bool:
    return bool(re.match(r"[A-Za-z0-9]", token))


def _is_verb_form(token: str, first: bool) -> bool:
    low = token.lower()
    if low in VERBS:
        return True
    # "slept", "fasted", "improved": a past form ends a noun phrase, except inside a hyphenated word
    # ("amber-tinted") or as its first word ("fermented milk", "controlled breathing").
    return not first and "-" not in token and len(low) > 4 and low.endswith("ed")


def noun_phrase(text: str, start: int, max_words: int = 5, allow_of: bool = True,
                skip_determiners: bool = True, allow_and: bool = False) -> str:
    """The noun phrase starting at character `start`: leading determiners skipped, cut at
    punctuation, function words and verbs; one inner 'of' kept ("dose of vitamin D")."""
    out: list[str] = []
    tokens = words(text[start:])
    for i, m in enumerate(tokens):
        token = m.group(0)
        low = token.lower()
        if not is_word(token):
            if token in ("'", "\u2019") and out:  # "St John ' s": a split possessive stays in the phrase
                continue
            break
        if low in DETERMINERS and skip_determiners:
            if out:
                break  # "a magnesium supplement every evening": the phrase ends before "every"
            continue
        following = tokens[i + 1].group(0).lower() if i + 1 < len(tokens) else "."
        if out and (low in PRONOUNS - {"one"}
                    or (low in _TIME_ADVERBS and (following in FUNCTION or not is_word(following)))):
            break  # "the time it takes", "a collagen powder daily for", not "their daily shower"
        if low in ("and", "or") and allow_and and out and i + 1 < len(tokens) and is_word(tokens[i + 1].group(0)) \
                and tokens[i + 1].group(0).lower() not in FUNCTION | DETERMINERS | PRONOUNS | VERBS \
                and not EFFECT_VERB.match(tokens[i + 1].group(0)) and len(out) < max_words - 1:
            out.append(token)  # "implantation or clinical pregnancy rates"
            continue
        if low == "of" and allow_of and out and i + 1 < len(tokens) and is_word(tokens[i + 1].group(0)) \
                and tokens[i + 1].group(0).lower() not in FUNCTION | DETERMINERS and len(out) < max_words - 1:
            out.append(token)
            continue
        if low in FUNCTION or _is_verb_form(token, not out):
            break
        out.append(token)
        if len(out) == max_words:
            break
    return trim(" ".join(out))


def trim(phrase: str) -> str:
    """A phrase without a dangling end: 'average of 4' -> 'average', 'blood glucose and' -> 'blood glucose',
    'tai chi twice' -> 'tai chi', 'helmet three times' -> 'helmet'."""
    words_ = phrase.split()
    while words_ and (words_[-1].lower() in ("of", "and", "or", "the", "a", "an") or re.fullmatch(r"[\d.,%]+", words_[-1])
                      or words_[-1].lower() in _TIME_ADVERBS):  # how often is not what: "tai chi twice"
        words_.pop()
    while len(words_) > 2 and words_[-1].lower() in ("times", "time") and (
            words_[-2].lower() in QUANTITY or words_[-2].isdigit()):  # "red light helmet three times"
        del words_[-2:]
    return " ".join(words_)


def phrase_before(text: str, end: int, max_words: int = 5) -> str:
    """The noun phrase ending just before character `end` (the subject of a verb at `end`): an
    adverb or a bracket just before the verb is stepped over ("X (4.7%) was significantly ..."),
    and "of the" stays inside ("estimation error of the trained group")."""
    head = re.sub(r"(?:\s*\([^()]*\)|\s+[A-Za-z]+ly)+\s*$", "", text[:end])
    tokens = words(head)
    out: list[str] = []
    for i in range(len(tokens) - 1, -1, -1):
        token = tokens[i].group(0)
        low = token.lower()
        of_the = low in DETERMINERS and i > 0 and tokens[i - 1].group(0).lower() == "of" and out
        if len(out) == max_words or not is_word(token) or (low in FUNCTION - {"of"}) or low in PRONOUNS \
                or EFFECT_VERB.match(token) \
                or (low in DETERMINERS and not of_the) or (low != "of" and _is_verb_form(token, False)):
            break
        out.insert(0, token)
    while out and (out[0].lower() == "of" or out[0].lower() in DETERMINERS):
        out.pop(0)
    return " ".join(out)


def fit_for_pico(phrase: str) -> bool:
    """May this phrase stand in a PICO field? Not a pronoun, a verb or a number fragment ("you",
    "going", "of 3", "about 5"): it needs a content word of three letters or more (or an
    abbreviation such as "CBT") that is not a pronoun, a function word, a verb or a quantity."""
    tokens = [t for t in re.findall(r"[\w'\u2019-]+", phrase)]
    if not tokens or tokens[0].lower() in PRONOUNS | FUNCTION | QUANTITY - {"one"} or tokens[0].isdigit():
        return False  # "9 percentage points", "of 3"
    content = [t for t in tokens if t.lower() not in PRONOUNS | FUNCTION | QUANTITY | DETERMINERS | VERBS | UNITS
               and not re.fullmatch(r"[\d.,%-]+", t)]
    if len(content) == 1 and content[0].lower().endswith("ly") and content[0].lower() not in _LY_NOUNS:
        return False  # an adverb ("normally"), not a thing
    return any(len(t) >= 3 or t.isupper() for t in content)


def gerund(verb: str) -> str:
    """'fasted' -> 'fasting', 'exercised' -> 'exercising', 'jogged' -> 'jogging' (the activity a
    'who ...ed' clause names)."""
    low = verb.lower()
    if low.endswith("ied"):
        return low[:-3] + "ying"
    if low.endswith("ed"):
        return low[:-2] + "ing"
    return low
