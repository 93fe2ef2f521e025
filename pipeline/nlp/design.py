"""The design of the reported study, with the reason it was chosen (pure, no spaCy).

    classify_design("Ketamine for depression: a randomised controlled trial", sentences)
      -> DesignInfo("rct", 'cue "randomised controlled trial"', humans=True)

Publication types are used where they are reliable and checked against the text where they
are not; then cues are read in the title and in the sentences that describe this study (not
the background, not hedged mentions of other work), in the order of the evidence hierarchy.
Every rule is a lower-case pattern run on lower-cased text.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Iterator, Sequence

from pipeline.nlp.word_index import WordIndex
from pipeline.nlp.casefree import lower_pattern
from pipeline.nlp.numbers import NUMBER_WORDS_RE

# The gate words of the cues, found in one pass over each text the cues read (see
# word_index.WordIndex): the title and the study's own text; the hedges' on its sentences.
_DESIGN_WORDS, _HEDGE_WORDS = WordIndex(), WordIndex()


class Gated:
    """A case-insensitive pattern run lower-case on lower-cased text, and only when the text
    holds one of its gates: substrings that every match contains. Most abstracts hold none
    of a given design's words."""

    def __init__(self, pattern: re.Pattern[str], gates: Sequence[str],
                 index: WordIndex = _DESIGN_WORDS) -> None:
        self.pattern = lower_pattern(pattern)
        self.gates = frozenset(gates)
        self._index = index
        index.add(self.gates)

    def _closed(self, text: str) -> bool:
        if len(self.gates) <= 3:  # a few `in` tests are cheaper than a pass for every word
            return not any(gate in text for gate in self.gates)
        return self.gates.isdisjoint(self._index.positions(text))

    def search(self, text: str) -> re.Match[str] | None:
        return None if self._closed(text) else self.pattern.search(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return iter(()) if self._closed(text) else self.pattern.finditer(text)

    def count(self, text: str) -> int:
        return 0 if self._closed(text) else len(self.pattern.findall(text))


class Anchored:
    """A case-insensitive pattern run lower-case on lower-cased text, and tried only where one
    of its start words occurs: every match begins with one of them. re would try a pattern
    that opens with \\b at every place of the text; the start words of all the design patterns
    are found in one automaton pass (word_index.WordIndex) and the pattern is matched there.
    The same matches as the pattern's own finditer (tests/test_nlp_gates.py)."""

    def __init__(self, pattern: re.Pattern[str], starts: Sequence[str],
                 index: WordIndex = _DESIGN_WORDS) -> None:
        self.pattern = lower_pattern(pattern)
        self.starts = frozenset(starts)
        self._index = index
        index.add(self.starts)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        if len(self.starts) <= 3 and not any(word in text for word in self.starts):
            return  # a few `in` tests are cheaper than a pass for every word
        positions = self._index.positions(text)
        places = sorted({p for word in self.starts.intersection(positions) for p in positions[word]})
        resume = 0  # as re does, look for the next match after the last one
        for place in places:
            if place >= resume and (m := self.pattern.match(text, place)):
                yield m
                resume = m.end()

    def search(self, text: str) -> re.Match[str] | None:
        return next(self.finditer(text), None)

    def count(self, text: str) -> int:
        return sum(1 for _ in self.finditer(text))


# Each cue with its start words (every match begins with one) or, where a match can begin
# with a digit or "a", its gate words (every match holds one), lower case.
_CUES: dict[str, Anchored | Gated] = {
    "meta_analysis": Anchored(re.compile(
        r"\bmeta-?\s?analy\w*|\bmeta-regression|\bpooled\s+analysis\s+of\s+"
        r"(?:\d+\s+|\w+\s+)?(?:randomi[sz]ed\s+)?(?:trials|studies)", re.I),
        ("meta", "pooled")),
    "systematic_review": Anchored(re.compile(
        r"\bsystematic(?:ally)?\s+(?:literature\s+)?(?:review|search)\w*|"
        r"\bumbrella\s+review|\bscoping\s+review", re.I),
        ("systematic", "umbrella", "scoping")),
    # The negative lookbehinds sit after the word: checked only where "randomized" matched.
    "rct": Anchored(re.compile(
        r"\brandomi[sz]ed(?<!non-randomi[sz]ed)(?<!nonrandomi[sz]ed)(?<!quasi-randomi[sz]ed)"
        r"(?:,)?\s+(?:\w+[\s-]+){0,3}"
        r"(?:trial|study|design|fashion|manner|crossover|cross-over)|"
        r"\brandomly\s+(?:assigned|allocated)|\bwere\s+randomi[sz]ed|"
        r"\bunderwent\s+randomi[sz]ation|\brandomi[sz]ed\s+to\b|\bRCT\b|"
        r"\bplacebo\b|\bdouble[\s-]blind\w*|\bsingle[\s-]blind\w*|"
        r"\btriple[\s-]blind\w*|\bsham[\s-]controlled", re.I),
        ("random", "were", "underwent", "rct", "placebo", "double", "single", "triple", "sham")),
    "nonrandomized_trial": Anchored(re.compile(
        r"\bnon-?randomi[sz]ed|\bsingle[\s-]arm|\bopen[\s-]label|"
        r"\buncontrolled\s+(?:trial|study)|\bquasi[\s-]experimental|"
        r"\bpre-?post\b|\bbefore[\s-]and[\s-]after|\bphase\s+(?:I|1|I/II|1/2|II|2|IIa|IIb)\s+"
        r"(?:\w+\s+)?(?:trial|study)|\bpilot\s+(?:trial|study)|"
        r"\bdose[\s-]escalation|\bfeasibility\s+(?:trial|study)|\bintervention\s+(?:study|trial)\b", re.I),
        ("non", "single", "open", "uncontrolled", "quasi", "pre", "before", "phase", "pilot", "dose",
         "feasibility", "intervention")),
    "case_report": Gated(re.compile(
        r"\bcase\s+report|\bwe\s+(?:report|describe|present)\s+(?:a|an|the)\s+"
        r"(?:\w+\s+){0,3}(?:case|patient)\b|\ba\s+\d+-(?:year|month)-old\s+"
        r"(?:\w+\s+)?(?:man|woman|boy|girl|male|female|patient|infant|child)", re.I),
        ("case", "report", "describe", "present", "-old")),
    "case_series": Gated(re.compile(
        r"\bcase\s+series|\bseries\s+of\s+\d+|"
        r"\b(?:two|three|four|five|\d)\s+(?:[\w-]+\s+){0,2}(?:families|kindreds|pedigrees)\b|"
        r"\bwe\s+(?:report|describe|present)\s+\d+\s+(?:patients|cases)|\bchart\s+review", re.I),
        ("series", "report", "describe", "present", "chart", "families", "kindreds", "pedigrees")),
    "genetic_association": Anchored(re.compile(
        r"\bgenome[\s-]wide\s+association|\bGWAS\b|\blinkage\s+"
        r"(?:analysis|study|disequilibrium)|\bMendelian\s+randomi[sz]ation|"
        r"\b(?:polymorphisms?|SNPs?|variants?|alleles?|genotypes?|haplotypes?)\b"
        r"[^.]{0,80}\bassociat\w*|\bassociat\w*[^.]{0,80}\b"
        r"(?:polymorphisms?|SNPs?|alleles?|genotypes?|haplotypes?)\b", re.I),
        ("genome", "gwas", "linkage", "mendelian", "polymorphism", "snp", "variant", "allele", "genotype",
         "haplotype", "associat")),
    "case_control": Anchored(re.compile(
        r"\bcase[\s-]+control|\bcases\s+and\s+(?:\w+\s+)?controls|"
        r"\bmatched\s+controls|\bcontrol\s+subjects|"
        r"\b(?:healthy|normal)\s+(?:\w+\s+)?(?:controls|volunteers|subjects|individuals)\b", re.I),
        ("case", "matched", "control", "healthy", "normal")),
    "cohort": Anchored(re.compile(
        r"\bcohort|\bprospective(?:ly)?\b|\blongitudinal|\bfollow-?up\s+study|"
        r"\bfollowed\s+(?:up\s+)?(?:for|over|until)|\bregistry|\bregister-based|"
        r"\bretrospective(?:ly)?\b|\bperson-years|\bincidence\s+of|"
        # prognostic studies follow patients to an outcome
        r"\bprognos\w*|\bpredictors?\s+of\s+(?:\w+\s+)?(?:response|outcome|survival|"
        r"recurrence|relapse|mortality)|\bpredict\w*\s+(?:the\s+)?(?:\w+\s+)?"
        r"(?:response|outcome|survival|recurrence|relapse)", re.I),
        ("cohort", "prospective", "longitudinal", "follow", "registry", "register", "retrospective",
         "person", "incidence", "prognos", "predict")),
    "cross_sectional": Anchored(re.compile(
        r"\bcross[\s-]sectional|\bsurvey|\bquestionnaire|\bprevalence|"
        r"\bdiagnostic\s+accuracy|\bsensitivity\s+and\s+specificity", re.I),
        ("cross", "survey", "questionnaire", "prevalence", "diagnostic", "sensitivity")),
    "modeling": Anchored(re.compile(
        r"\bsimulat\w*|\bmarkov\s+model|\bmathematical\s+model|"
        r"\bcost[\s-]effectiveness|\bdecision[\s-]analytic|\bmicrosimulation|"
        r"\bmodel(?:l)?ing\s+study|\bcomputational\s+model|\bwe\s+model(?:l)?ed", re.I),
        ("simulat", "markov", "mathematical", "cost", "decision", "microsimulation", "model",
         "computational", "we")),
    "narrative_review": Anchored(re.compile(
        r"\bthis\s+review\b|\bwe\s+review\b|\bhere\s+we\s+review|"
        r"\bin\s+this\s+(?:article|paper|chapter),?\s+we\s+(?:review|discuss|summari[sz]e)|"
        r"\bwe\s+(?:summari[sz]e|discuss)\s+(?:the\s+)?(?:current|recent)|"
        r"\breview\s+(?:of|on)\s+the\s+literature|\bliterature\s+review|"
        r"\boverview\s+of", re.I),
        ("this", "we", "here", "in", "review", "literature", "overview")),
}
_ANIMAL = Anchored(re.compile(
    r"\b(?:mice|mouse|murine|rats?|rodents?|rabbits?|dogs?|canine|pigs?|swine|porcine|piglets?|"
    r"sheep|ovine|cattle|bovine|cows?|monkeys?|macaques?|primates?|marmosets?|zebrafish|"
    r"drosophila|flies|C\.\s?elegans|caenorhabditis|nematodes?|worms?|hamsters?|guinea\s+pigs?|"
    r"ferrets?|cats?|feline|horses?|equine|chickens?|chicks?|xenopus|frogs?|tadpoles?|"
    r"animals?|knock-?out|transgenic|wild-type|littermates)\b",
    re.I,
), ("mice", "mouse", "murine", "rat", "rodent", "rabbit", "dog", "canine", "pig", "swine", "porcine", "sheep",
    "ovine", "cattle", "bovine", "cow", "monkey", "macaque", "primate", "marmoset", "zebrafish", "drosophila",
    "flies", "c.", "caenorhabditis", "nematode", "worm", "hamster", "guinea", "ferret", "cat", "feline", "horse",
    "equine", "chick", "xenopus", "frog", "tadpole", "animal", "knock", "transgenic", "wild-type", "littermates"))
_IN_VITRO = Anchored(re.compile(
    r"\bin\s+vitro\b|\bcell\s+lines?\b|\bcultured\b|\bcell\s+cultures?\b|\bHeLa\b|\bHEK\s?293|"
    r"\borganoids?\b|\bcrystal\s+structure|\bpurified\b|\brecombinant\b|\bbiochemical\b|"
    r"\bknockdown\b|\bsiRNA\b|\bin\s+silico\b|\bfibroblasts\b|\bprimary\s+\w+\s+cells\b",
    re.I,
), ("in", "cell", "cultured", "hela", "hek", "organoid", "crystal", "purified", "recombinant", "biochemical",
    "knockdown", "sirna", "fibroblasts", "primary"))
_HUMAN = Anchored(re.compile(
    r"\b(?:patients?|participants?|volunteers?|women|men|children|adults|infants|humans?|"
    r"individuals|persons|people|adolescents|neonates|respondents|pregnant)\b",
    re.I,
), ("patient", "participant", "volunteer", "women", "men", "children", "adults", "infants", "human", "individuals",
    "persons", "people", "adolescents", "neonates", "respondents", "pregnant"))
# Background sentences mention other studies ("previous randomized trials have shown ...").
_HEDGE = Anchored(re.compile(r"\b(?:previous|prior|earlier|have\s+shown|has\s+been\s+shown|few|lack\s+of|"
                             r"no\s+randomi[sz]ed|remains?\s+unclear|is\s+unknown|are\s+needed|is\s+needed|"
                             r"future|should\s+be|warranted)\b", re.I),
                  ("previous", "prior", "earlier", "have", "has", "few", "lack", "no", "remain", "is", "are",
                   "future", "should", "warranted"), _HEDGE_WORDS)

_PT_DESIGN = (
    ("meta-analysis", "meta_analysis"),
    ("systematic review", "systematic_review"),
    ("randomized controlled trial", "rct"),
    ("pragmatic clinical trial", "rct"),
    ("equivalence trial", "rct"),
    ("case reports", "case_report"),
)


@dataclass(frozen=True)
class DesignInfo:
    design: str
    reason: str
    humans: bool | None


def _own_text(title: str, sentences: Sequence[tuple[str, str]], lowered: Sequence[str]) -> str:
    """Title plus the sentences that describe this study, not the field's background, lower-cased
    (`title` and `lowered`, the sentence texts, already are)."""
    unlabelled = [i for i, (_, kind) in enumerate(sentences) if kind == ""]
    # One search over the unlabelled sentences joined by a character no pattern matches (so
    # no match spans two of them) instead of one search each.
    joined = "\x00".join([lowered[i] for i in unlabelled])
    starts = list(itertools.accumulate([len(lowered[i]) + 1 for i in unlabelled], initial=0))
    hedged = {unlabelled[bisect.bisect_right(starts, m.start()) - 1] for m in _HEDGE.finditer(joined)}
    kept = [title]
    for i, (_, kind) in enumerate(sentences):
        if kind == "background" or i in hedged:
            continue
        kept.append(lowered[i])
    return "\n".join(kept)


class _Mentions:
    """How often the abstract names animals, people and laboratory work: each count is a pass
    over the whole text, so it is made only when a rule reads it, and only matters (is not 0)
    when no participants were counted."""

    def __init__(self, full: str, counting: bool) -> None:
        self.full, self.counting = full, counting

    def _count(self, pattern: Anchored) -> int:
        return pattern.count(self.full) if self.counting else 0

    @cached_property
    def animal(self) -> int:
        return self._count(_ANIMAL)

    @cached_property
    def human(self) -> int:
        return self._count(_HUMAN)

    @cached_property
    def in_vitro(self) -> int:
        return self._count(_IN_VITRO)


def classify_design(title: str, sentences: Sequence[tuple[str, str]],
                    pub_types: Sequence[str] = (), has_human_count: bool = False,
                    lowered: Sequence[str] | None = None) -> DesignInfo:
    """The design of the reported study, why, and whether its data come from humans.

    `sentences` are (text, section kind). Publication types are used where they are reliable
    and checked against the text where they are not (a "Clinical Trial" PT on an open-label
    single-arm study is a non-randomised trial; a "Review" titled "... meta-analysis" is a
    meta-analysis). Cues are then read in the title and in the sentences outside the
    background, in the order of the evidence hierarchy. `lowered` are the sentence texts
    lower-cased, when the caller has them.
    """
    # Every design rule is a lower-case pattern run on lower-cased text (see casefree.lower_pattern).
    # Lower-casing joined texts gives the joined lower-cased pieces ("\n" ends a final sigma's
    # context), so each sentence is lower-cased once.
    title = title.lower()
    lowered = lowered if lowered is not None else [t.lower() for t, _ in sentences]
    full = "\n".join([title, *lowered])
    own = _own_text(title, sentences, lowered)
    pts = [p.lower() for p in pub_types]

    no_people = not has_human_count
    hits = _Mentions(full, no_people)

    def cue(name: str, text: str = own) -> re.Match[str] | None:
        return _CUES[name].search(text)

    def result(design: str, reason: str) -> DesignInfo:
        if design in ("animal", "in_vitro", "modeling"):
            humans: bool | None = False if no_people else True
        elif design in ("narrative_review", "other"):
            humans = True if has_human_count else None  # unsure: no counted participants
        else:
            humans = True
        return DesignInfo(design, reason, humans)

    # Meta-analysis and systematic review: PT or title/own-text cue.
    m = cue("meta_analysis")
    genetic_title = cue("genetic_association", title)
    if genetic_title and "meta-analysis" not in pts:
        # "Replication and meta-analysis of variants ... associated with AF": genetics first.
        return result("genetic_association", f'title cue "{genetic_title.group(0)}"')
    if m or "meta-analysis" in pts:
        why = f'cue "{m.group(0)}"' if m else 'publication type "Meta-Analysis"'
        return result("meta_analysis", why)
    m = cue("systematic_review")
    if m or "systematic review" in pts:
        why = f'cue "{m.group(0)}"' if m else 'publication type "Systematic Review"'
        return result("systematic_review", why)

    # Animals, when no human population is counted.
    if hits.animal and no_people and (bool(_ANIMAL.search(title)) or hits.animal >= 2) and hits.animal >= hits.human:
        first = _ANIMAL.search(full)
        return result("animal", f'animal subjects ("{first.group(0)}", {hits.animal} mentions) '
                                f"and no human participant count")

    rct = cue("rct")
    nonrand = cue("nonrandomized_trial")
    if "randomized controlled trial" in pts and not (nonrand and re.search(r"non-?randomi", nonrand.group(0), re.I)):
        return result("rct", 'publication type "Randomized Controlled Trial"')
    case_report = cue("case_report")
    if "case reports" in pts and not cue("case_series"):
        return result("case_report", 'publication type "Case Reports"')
    if rct and not (nonrand and re.search(r"non-?randomi", nonrand.group(0), re.I)):
        return result("rct", f'cue "{rct.group(0)}"')
    trial_pt = next((p for p in pub_types if "clinical trial" in p.lower()), None)
    if nonrand:
        return result("nonrandomized_trial", f'cue "{nonrand.group(0)}"')
    if trial_pt:
        return result("nonrandomized_trial", f'publication type "{trial_pt}" without randomisation in the text')
    if case_report:
        return result("case_report", f'cue "{case_report.group(0)}"')

    if hits.in_vitro and no_people and hits.in_vitro >= hits.human:
        if hits.animal and hits.animal >= hits.in_vitro:
            first = _ANIMAL.search(full)
            return result("animal", f'animal subjects ("{first.group(0)}") and no human participant count')
        first_iv = _IN_VITRO.search(full)
        if _STUDY_LANGUAGE.search(own) or len(own) < 400:
            return result("in_vitro", f'cue "{first_iv.group(0)}" and no human participant count')

    for name in ("genetic_association", "modeling", "case_control", "cohort", "cross_sectional",
                 "case_series"):
        m = cue(name)
        if m:
            return result(name, f'cue "{m.group(0)}"')
    if "observational study" in pts:
        return result("cohort", 'publication type "Observational Study"')
    m = cue("narrative_review", full)
    if m:
        return result("narrative_review", f'cue "{m.group(0)}"')
    if "review" in pts:
        return result("narrative_review", 'publication type "Review"')
    if hits.animal and no_people and hits.animal > hits.human:
        first = _ANIMAL.search(full)
        return result("animal", f'animal subjects ("{first.group(0)}") and no human participant count')
    return _without_cue(own, has_human_count, result)


# Laboratory work on human material ("expression in peripheral blood mononuclear cells").
_LAB = Anchored(re.compile(r"\b(?:cells?|expression|mRNA|proteins?|assays?|in\s+culture|co-?cultur\w*|"
                           r"receptors?|transcripts?|enzymes?|secretion|plasmids?|pathways?)\b", re.I),
                ("cell", "expression", "mrna", "protein", "assay", "in", "co", "receptor", "transcript", "enzyme",
                 "secretion", "plasmid", "pathway"))
_STUDY_LANGUAGE = lower_pattern(re.compile(r"\b(?:we|this\s+study|the\s+present\s+study)\s+(?:\w+\s+)?"
                             r"(?:studied|examined|investigated|analy[sz]ed|measured|assessed|found|"
                             r"show|showed|demonstrate\w*|observed|report|identified|evaluated)\b|"
                             r"\b[Pp]\s*[<=>]\s*0?\.\d", re.I))


def _without_cue(own: str, has_human_count: bool, result) -> DesignInfo:  # noqa: ANN001
    """No design named: a counted group of people observed once is the commonest such study
    (cross-sectional); uncounted laboratory work is in vitro; an abstract that reports no
    study of its own is a narrative review."""
    if has_human_count:
        m = _CASES_ONLY.search(own)
        if m and not _COMPARED.search(own):
            return result("case_series", f'patients described without a comparison group ("{m.group(0)}")')
        return result("cross_sectional", "people counted, no design named: observed once")
    study = _STUDY_LANGUAGE.search(own)
    if study and _LAB.count(own) >= 3:
        return result("in_vitro", f'laboratory measures and "{study.group(0)}", no participant count')
    if not study and len(own) >= 400:  # a few lines are too little to call a review
        return result("narrative_review", "no study of its own reported and no participant count")
    return result("other", "no design cue found")


# A case series describes a few patients who share a condition ("14 octreotide treated
# acromegalic patients", "81 cases with del(14q)"): under a hundred, no comparison group.
_CASES_ONLY = lower_pattern(re.compile(rf"(?<![\d,.])(?:[1-9]\d?|{NUMBER_WORDS_RE})\s+(?:[\w-]+\s+){{0,3}}"
                         r"(?:patients|cases)\b(?!\s+and\b)", re.I))
_COMPARED = Anchored(re.compile(r"\b(?:controls?|healthy|normal|compared\s+with|versus|vs\.?|"
                                r"participants|volunteers|subjects|group\s+[ab12]|groups)\b", re.I),
                     ("control", "healthy", "normal", "compared", "versus", "vs", "participants", "volunteers",
                      "subjects", "group"))


def names_a_review(title: str, own: str) -> bool:
    """Does the title name a meta-analysis or a systematic review, or the study's own text
    (both lower-cased) a meta-analysis? Then only a pooled total counts its participants."""
    return bool(_CUES["meta_analysis"].search(title) or _CUES["systematic_review"].search(title)
                or _CUES["meta_analysis"].search(own))
