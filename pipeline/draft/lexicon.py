"""Word lists shared by the check-worthiness rules and the field guesses (regex fragments).

Kept general (health journalism at large, not one article): treatments, conditions and
measures, populations, study language, effect verbs, rhetoric.
"""

from __future__ import annotations

import re

# Check-worthiness a sentence needs to be drafted (worthiness.WEIGHTS summed); here, not in
# worthiness.py, so the command line can show it without importing spaCy.
THRESHOLD = 2.5


def words(*alternatives: str) -> re.Pattern[str]:
    """A case-insensitive regex matching any of the alternatives as whole words."""
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


STUDY = words(r"stud(?:y|ies)", r"trials?", r"research(?:ers)?", r"scientists", r"reviews?",
              r"meta-analys[ie]s", r"evidence", r"data", r"surveys?", r"experiments?",
              r"participants", r"findings", r"analys[ie]s", r"cohort", r"randomi[sz]ed")
SHOWN = words(r"(?:has|have|was|were|is|are)\s+(?:been\s+)?(?:shown|found|proven|demonstrated|linked|associated)",
              r"(?:studies|research|trials|data|evidence)\s+(?:shows?|suggests?|indicates?|finds?)",
              r"found\s+that", r"reported\s+that", r"concluded", r"pooled")
EFFECT = words(r"reduc\w*", r"improv\w*", r"increas\w*", r"lower\w*", r"decreas\w*", r"rais\w*",
               r"prevent\w*", r"treat(?:s|ed|ing)?", r"cur(?:e|es|ed|ing)", r"reliev\w*", r"relief",
               r"enhanc\w*", r"promot\w*", r"boost\w*", r"protect\w*", r"caus\w*", r"leads?\s+to",
               r"leading\s+to", r"(?<!seek\s)(?<!get\s)help(?:s|ed|ing)?", r"trigger\w*", r"worsen\w*", r"impair\w*",
               r"cut(?:s|ting)?", r"los[et]", r"burn\w*", r"block\w*", r"stimulat\w*", r"inhibit\w*",
               r"restor\w*", r"reset\w*", r"heal(?:s|ed|ing)?", r"enabl\w*", r"allow(?:s|ed|ing)?", r"works?\s+on", r"fall")
EFFICACY = words(r"effective\w*", r"efficac\w*", r"benefits?", r"beneficial", r"better\s+than",
                 r"no\s+better", r"superior", r"inferior", r"works")
SAFETY = words(r"safe(?:ty|ly)?", r"unsafe", r"side[- ]effects?", r"adverse", r"risks?", r"risky",
               r"dangerous", r"harm\w*", r"toxic\w*", r"overdose", r"should\s+not", r"addict\w*")
MECHANISM = words(r"brain(?:'s|\u2019s)?", r"receptors?", r"glutamate", r"synap\w*", r"neuro\w*",
                  r"hormones?", r"cortisol", r"dopamine", r"serotonin", r"inflammat\w*", r"metaboli[cs]m?",
                  r"enzymes?", r"genes?", r"cells?", r"insulin\s+sensitivity", r"insulin", r"glycogen",
                  r"liver", r"connectivity", r"pathways?", r"nervous\s+system")
ADMINISTRATION = words(r"intravenous", r"infusions?", r"injections?", r"doses?", r"dosing", r"oral(?:ly)?",
                       r"tablets?", r"pills?", r"lozenges?", r"capsules?", r"sublingual", r"intramuscular",
                       r"nasal\s+spray", r"supervision", r"sessions?", r"windows?", r"regimen")
FREQUENCY = words(r"often", r"commonly", r"usually", r"typically", r"frequently", r"rarely",
                  r"most", r"many", r"majority", r"millions", r"one\s+in\s+\w+")
CONDITION_VERB = words(r"suffer\w*", r"develop\w*", r"endure\w*", r"experienc\w*", r"(?:are|is)\s+at\s+risk",
                       r"exposed", r"struggl\w*", r"diagnosed", r"live\s+with")
# "This method enhances ...": a demonstrative naming the treatment the article is about.
TREATMENT_ANAPHOR = words(r"(?:this|that|the)\s+(?:method|treatment|approach|therapy|technique|intervention|"
                          r"diet|plan|practice)")
COMPARATIVE = words(r"than", r"unlike", r"compared", r"versus", r"vs\.?", r"faster", r"slower",
                    r"more", r"less", r"fewer", r"better", r"worse", r"higher", r"lower")
HEDGE = words(r"may", r"might", r"could", r"can", r"possibly", r"suggests?", r"appears?", r"seems?")
PREDICTION = words(r"will", r"likely\s+to", r"could\s+become", r"future", r"someday", r"one\s+day")
ATTRIBUTION = words(r"says?", r"said", r"explains?", r"explained", r"according\s+to", r"reports",
                    r"reported", r"notes", r"noted", r"stated", r"told", r"adds?", r"added",
                    r"argues?", r"warns?", r"warned", r"recommends?")
EVALUATIVE = words(r"game[- ]changer", r"amazing", r"incredible", r"exciting", r"bright", r"heroes",
                   r"profound", r"vital", r"life[- ]changing", r"transforming", r"revolutionary",
                   r"miracle\w*", r"love", r"honestly", r"cornerstone", r"empowers?", r"wonderful",
                   r"awesome", r"fad", r"journey", r"invisible\s+wounds")
FIRST_PERSON = words(r"I", r"we", r"us", r"our", r"my", r"me", r"we(?:'|\u2019)(?:ve|re|ll)", r"I(?:'|\u2019)(?:m|ve|d)")
FIRST_SINGULAR = words(r"I", r"me", r"my", r"I(?:'|\u2019)(?:m|ve|d)")
SECOND_PERSON = words(r"you", r"your", r"you(?:'|\u2019)(?:re|ll|ve)")
IMPERATIVE_START = re.compile(r"^(?:talk|ask|try|give|consider|remember|check|see|read|click|sign|join|"
                              r"subscribe|enjoy|don't|do\s+not|make\s+sure)\b", re.IGNORECASE)
META = words(r"this\s+article", r"test\s+suite", r"not\s+(?:medical|health)\s+advice", r"disclaimer",
             r"sponsored", r"affiliate")

CONDITIONS = words(
    r"post-traumatic\s+stress\s+disorder", r"posttraumatic\s+stress\s+disorder", r"PTSD",
    r"treatment-resistant\s+depression", r"(?:major\s+)?depression", r"depressive\s+symptoms",
    r"anxiety", r"insomnia", r"nightmares", r"sleep\s+disorders?", r"trauma", r"(?:type\s+[12]\s+)?diabetes",
    r"obesity", r"hypertension", r"hypoglyc(?:a)?emia", r"cancer", r"dementia", r"alzheimer(?:'|\u2019)?s",
    r"asthma", r"(?:chronic\s+)?pain", r"migraines?", r"strokes?", r"heart\s+disease", r"metabolic\s+syndrome",
    r"eating\s+disorders?", r"addiction", r"[\w-]+\s+disorders?", r"[\w-]+\s+disease", r"[\w-]+\s+syndrome",
    r"(?:fasting\s+)?blood\s+(?:sugar|glucose|pressure)", r"(?:LDL\s+|HDL\s+)?cholesterol",
    r"triglycerides", r"HbA1c", r"weight\s+loss", r"body\s+weight", r"muscle\s+mass", r"insulin\s+sensitivity",
    r"sleep(?:\s+patterns|\s+quality)?", r"symptoms", r"mortality", r"quality\s+of\s+life", r"mood",
    r"emotional\s+regulation", r"neuroplasticity", r"cravings",
)
POPULATION_WORDS = "|".join((
    r"first\s+responders", r"police\s+officers", r"firefighters", r"paramedics", r"veterans", r"soldiers",
    r"nurses", r"athletes", r"students", r"shift\s+workers", r"(?:older|young|elderly)\s+adults", r"adults",
    r"children", r"teenagers", r"adolescents", r"infants", r"pregnant\s+women", r"women", r"men",
    r"seniors", r"smokers",
))
POPULATIONS = words(POPULATION_WORDS)
# Bare people-words count as a population only with a qualifier: "patients with PTSD".
PEOPLE = r"(?:patients|people|individuals|participants|adults|children|women|men)"
TREATMENTS = words(
    r"(?:traditional\s+|conventional\s+|standard\s+)?antidepressants?", r"medications?", r"drugs?",
    r"insulin", r"sulfonylureas", r"metformin", r"supplements?", r"vitamin\s+[A-Z]\d?", r"exercise",
    r"diets?", r"surgery", r"vaccines?", r"placebo", r"psychotherapy", r"therapy", r"therapies",
    r"cognitive\s+behavio(?:u)?ral\s+therapy", r"CBT", r"meditation", r"acupuncture", r"calorie\s+counting",
)

STOPWORDS = frozenset(
    "a an the and or of in on for to with by from at as is are was were be been being it its this that "
    "these those their his her our your my can may might could will would should has have had do does "
    "did not no but so than then there here what who whom which when where why how very just also more "
    "most many much some any all each other such about into over after before while during".split()
)
