"""Extraction on spacy.blank("en"): a record's abstract -> Finding (design, participants, effects).

`extraction.py` builds the spaCy pipeline and runs it; `sections.py`, `sentences.py`, `numbers.py`
and `facts.py` are pure text helpers that need no spaCy, so this package's own import stays light:
rating and sources read sections and numbers without loading spaCy.
"""
