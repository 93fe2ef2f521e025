"""Pure term matching: how far a record talks about the claim's concepts.

Light normalisation only (lowercase, hyphens, plural and common suffix stripping, a handful of
clinical abbreviations), because the point is an explainable overlap an editor can check by eye,
not a retrieval model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.phrases import STOPWORDS, stem
from pipeline.types import Claim, Record

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")

# Abbreviations health articles and abstracts use interchangeably with the spelled-out form.
_SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("ptsd", "posttraumatic stress disorder", "posttraumatic stress"),
    ("trd", "treatment resistant depression"),
    ("mdd", "major depressive disorder", "major depression"),
    ("kap", "ketamine assisted psychotherapy"),
    ("ect", "electroconvulsive therapy"),
    ("cbt", "cognitive behavioral therapy", "cognitive behavioural therapy"),
    # MeSH entry terms of COVID-19 and its virus (digits are not content words: "covid 19" -> covid)
    ("covid19", "covid", "coronavirus disease", "sars-cov-2", "2019-ncov", "novel coronavirus"),
    ("iv", "intravenous"),
    ("im", "intramuscular"),
)

def tokens(text: str) -> list[str]:
    """Stemmed tokens; a hyphenated word becomes one joined token ('post-traumatic'->'posttraumat')."""
    out = []
    for raw in _WORD.findall(text.lower().replace("\u2010", "-").replace("\u2011", "-")):
        out.append(stem(raw.replace("-", "")))
    return out


@lru_cache(maxsize=8192)
def bag(text: str) -> frozenset[str]:
    """Tokens of a document, plus each hyphen part and each adjacent pair joined.

    Joined pairs let 'post traumatic' match 'posttraumatic' and vice versa.
    """
    out: set[str] = set()
    words = _WORD.findall(text.lower().replace("\u2010", "-").replace("\u2011", "-"))
    flat: list[str] = []
    for raw in words:
        parts = raw.replace("'", "").split("-")
        out.add(stem("".join(parts)))
        for part in parts:
            out.add(stem(part))
        flat.extend(parts)
    for left, right in zip(flat, flat[1:]):
        out.add(stem(left + right))
    return frozenset(out)


@lru_cache(maxsize=8192)
def content_tokens(text: str) -> tuple[str, ...]:
    """Stemmed tokens of `text` without stopwords, in order, without repeats."""
    seen: dict[str, None] = {}
    for raw in _WORD.findall(text.lower()):
        if raw in STOPWORDS or raw.isdigit():
            continue
        seen.setdefault(stem(raw.replace("-", "")), None)
    return tuple(seen)


@lru_cache(maxsize=4096)
def phrase_variants(phrase: str) -> tuple[tuple[str, ...], ...]:
    """The phrase's content tokens, plus those of its known abbreviation/expansion."""
    own = content_tokens(phrase)
    variants = [own] if own else []
    for group in _SYNONYMS:
        forms = [content_tokens(f) for f in group]
        if own in forms:
            variants.extend(f for f in forms if f != own)
        else:
            # "PTSD symptoms" -> also "posttraumatic stress disorder symptoms"
            for form in forms:
                if len(form) == 1 and form[0] in own:
                    i = own.index(form[0])
                    for alt in forms:
                        if alt != form:
                            variants.append(own[:i] + alt + own[i + 1:])
    return tuple(variants)


def phrase_coverage(phrase: str, doc: frozenset[str]) -> float:
    """Share of the phrase's content words present in `doc` (best variant); 0 for empty phrases."""
    best = 0.0
    for variant in phrase_variants(phrase):
        hit = sum(1 for t in variant if t in doc)
        best = max(best, hit / len(variant))
    return best


def phrase_matches(phrase: str, doc: frozenset[str]) -> bool:
    """All words of a short phrase; two thirds of a long one ('Hamilton rating scale ... scores').

    Only the phrase as written is matched loosely: a loose match of an expansion ('PTSD symptoms'
    -> 'posttraumatic stress symptoms') would accept any 'stress symptoms'.
    """
    if phrase_coverage(phrase, doc) >= 1.0:
        return True
    own = content_tokens(phrase)
    return len(own) >= 4 and sum(1 for t in own if t in doc) / len(own) >= 0.66


def mentions(phrases: tuple[str, ...], text: str) -> bool:
    """True when `text` contains every content word of at least one of the phrases."""
    doc = bag(text)
    return any(phrase_matches(p, doc) for p in phrases)


# --- relevance -----------------------------------------------------------------------------

# Intervention matters most: a source that never names it is about something else.
CONCEPT_WEIGHTS = {"intervention": 0.45, "outcome": 0.25, "population": 0.2, "comparator": 0.05}
TEXT_WEIGHT = 0.1
NO_INTERVENTION_CAP = 0.25
NO_OUTCOME_CAP = 0.45

# Populations an abstract may name instead of the claim's, so a mismatch can be said in words.
_OTHER_POPULATIONS = (
    ("healthy volunteers", r"healthy (?:volunteers?|subjects?|participants?|adults?|controls? only)"),
    ("surgical patients", r"undergoing (?:\w+ )?(?:surgery|\w+ectomy|\w+otomy)|postoperative|surgical patients"),
    ("children", r"\bchildren\b|\bpaediatric\b|\bpediatric\b|\binfants?\b"),
    ("adolescents", r"\badolescents?\b"),
    ("older adults", r"\belderly\b|\bolder adults\b"),
    ("veterans", r"\bveterans?\b|\bmilitary\b|\bservice members?\b|\bsoldiers?\b"),
    ("civilians", r"\bcivilians?\b"),
    ("rats", r"\brats?\b"),
    ("mice", r"\bmice\b|\bmouse\b"),
    ("dogs", r"\bdogs?\b|\bbeagles?\b"),
    ("monkeys", r"\bmonkeys?\b|\bmacaques?\b"),
)


@dataclass(frozen=True)
class Relevance:
    score: float
    matched_terms: tuple[str, ...]
    concept_scores: tuple[tuple[str, float], ...]
    signals: tuple[str, ...]
    reasons: tuple[str, ...]

    def concept(self, name: str) -> float | None:
        return dict(self.concept_scores).get(name)


def concept_phrases(claim: Claim) -> dict[str, tuple[str, ...]]:
    """The claim's phrases per concept, with the editor's MeSH headings for that concept."""
    out: dict[str, tuple[str, ...]] = {}
    for name in CONCEPT_WEIGHTS:
        phrases = tuple(getattr(claim, name)) + tuple(claim.mesh_for(name))
        phrases = tuple(p for p in phrases if content_tokens(p))
        if phrases:
            out[name] = phrases
    return out


def record_text(record: Record) -> str:
    return "\n".join([record.title, record.abstract, " ; ".join(record.mesh)])


def relevance(claim: Claim, record: Record) -> Relevance:
    """Weighted overlap of the claim's concepts with the record's title, abstract and MeSH."""
    doc = sense_bag(record_text(record))  # "respiratory depression" is not about depression
    phrases = concept_phrases(claim)
    matched: list[str] = []
    scores: list[tuple[str, float]] = []
    total = weight_sum = 0.0
    for name, plist in phrases.items():
        best = 0.0
        for phrase in plist:
            cov = phrase_coverage(phrase, doc)
            if phrase_matches(phrase, doc):
                matched.append(phrase)
                best = max(best, 1.0)
            # A half-matched short phrase ('first responders' -> 'responders') counts for little.
            best = max(best, cov * 0.5)
        scores.append((name, best))
        total += CONCEPT_WEIGHTS[name] * best
        weight_sum += CONCEPT_WEIGHTS[name]
    words = content_tokens(claim.text)
    if words:
        total += TEXT_WEIGHT * sum(1 for w in words if w in doc) / len(words)
        weight_sum += TEXT_WEIGHT
    score = total / weight_sum if weight_sum else 0.0

    signals: list[str] = []
    reasons: list[str] = []
    found = dict(scores)
    if "intervention" in found and found["intervention"] < 1.0:
        score = min(score, NO_INTERVENTION_CAP)
        signals.append(f"intervention not mentioned: {phrases['intervention'][0]}")
        reasons.append(f"It does not mention {phrases['intervention'][0]}.")
    elif "outcome" in found and found["outcome"] < 1.0:
        score = min(score, NO_OUTCOME_CAP)
        signals.append(f"outcome mismatch: {phrases['outcome'][0]} not mentioned")
        reasons.append(f"It does not report on {phrases['outcome'][0]}.")
    if "population" in found and found["population"] < 1.0:
        other = other_population(record_text(record))
        wanted = phrases["population"][0]
        if other:
            signals.append(f"population mismatch: {other} vs {wanted}")
            reasons.append(f"It studied {other}, not {wanted}.")
        else:
            signals.append(f"population not mentioned: {wanted}")
            reasons.append(f"It does not say it studied {wanted}.")
    return Relevance(round(min(1.0, score), 3), tuple(dict.fromkeys(matched)), tuple(scores),
                     tuple(signals), tuple(reasons))


def other_population(text: str) -> str | None:
    """The first population other than a claim's that `text` names (veterans, children, rats ...)."""
    low = text.lower()
    for label, pattern in _OTHER_POPULATIONS:
        if re.search(pattern, low):
            return label
    return None


# --- word senses and other outcomes ----------------------------------------------------------

# Outcome words with another, common sense in abstracts: (the word, words before it that give
# the other sense, what follows "word of/on (the)" or "<verb> the" in the other sense, words right
# after it that give the other sense). "respiratory depression", "depression of drug metabolism"
# and "halothane depressed the hypoxic ventilatory response" are not the mood disorder; "oxidative
# stress" is not traumatic stress; a "withdrawal response" is not a treatment response; the
# "sleeping time" of an anaesthetised animal is not sleep. The depression of a physiological
# signal is told by its modifiers (organ, neural or electrical: "cortical spreading", "paired-pulse",
# "use-dependent"), by what follows ("of the twitch", "at higher doses", "(LTD)") and by the verb
# taking an object ("depressed the amplitude"): a mood disorder is none of these.
_NONE = r"(?!)"
_OTHER_SENSES: tuple[tuple[str, str, str, str], ...] = (
    (r"depress\w*",
     r"respiratory|ventilatory|breathing|cardiac|myocardial|cardiovascular|circulatory|"
     r"h(?:a)?emodynamic|cns|central nervous system|neuronal|neural|neuromuscular|synaptic|presynaptic|"
     r"postsynaptic|spreading|cortical|spinal|axonal|dendritic|hippocampal|paired[- ]pulse|post-?tetanic|"
     r"[\w-]+-dependent|motor|reflex|twitch|amplitude|burst|evoked|electrical|eeg|contractile|vasomotor|"
     r"ventricular|platelet|st|st-segment|segment|marrow|immune|freezing[- ]point",
     # "depression of" anything but a severity ("depression of moderate severity"); "depression
     # on" or "depressed the" only a physiological response ("depression on the HAM-D" is mood)
     r"(?:(?<=of )|(?<=of the ))(?!(?:the|moderate|mild|severe|major|minor|adolescen|late|early|elderly|"
     r"older)\w*)\w|(?:[\w-]+\s+){0,3}?(?:respons\w*|ventilat\w*|respirat\w*|breathing|reflex\w*|"
     r"contractil\w*|conduction|potentials?|transmission|output|drive|firing|excitability|metabolism)\b",
     # "the depression at higher doses", "long-term depression (LTD)", "halothane depressed the ..."
     r"(?<=\bthe depression\s)at (?:\w+ ){0,2}(?:doses?|concentrations?)|\((?:ltd|std|csd)\)|(?<=ed\s|es\s|ng\s)(?:the|a|an|its|their|both)"),
    (r"stress\w*",
     r"oxidative|nitrosative|shear|mechanical|er|endoplasmic reticulum|heat|thermal|cellular|"
     r"surgical|metabolic|h(?:a)?emodynamic|wall|replication|replicative|genotoxic|proteotoxic|osmotic|"
     r"hyperosmotic|hypoxic|mitochondrial|ischemic|ischaemic|nutrient|cold|tensile|compressive|residual",
     _NONE, r"fractures?|tests?|echocardiograph\w*|incontinence|fib(?:er|re)s?|granules?|kinases?|"
     r"signall?ing|pathways?"),
    (r"respons\w*",
     r"ventilatory|hypoxic|hypercapnic|h(?:a)?emodynamic|cardiovascular|pressor|stress|immune|"
     r"inflammatory|perioperative|sympathetic|autonomic|metabolic|dose|motor|evoked|startle|"
     r"neuroendocrine|cortisol|heart rate|blood pressure|pupillary|cough|withdrawal|muscle|"
     r"behavioral|behavioural|antibody|cellular|somatosensory|electrophysiological|neuronal|synaptic|cortical|"
     # evoked-potential and other electrophysiological measures ("the CMAP response", "MEP response")
     r"(?:tc)?[a-z]{0,3}meps?|cmaps?|s?seps?|veps?|baeps?|emg|eeg|erps?|bold|action potentials?",
     _NONE, _NONE),
    (r"sleep\w*", r"\w+-induced|induced", _NONE, r"(?<=sleeping )times?"),
)


def _sense_patterns() -> tuple[re.Pattern[str], ...]:
    out = []
    for word, before, after, following in _OTHER_SENSES:
        out.append(re.compile(rf"\b(?:{before})[\s-]+(?P<w>{word})", re.IGNORECASE))
        out.append(re.compile(rf"\b(?P<w>{word})\s+(?:(?:of|on)\s+(?:the\s+)?|the\s+)(?:{after})",
                              re.IGNORECASE))
        out.append(re.compile(rf"\b(?P<w>{word})[\s-]+(?:{following})(?!\w)", re.IGNORECASE))
    return tuple(out)


_SENSE_PATTERNS = _sense_patterns()


@lru_cache(maxsize=8192)
def other_senses_masked(text: str) -> str:
    """`text` with ambiguous outcome words used in another sense blanked out, same length.

    Offsets stay valid, so cue positions found in the text can be compared with outcome words.
    """
    spans = [m.span("w") for rx in _SENSE_PATTERNS for m in rx.finditer(text)]
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        chars[start:end] = "_" * (end - start)
    return "".join(chars)


def sense_bag(text: str) -> frozenset[str]:
    """`bag` of the text with other senses of outcome words removed: what outcome matching reads."""
    return bag(other_senses_masked(text))


# Outcomes trials often measure that a claim about another outcome does not rest on: a result
# about one of them ("did not decrease pain", "increased saccadic frequency") decides nothing
# about depression, synapses or sleep.
OTHER_OUTCOMES = re.compile(
    r"\b(?:pain\w*|analges\w*|hyperalges\w*|allodyn\w*|nocicept\w*|opioid consumption|"
    r"(?:an(?:a)?esthetic|morphine|opioid|fentanyl|propofol) (?:consumption|requirements?)|"
    r"sacca\w*|eye movements?|oculomotor|smooth pursuit|ventilat\w*|respirat\w*|breathing|"
    r"blood pressure|heart rate|h(?:a)?emodynamic\w*|extubation|emergence|nausea|vomiting|"
    r"shivering|sedation|oxygen consumption|shock)\b")


def other_outcomes(text: str, outcome_tokens: frozenset[str]) -> list[tuple[int, str]]:
    """(position, word) of outcomes in lower-case `text` that are not the claim's own."""
    return [(m.start(), m.group(0)) for m in OTHER_OUTCOMES.finditer(text)
            if not set(content_tokens(m.group(0))) <= outcome_tokens]


# --- other treatments ------------------------------------------------------------------------

# A treatment a sentence may name instead of the claim's: a drug by its pharmacological stem
# (USAN/INN endings: "midazolam", "fluoxetine", "clonidine", "propranolol"), a drug class, a
# named therapy ("electroconvulsive therapy", "sleep deprivation", "beta-adrenergic blocker"),
# or a common non-drug treatment. "The treatment", "this therapy", "active treatment" are the
# study's own and are not matched.
_DRUG_STEM = (r"[a-z]{2,}(?:azepam|azolam|oxetine|traline|ipramine|triptyline|afaxine|azodone|idone|apine|"
              r"piprazole|peridol|olol|onidine|ofol|caine|fentan[iy]l|orphine|codone|gabalin|apentin|azosin|"
              r"statin|prazole|sartan|pril|zumab|ximab|cillin|mycin|oxacin|dipine|setron|triptan|barbital)s?")
# A class word in the singular is often an adjective ("antidepressant effect" of the claim's drug).
_TREATMENT_CLASS = (r"(?:antidepressant|ssri|snri|maoi|tricyclic|benzodiazepine|opioid|antipsychotic|anxiolytic)"
                    r"(?:s\b|\s+(?:drugs?|medications?|agents?))|lithium|electroconvulsive|ect|r?tms|cbt|emdr|"
                    r"exercise|yoga|meditation|acupuncture|mindfulness")
_OWN = (r"the|this|that|these|those|its|their|our|a|an|active|study|same|such|each|either|both|drug|"
        r"combination|combined|adjunctive|add-on|initial|first|second|further|new|novel|standard|any|no|"
        r"medical|clinical|current|previous|prior|repeated|single|acute|chronic|long-term|short-term|"
        r"maintenance|concomitant|effective|successful|specific|additional|of|with|for|and|or|to|in|after")
_HEADS = ("therapy therapies treatment treatments stimulation blocker blockers inhibitor inhibitors antagonist "
          "antagonists agonist agonists premedication deprivation supplementation psychotherapy training "
          "rehabilitation counseling counselling programme programmes program programs").split()
_NAMED_THERAPY = rf"\b(?!(?:{_OWN})\b)[a-z][a-z-]{{2,}}\s+(?:{'|'.join(_HEADS)})\b"
_HEAD_TOKENS = frozenset(stem(h) for h in _HEADS)
_OTHER_TREATMENT = re.compile(rf"\b(?:{_DRUG_STEM}|{_TREATMENT_CLASS})\b|{_NAMED_THERAPY}")
# What follows "compared with", "versus", "than": a comparator, not the sentence's subject.
_COMPARED = re.compile(r"(?:compared (?:with|to)|versus|vs\.?|than|relative to|over|or|plus)\s+"
                       r"(?:\w+\s+){0,2}$")


def other_treatments(text: str, intervention: tuple[str, ...]) -> list[tuple[int, str]]:
    """(position, name) of treatments in lower-case `text` that are not the claim's intervention
    and not a comparator ("compared with fluoxetine")."""
    out = []
    for m in _OTHER_TREATMENT.finditer(text):
        name = m.group(0)
        own = set(content_tokens(name)) - _HEAD_TOKENS  # "ECT treatment" is not "ketamine treatment"
        if any(phrase_coverage(p, bag(name)) >= 1 or own & set(content_tokens(p)) for p in intervention):
            continue  # "ketamine treatment", "ketamine-assisted psychotherapy"
        if _COMPARED.search(text[max(0, m.start() - 40):m.start()]):
            continue
        out.append((m.start(), name))
    return out
