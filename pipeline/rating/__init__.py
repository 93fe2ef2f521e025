"""Rating: how each source bears on a claim, checks of the claim's specifics, and the verdict.

Pure code, no I/O: `assess(claim, [(record, finding), ...], searches, checks=None) -> Assessment`;
`rate(claim, evidence)` rates the sources alone, so a run can make its checks on them first.

Per source (`source.py`, `relevance.py`, `terms.py`, `stance.py`)
  gate        (`relevance.py`) the record tests the claim only if it names the claim's intervention
              or exposure as a phrase (or its MeSH heading or abbreviation) and its outcome (or the
              outcome's family); the population is recorded (same / other / animal / unknown).
              A PICO-less claim: half its own words. A record that fails is "found, not about this
              claim": neutral, weight 0, never read by the stance reader.
  relevance   weighted overlap of the claim's intervention (0.45), outcome (0.25), population
              (0.2), comparator (0.05) and content words (0.1) with title + abstract + MeSH;
              it scales the weight of records that pass the gate.
  stance      `reading.read_pair`, the one stance path: after the relevance gate, the stance
              cross-encoder (`encoder.py`, fine-tuned all-MiniLM-L6-v2 run in numpy) scores the claim
              against the title and the candidate result sentences; the decision rule stored with
              the model labels the abstract, and the deciding sentences are shown with their
              probabilities. The rule cues of `stance.py` are shown as signals, and decide nothing.
              A supported claim of a complete effect ("cures") whose evidence only reports a change
              is flagged "claim stronger than evidence".
  weight      design (meta-analysis/systematic review 1.0, RCT 0.8, non-randomised 0.5,
              cohort/case-control 0.4, cross-sectional 0.3, case series/report 0.15, narrative
              review 0.1, other 0.2, animal/in-vitro 0.05) x size (log10(n)/3, floor 0.3, unknown
              0.6) x relevance. Retracted (publication type or any retraction notice): weight 0,
              neutral, "retracted — counts for nothing"; never counted as support.

Checks (`checks.py`): each cited study is looked for among the records (journal full name or
ISO abbreviation, year, topic; PMID/DOI/title) -> found / near_miss / not_found; a person or
outlet without a journal -> unchecked. Each claimed figure -> match (percent within ±1 point,
counts exact) / differs (nearest figures shown) / absent.

Verdict rules, in order (`verdict.py`; `assess(..., checks=)` takes a run's checks, which know what
the citation searches did; each cite is paired with its one citation or quote check by subject)
  1. unverifiable   the claim rests on a named source (kind citation/statistic/quote, or it cites
                    a source for its figures) and that source is not found (the reason says what was
                    searched and what was found instead) or could not be checked (the reason says
                    why: a service failed, no URL); or a statistic whose figure appears nowhere.
     When the cited study is found its stance decides, with the figure rules below; when it was
     retracted (its record or an integrity check says so) the claim is not_supported, with the
     notice's link. A quote found at the source supports a quote claim.
  2. mixed          adequate evidence both ways, or adequate one way and credible evidence of at
                    least half the weight the other way, or only smaller credible studies both ways.
     supported      adequate human evidence supports: a meta-analysis/systematic review, an RCT
                    with n >= 50, or two RCTs; nothing of similar weight against.
     partly_supported  as above but only in another population, or the claim's figures differ from
                    the sources' (or the GRIM check finds a claim percentage impossible),
                    or the claim is stronger than every adequate supporting study ("cures");
                    or support only from smaller credible designs (small RCT, non-randomised,
                    cohort, case-control); or, for background/mechanism claims, only from
                    narrative reviews or animal/laboratory work.
     contradicted   adequate human evidence contradicts and nothing of similar weight supports.
     not_supported  studies that test the claim were found and do not show it: weak designs only,
                    animal/in-vitro only (never enough for a clinical claim), small studies against,
                    or no result for or against.
     unverifiable   no record passed the gate: the reason says what was searched, how many records
                    came back and why none tests the claim ("none of the 20 records studies X").
  Confidence grows with the weight of the sources that take a side and their agreement, never
  with records that say nothing; "high" (>= 0.75) needs an adequate study that tests the claim
  directly (same population, human). Every verdict ends with what was searched and how many
  records test the claim.
"""

from pipeline.rating.verdict import assess, rate

__all__ = ["assess", "rate"]
