"""How many people the reported study counted, from its sentences (pure, no spaCy).

    find_sample_size([("A total of 1,204 adults were enrolled.", 0, "methods")])
      -> SampleSize(n=1204, text="1,204 adults", span=(11, 23), n_studies=None)

Candidates are counts of people ("120 consecutive patients", "(n = 24)"), scored by their cue
(a total > enrolled or randomised > "in 45 patients" > a bare count) and their section; arms
named together are summed; a count in a study in stages is left out. No count is better than
a wrong one.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Sequence

from pipeline.nlp.casefree import CaseFree
from pipeline.nlp.facts import SentenceFacts, ascii_lower, may_hold, shortest_prefixes
from pipeline.nlp.numbers import NUMBER_WORDS_RE, number_words_to_int

# The nouns a count of people ends in; where one noun begins another, the longer comes first.
PEOPLE_NOUNS = (
    "patients", "participants", "subjects", "individuals", "persons", "people", "adults", "children",
    "adolescents", "teenagers", "youths", "youth", "infants", "neonates", "newborns", "babies", "toddlers",
    "women", "men", "mothers", "fathers", "parents", "girls", "boys", "volunteers", "cases", "controls",
    "students", "veterans", "residents", "workers", "employees", "smokers", "nonsmokers", "drinkers",
    "users", "survivors", "respondents", "recipients", "donors", "outpatients", "inpatients", "nurses",
    "physicians", "doctors", "clinicians", "athletes", "elders", "pregnancies", "twins", "singletons",
    "births", "deliveries", "decedents", "members", "patients'", "participants'", "couples", "dyads",
    "pairs", "humans", "sufferers", "recruits", "pupils", "schoolchildren", "soldiers",
    "patient", "participant", "subject", "individual", "person", "adult", "child", "woman", "man",
    "infant", "volunteer",
)
_PEOPLE = "|".join(PEOPLE_NOUNS)
# Gate words: every people count holds one of these after whitespace (see facts.SentenceWords).
PEOPLE_GATES = shortest_prefixes(PEOPLE_NOUNS)
# Adjectives allowed between a number and its noun ("120 consecutive adult patients").
_GAP_WORD = r"(?!(?:of|from|in|with|and|or|per|to|at|on|for|by|were|was|had|have|years?|months?|" \
            r"weeks?|days?|hours?|eyes?|samples?|visits?|cells?|mice|rats?|animals?|studies|" \
            r"trials?|articles?|sessions?|specimens?|tissues?|tumou?rs?|lesions?|biopsies|hundred|thousand|million|billion|times|the|these|" \
            r"those|all|each|who|whom|which|that|than|h|hours?|min|mg|kg)\b)[A-Za-z][\w'-]*"
# "1,204", "11 506" (a space or thin space groups thousands), "45", "Forty-one".
_GROUPED = r"\d{1,3}(?:,\d{3})+(?![\d])|\d{1,3}(?:[ \u2009\u202f]\d{3})+(?![\d.,])"
_DIGIT_COUNT = rf"{_GROUPED}|\d+(?![.,]\d)"
_COUNT = rf"(?P<num>{_DIGIT_COUNT}|{NUMBER_WORDS_RE})"
# "10 of our own cases": the authors' own patients, beside others (from the literature, say).
_PEOPLE_COUNT = (rf"(?!\s*%)(?P<gap>(?:\s+of\s+our(?:\s+own)?)?(?:\s+{_GAP_WORD}){{0,4}}?)"
                 rf"\s+(?P<noun>{_PEOPLE})\b")
_PEOPLE_COUNT_RE = CaseFree(re.compile(rf"(?<![\w.,%-]){_COUNT}{_PEOPLE_COUNT}", re.IGNORECASE))
# The same without number words, for the many sentences that hold none (the same matches
# there, found faster: tried only at digits).
_PEOPLE_DIGIT_COUNT_RE = CaseFree(
    re.compile(rf"(?<![\w.,%-])(?P<num>{_DIGIT_COUNT}){_PEOPLE_COUNT}", re.IGNORECASE))
_N_EQUALS_RE = re.compile(
    rf"[(\[,;]\s*(?P<n>[nN])\s*=\s*(?P<num>{_GROUPED}|\d+)(?![.\d])"
)
_STUDIES_RE = re.compile(
    rf"(?<![\w.,%-]){_COUNT}(?:\s+(?:eligible|published|randomi[sz]ed|controlled|clinical|"
    r"observational|prospective|cohort|original|primary|independent|individual|relevant|"
    r"separate|included|unique|population-based|placebo-controlled|double-blind|"
    r"case-control|cross-sectional|longitudinal|comparative|intervention|"
    r"(?:high|low|moderate|good)[\s-]quality)){0,4}\s+"
    r"(?P<noun>studies|trials|RCTs|articles|reports|publications|papers|cohorts|datasets)\b",
    re.IGNORECASE,
)
# "a total of", "in total", "overall", "among all".
_TOTAL_BEFORE = re.compile(r"\b(?:a\s+)?total\s+(?:of\s+)?(?:\w+\s+)?$|\bin\s+total,?\s+$|\boverall,?\s+$|"
                           r"\bamong\s+all\s+$",
                           re.IGNORECASE)
_ENROL = r"enroll?\w*|randomi[sz]\w*|randomly\s+(?:assigned|allocated)|recruit\w*|included|" \
         r"studied|selected|allocated|assigned|invited|participated|took\s+part|entered|" \
         r"underwent\s+randomi[sz]ation|comprised|consented|registered"
_ENROL_AFTER = re.compile(
    rf"^[^.;]{{0,100}}?\b(?:were|was|had\s+been|have\s+been|being)?\s*(?:\w+\s+)?\b(?:{_ENROL})\b",
    re.IGNORECASE,
)
_ENROL_BEFORE = re.compile(
    rf"\b(?:{_ENROL}|involv\w*|compris\w*|consist\w*\s+of|sample\s+of|cohort\s+of|"
    r"population\s+of|total\s+of|data\s+(?:from|on)|records\s+of|study\s+of|trial\s+of|"
    r"survey\s+of|analy[sz]ed|examined|evaluated|assessed|followed|interviewed|surveyed|"
    r"screened\s+and\s+enrolled|we\s+studied|we\s+enrolled|we\s+included|we\s+recruited)"
    r"(?:\s+\w+){0,2}\s+$",
    re.IGNORECASE,
)
# A sentence opening "Of 3106 eligible patients, 286 were excluded" names the whole
# ("Of the 12 patients considered ..." names a subset).
_OPENING_OF = re.compile(r"^(?:[A-Z][A-Z ,&]+\s+)?(?:Of|Among)\s+(?:all\s+)?$")
_IN_BEFORE = re.compile(r"\b(?:in|among|of|from|on|including|involving|with)\s+(?:the\s+|a\s+|an\s+)?$",
                        re.IGNORECASE)
_SUBSET_BEFORE = re.compile(
    r"\b(?:of\s+whom|of\s+these|of\s+those|of\s+them|among\s+them|among\s+these|"
    r"including|included\s+only|only|remaining|another|other|additional|further|except)\W*$",
    re.IGNORECASE,
)
_SUBSET_AFTER = re.compile(r"^\s*(?:\(\s*\d+(?:\.\d+)?\s*%|of\s+(?:the|these|whom|them|all)\b|"
                           r"out\s+of\b|\(\d+(?:\.\d+)?\s*%\))", re.IGNORECASE)
# Words one of which every match of _SUBSET_BEFORE holds; of _OUTCOME_BEFORE; _TOTAL_BEFORE;
# _HYPOTHETICAL_BEFORE; _GROUPS_OF.
_SUBSET_WORDS = ("of", "among", "includ", "only", "remaining", "other", "additional", "further", "except")
_OUTCOME_WORDS = ("found", "observed", "detected", "identified", "seen", "occurred", "present",
                  "developed", "died")
_TOTAL_WORDS = ("total", "overall", "among")
_HYPOTHETICAL_WORDS = ("potential", "could", "would", "expected")
# ... of _ENROL_AFTER (its verbs); of _ENROL_BEFORE (the verbs and the nouns before "of"); of _WEAK_AFTER.
# (These run from every place of a window, as the end-anchored ones, or try every length of
# a lazy run: the `in` tests are cheaper.)
_ENROL_WORDS = ("enrol", "random", "recruit", "included", "studied", "selected", "allocated", "assigned",
                "invited", "participated", "took", "entered", "comprised", "consented", "registered")
_ENROL_BEFORE_WORDS = _ENROL_WORDS + (
    "involv", "compris", "consist", "sample", "cohort", "population", "total", "data", "records", "study",
    "trial", "survey", "analy", "examined", "evaluated", "assessed", "followed", "interviewed", "surveyed")
_WEAK_WORDS = ("screened", "eligible", "excluded", "withdr", "died", "dropped", "lost", "completed", "developed",
               "experienced", "responded", "discontinued", "remained", "achieved", "reported", "had", "showed")
_GROUPS_WORDS = ("groups",)
_HYPOTHETICAL_BEFORE = re.compile(r"\b(?:potential(?:ly)?|could|would|"
                                  r"expected)\s+(?:to\s+)?(?:\w+\s+){0,2}$", re.I)
_OUTCOME_BEFORE = re.compile(r"\b(?:found|observed|detected|identified|seen|occurred|present|"
                             r"developed|died)\s+(?:only\s+)?in\s+(?:the\s+)?$", re.I)
_WEAK_AFTER = re.compile(
    r"^[^.;]{0,40}?\b(?:screened|eligible|excluded|withdr\w*|died|dropped|lost|completed|"
    r"developed|experienced|responded|discontinued|remained|achieved|reported|had\b|showed)",
    re.IGNORECASE,
)


# A number that reads as a year is a count only where a count is cued before it ("a total of
# 2008 adults", "we enrolled 2008 adults"): after "in", "since", "from", a month or a data
# source's name it is the year.
_YEAR = re.compile(r"(?:19|20)\d\d")


@dataclass(frozen=True)
class SampleSize:
    n: int | None
    text: str | None
    span: tuple[int, int] | None
    n_studies: int | None
    n_studies_text: str | None = None


@dataclass(frozen=True)
class _Candidate:
    n: int
    score: float
    start: int
    end: int
    sentence_index: int
    background: bool = False
    comparison: bool = False  # names a control group ("44 healthy individuals", "controls (n = 20)")
    kind: str = ""  # section kind of its sentence
    total: bool = False  # cued as the whole ("a total of")
    enrolled: bool = False  # cued as enrolled, randomised, included
    summed: bool = False  # the sum of arms named together


def _count_value(raw: str) -> int | None:
    if re.match(r"\d", raw):
        return int(re.sub(r"[,\s]", "", raw))
    return number_words_to_int(raw)


def _people_candidates(text: str, offset: int, kind: str, index: int,
                       facts: SentenceFacts | None = None) -> list[_Candidate]:
    """Counts of people in one sentence; `facts` are its gates when sentence_facts read them."""
    out: list[_Candidate] = []
    if facts and not (facts.digit or facts.number_word):
        return out
    # The gates are read on lower-cased text, which is what the pattern reads unless case
    # folding equates one of the text's few odd letters with an ASCII one ("ſeven" reads "seven").
    odd = facts is None or not text.isascii()
    counts = _PEOPLE_COUNT_RE if odd or facts.number_word else _PEOPLE_DIGIT_COUNT_RE
    # Three sentences in four with a number name no people: then no count can match.
    names_people = odd or facts.people
    for m in counts.finditer(text) if names_people else ():
        n = _count_value(m.group("num"))
        if n is None or n <= 0 or n > 50_000_000:
            continue
        # "1.5 million adults", "hundreds of patients": a scale word is not a count.
        if re.match(r"(?i)(?:hundred|thousand|million)", m.group("num")):
            continue
        before, after = text[max(0, m.start() - 60):m.start()], text[m.end():m.end() + 60]
        # "12 years old patients", "24-hour", "1990 patients" (a year) are not counts of people.
        if before.endswith(("-", "/", "-\n", "/\n")) or re.match(r"^\s*-", text[m.end("num"):]):  # [-/]$
            continue
        low = ascii_lower(before)  # the patterns that end at the count: see _may_hold
        low_after = ascii_lower(after)
        if may_hold(low, _SUBSET_WORDS) and _SUBSET_BEFORE.search(before) or _SUBSET_AFTER.match(after):
            continue
        if re.match(r"(?i)^(?:one|a)$", m.group("num")) and m.group("noun").lower().endswith("s"):
            continue  # "one patients" is not English: it is "one of ..." parsed oddly
        score = 1.0
        total = may_hold(low, _TOTAL_WORDS) and _TOTAL_BEFORE.search(before) or _OPENING_OF.match(text[:m.start()])
        enrolled_before = may_hold(low, _ENROL_BEFORE_WORDS) and _ENROL_BEFORE.search(before)
        if _YEAR.fullmatch(m.group("num")) and not (total or enrolled_before):
            continue  # "In 2008 adults were surveyed", "Between 1999 and 2004 patients were enrolled"
        if total:
            score = 5.0
        elif enrolled_before or may_hold(low_after, _ENROL_WORDS) and _ENROL_AFTER.match(after):
            score = 4.0
        elif _IN_BEFORE.search(before):
            score = 2.5
        if may_hold(low, _HYPOTHETICAL_WORDS) and _HYPOTHETICAL_BEFORE.search(before):
            continue  # "the potential to recruit 2,408 patients" counts nobody studied
        if may_hold(low, _OUTCOME_WORDS) and _OUTCOME_BEFORE.search(before):
            score = min(score, 1.0)  # "mutations were found in 18 patients": an outcome count
        if may_hold(low_after, _WEAK_WORDS) and _WEAK_AFTER.match(after):
            # "In total, 469 participants had AD": an outcome count, though a total.
            score = 1.5 if score >= 5 else min(score, 1.0)
        # "2 groups of 58 patients": the groups multiply.
        groups = _GROUPS_OF.search(before) if may_hold(low, _GROUPS_WORDS) else None
        if groups:
            n *= _count_value(groups.group("k")) or 1
        start = m.start("num") if not groups else max(0, m.start() - 60) + groups.start()
        out.append(_Candidate(n, score, offset + start, offset + m.end(), index,
                              comparison=bool(_COMPARISON.search(m.group(0))), kind=kind,
                              total=score >= 5, enrolled=score >= 4))
    for m in _N_EQUALS_RE.finditer(text) if "=" in text else ():
        n = _count_value(m.group("num"))
        if n <= 0:
            continue
        # "rats (n = 24)", "eyes (n = 40)": n counts what the words before it name.
        before = text[max(0, m.start() - 40):m.start()]
        if _NOT_PEOPLE_BEFORE.search(before):
            continue
        score = 3.0 if m.group("n") == "N" else 2.0
        out.append(_Candidate(n, score, offset + m.start("n"), offset + m.end(), index,
                              comparison=bool(_COMPARISON.search(before.rsplit(")", 1)[-1])), kind=kind))
    # Counts in the background are about other people ("affects 3 million adults").
    if kind == "background":
        out = [dataclasses.replace(c, score=c.score - 3, background=True) for c in out]
    elif kind == "results":
        out = [dataclasses.replace(c, score=c.score - 0.5) for c in out]
    return out


def _other_group(best: _Candidate, candidates: Sequence[_Candidate]) -> _Candidate | None:
    """The comparison group counted apart from `best`'s patients, or the patients counted apart
    from `best`'s controls, in the methods (results counts are outcomes, background others')."""
    pool = [c for c in candidates if c.comparison != best.comparison and c.score >= 2
            and c.kind not in ("background", "results") and not c.total
            and not (best.start <= c.start < best.end)]
    if best.comparison:  # the patients come first and are named apart from the controls
        pool = [c for c in pool if c.start < best.start]
        return max(pool, key=lambda c: (c.score, -c.start)) if pool else None
    later = [c for c in pool if c.start > best.start]
    return later[0] if later else None


def _rank_by_position(candidates: list[_Candidate]) -> list[_Candidate]:
    """Abstracts name the whole study before its subsets ("Of 3106 eligible patients, 286
    were excluded, leaving 2820"): the first count outside the background, and a count no
    later count exceeds, each earn a bonus."""
    own = sorted((c for c in candidates if not c.background), key=lambda c: c.start)
    if not own:
        return candidates
    first = own[0]
    out = []
    for c in candidates:
        bonus = 0.0
        if c is first:
            bonus += 1.0
        later = [o.n for o in own if o.start > c.start]
        if not c.background and later and c.n >= max(later):  # the last count proves nothing
            bonus += 1.0
        out.append(dataclasses.replace(c, score=c.score + bonus) if bonus else c)
    return out


_GROUPS_OF = re.compile(r"\b(?P<k>\d|two|three|four)\s+groups\s+of\s+$", re.I)
# A comparison group beside the patients: summed with them when counted apart.
# (Not a trial's "control group (n = 60)": that arm is inside the randomised total.)
_COMPARISON = re.compile(r"\b(?:healthy|normal)\b|\bcontrols\b(?!\s+(?:group|arm))|"
                         r"\bcontrol\s+(?:subjects|individuals|participants|volunteers)\b", re.I)


_NOT_PEOPLE_BEFORE = re.compile(
    r"\b(?:eyes?|samples?|specimens?|cells?|tumou?rs?|lesions?|knees?|hips?|teeth|tooth|biopsies|"
    r"visits?|studies|trials|articles|genes?|SNPs?|sites?|hospitals?|centres?|centers?|"
    r"mice|mouse|rats?|animals?|dogs?|pigs?|rabbits?|monkeys?|sheep|zebrafish|embryos?|"
    r"oocytes?|images?|scans?|procedures?|sessions?|cycles?|wells?|plates?|colonies)\b[^.;]{0,25}$",
    re.IGNORECASE,
)
# Between a total and what is left of it, not between two arms.
_SUBSET_BETWEEN = re.compile(r"\bwhom\b|\bleaving\b|\bremain\w*|\bexclu\w*|\bwithdr\w*|\blost\b|"
                             r"\bdropped\b|\bcompleted\b|\bof\s+these\b|\bof\s+those\b", re.I)
def _last_word(text: str) -> str:
    words = text[-30:].split()
    return words[-1].lower() if words else ""


def _drop_brackets(between: str) -> str:
    """Text between two arms without bracketed asides, even ones cut open at either end:
    ") and adults (aged 20-49 years; " -> " and adults "."""
    between = re.sub(r"\([^()]*\)", "", between)
    return re.sub(r"^[^()]*\)|\([^()]*$", "", between)


_COORDINATION = re.compile(r"^[\s,]*(?:and|or|versus|vs\.?|plus|as\s+well\s+as)?[\s,]*$", re.I)
_ARM_JOIN = re.compile(r"^[^.;]{0,80}?\b(?:and|or|versus|vs\.?|compared\s+(?:with|to))\b[^.;]{0,80}$",
                       re.IGNORECASE)
# One gap of a list of arms: "66,105 women from study A (1984-2008), | 85,104 women from study
# B, and | 36,173 men from study C".
_LIST_GAP = re.compile(r"^[^.;]{0,80}(?:,|\b(?:and|or)\b)\s*$", re.IGNORECASE)


def _joined_as_arms(between: str, gaps: Sequence[str]) -> bool:
    """Are counts named together as the arms of one study: joined by a conjunction ("50
    cases and 100 controls"), or listed ("A, B, and C"), with nothing between them that
    makes one a part of another ("of whom", "excluded")?"""
    if _SUBSET_BETWEEN.search(between):
        return False
    listed = len(gaps) >= 2 and all(_LIST_GAP.match(g) for g in gaps) \
        and bool(re.search(r"\b(?:and|or)\b", gaps[-1]))  # "A, B, and C"
    return listed or bool(_ARM_JOIN.match(between))


# A study in stages (a genome-wide scan and its replication, discovery and validation
# cohorts) counts people per stage; which count, or which sum, is "the sample" is unclear.
_MULTI_STAGE = re.compile(r"\b(?:replication|discovery|validation)\s+(?:cohorts?|samples?|stages?|sets?|phases?)\b|"
                          r"\bgenome[\s-]wide\s+association|\bGWAS\b", re.I)


def _staged(best: _Candidate, candidates: Sequence[_Candidate],
            sentences: Sequence[tuple[str, int, str]]) -> bool:
    """Does a study in stages count other people in another sentence than `best`'s? Then
    no count is given: a wrong number is worse than none."""
    others = [c for c in candidates if c.sentence_index != best.sentence_index and c.n != best.n
              and c.comparison == best.comparison and c.kind not in ("background", "results")]
    return bool(others) and any(_MULTI_STAGE.search(text) for text, _, _ in sentences)


def find_sample_size(sentences: Sequence[tuple[str, int, str]], abstract: str = "",
                     meta: bool = False, facts: Sequence[SentenceFacts] | None = None) -> SampleSize:
    """Participants of the reported study from (sentence text, start offset, section kind).

    The best-cued count wins ("a total of 1,204 participants" > "120 patients were randomized"
    > "in 45 patients" > a bare "45 patients"); ties go to the earliest. Arm counts in one
    sentence ("preterm (n = 17) and full-term infants (n = 7)", "50 cases and 100 controls")
    are summed. Returns n=None when no count is cued well enough: a wrong number is worse
    than none. With `meta`, the number of included studies is read too. `facts` are the
    sentences' gates when sentence_facts has read them.
    """
    candidates: list[_Candidate] = []
    for index, (text, offset, kind) in enumerate(sentences):
        if facts and not (facts[index].digit or facts[index].number_word):
            continue  # nobody is counted without a digit or a number word (see _people_candidates)
        own = _people_candidates(text, offset, kind, index, facts[index] if facts else None)
        if not own:
            continue  # most sentences count nobody
        candidates.extend(own)
        arms = [c for c in own if c.score < 5]
        # Arms are cued alike ("73 children were assigned ... and 72 children", "(n = 17) and
        # (n = 7)"); "556 children enrolled ... 22 index cases" are not two arms.
        arms.sort(key=lambda c: c.start)
        coordinated = all(_COORDINATION.match(text[a.end - offset:b.start - offset])
                          for a, b in zip(arms, arms[1:]))
        # "376 male recruits from A (intervention) and 105 male recruits from B": one noun.
        same_noun = len({_last_word(text[:c.end - offset]) for c in arms}) == 1
        if arms and max(c.score for c in arms) - min(c.score for c in arms) > 1 \
                and not (coordinated or same_noun):
            arms = []
        if len(arms) >= 2 and not any(c.score >= 5 for c in own):
            first, last = min(arms, key=lambda c: c.start), max(arms, key=lambda c: c.end)
            between = _drop_brackets(text[first.end - offset:last.start - offset])
            if _joined_as_arms(between, [_drop_brackets(text[a.end - offset:b.start - offset])
                                         for a, b in zip(arms, arms[1:])]):
                total = sum(c.n for c in arms)
                # "352 subjects ... stratum I (235 subjects) and stratum II (117 subjects)":
                # one count is the sum of the others, so it is the whole and they are its parts.
                whole = [c for c in arms if 2 * c.n == total] if len(arms) >= 3 else []
                if whole:
                    candidates[:] = [c for c in candidates if c not in arms or c is whole[0]]
                    continue
                # The sum replaces its arms: each arm alone would undercount the study.
                candidates[:] = [c for c in candidates if c not in arms]
                candidates.append(_Candidate(total, max(c.score for c in arms) + 0.5,
                                             first.start, last.end, index, arms[0].background,
                                             kind=arms[0].kind, summed=True))

    n_studies = studies_text = None
    if meta:
        for text, offset, kind in sentences:
            if kind == "background":
                continue
            m = _STUDIES_RE.search(text)
            if m:
                n_studies = _count_value(m.group("num"))
                studies_text = text[m.start():m.end()]
                break

    candidates = candidates if meta else _rank_by_position(candidates)
    # A meta-analysis counts pooled participants only where it says so ("a total of 12,000").
    floor = 4 if meta else 2
    good = [c for c in candidates if c.score >= floor or (c.score >= 1 and len(candidates) == 1 and not meta)]
    if not good:
        return SampleSize(None, None, None, n_studies, studies_text)
    best = max(good, key=lambda c: (c.score, -c.start))
    if not meta and not best.total and _staged(best, candidates, sentences):
        return SampleSize(None, None, None, n_studies, studies_text)
    source = abstract or ""
    text = source[best.start:best.end] if source else None
    # An enrolled or total count already holds every group; so does a meta-analysis total.
    other = None if best.total or best.summed or (best.enrolled and not best.comparison) or meta \
        else _other_group(best, candidates)
    if other is not None:
        # Patients counted in one place and their controls in another ("23 Patients aged
        # 21-52 ... and 10 controls"): the study is both groups.
        first, second = sorted((best, other), key=lambda c: c.start)
        parts = f"{source[first.start:first.end]} | {source[second.start:second.end]}" if source else None
        return SampleSize(best.n + other.n, parts, (first.start, second.end), n_studies, studies_text)
    return SampleSize(best.n, text, (best.start, best.end), n_studies, studies_text)


