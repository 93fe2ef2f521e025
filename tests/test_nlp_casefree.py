"""CaseFree: a case-insensitive pattern run as its lower-case twin finds the same matches."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from pipeline.nlp.casefree import CaseFree, lower_pattern

PATTERN = re.compile(r"(?<![\w-])(?P<label>odds\s+ratio|OR|β|[A-Z]{2}S)\s*(?P<value>\d+(?:\.\d+)?)(?P<pct>%)?",
                     re.IGNORECASE)


@pytest.mark.parametrize("text", [
    "The Odds Ratio 2.3 and OR 1.5, or 4; ODDS RATIO 7%.",
    "β 0.4 and Β 0.5",                 # upper-case beta lower-cases to the pattern's β
    "ϐ 0.4 and β 0.5",                 # "ϐ" equals β only by IGNORECASE's extra table
    "İstanbul OR 2.1 and the odds ratio 3",  # "İ" lower-cases to two characters
    "ſAS 12 and GAS 13",               # "ſ" matches s (and the [A-Z] range) only by folding
    "",
])
def test_same_matches_as_ignorecase(text: str) -> None:
    expected = [(m.span(), m.group(0), m.group("label"), m.group("pct"), m.start("value"))
                for m in PATTERN.finditer(text)]
    got = [(m.span(), m.group(0), m.group("label"), m.group("pct"), m.start("value"))
           for m in CaseFree(PATTERN).finditer(text)]
    assert got == expected


def test_groups_keep_the_original_case() -> None:
    (m,) = CaseFree(PATTERN).finditer("Odds Ratio 2")
    assert (m.group("label"), m.group(0)) == ("Odds Ratio", "Odds Ratio 2")


def test_upper_case_escapes_are_refused() -> None:
    with pytest.raises(ValueError):
        lower_pattern(re.compile(r"\S+", re.IGNORECASE))


@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet="oddsratioORDSβΒϐſİKk GAS12.%-", max_size=40))
def test_same_matches_as_ignorecase_on_any_text(text: str) -> None:
    """The twin runs on ASCII text, the folding pattern on the rest: the same matches either way."""
    for sample in (text, text.encode("ascii", "ignore").decode()):
        assert [(m.span(), m.group("label"), m.group("pct")) for m in CaseFree(PATTERN).finditer(sample)] == \
            [(m.span(), m.group("label"), m.group("pct")) for m in PATTERN.finditer(sample)]
