"""Pure number helpers, on hand-written strings in the notations abstracts use."""

from __future__ import annotations

import pytest

from pipeline.nlp.numbers import (
    find_cis,
    find_p_values,
    find_percentages,
    find_ranges,
    number_words_to_int,
    parse_number,
    parse_range,
)


@pytest.mark.parametrize("text, expected", [
    ("forty-one", 41), ("Forty-one", 41), ("twelve", 12), ("one hundred and twenty", 120),
    ("two thousand three hundred", 2300), ("ninety nine", 99), ("zero", 0),
])
def test_number_words(text: str, expected: int) -> None:
    assert number_words_to_int(text) == expected


@pytest.mark.parametrize("text", ["", "patients", "forty-one patients", "once", "123"])
def test_not_number_words(text: str) -> None:
    assert number_words_to_int(text) is None


@pytest.mark.parametrize("text, expected", [
    ("1,204", 1204.0), ("12,345,678", 12345678.0), (".001", 0.001), ("0.016", 0.016),
    ("0·85", 0.85), ("−0.3", -0.3), ("-2.5", -2.5), ("45%", 45.0), ("Forty-one", 41.0),
    (" 120 ", 120.0),
])
def test_parse_number(text: str, expected: float) -> None:
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["1.4-3.8", "abc", "", "1,2345", "95% CI"])
def test_parse_number_rejects(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize("text, expected", [
    ("one to two", (1, 2)), ("1.4-3.8", (1.4, 3.8)), ("0.55–0.92", (0.55, 0.92)),
    ("3 to 5", (3, 5)), ("-0.5 to -0.1", (-0.5, -0.1)),
])
def test_parse_range(text: str, expected: tuple[float, float]) -> None:
    assert parse_range(text) == pytest.approx(expected)


def test_find_ranges_gives_spans() -> None:
    text = "relief within one to two sessions and 3-5 days"
    ranges = find_ranges(text)
    assert [(r.low, r.high) for r in ranges] == [(1, 2), (3, 5)]
    assert [text[r.span[0]:r.span[1]] for r in ranges] == ["one to two", "3-5"]


@pytest.mark.parametrize("text, low, high", [
    ("OR 2.3, 95% CI 1.4-3.8", 1.4, 3.8),
    ("(95% CI: 0.55 to 0.92)", 0.55, 0.92),
    ("d=1.13, 95% CI=0.36, 1.91", 0.36, 1.91),
    ("HR 0.75 (95% CI 0.55–0.92)", 0.55, 0.92),
    ("odds ratio, 1.14; 95% confidence interval [CI], 1.00 to 1.30; P=0.046", 1.00, 1.30),
    ("MD −2.3 (95% CI −3.1 to −1.5)", -3.1, -1.5),
    ("MD -2.3 (95% CI -3.1--1.5)", -3.1, -1.5),
    ("95%CI 1,100 to 1,250", 1100, 1250),
    ("(CI 95%: 0·70–0·96)", 0.70, 0.96),
])
def test_find_cis(text: str, low: float, high: float) -> None:
    cis = find_cis(text)
    assert len(cis) == 1
    assert (cis[0].low, cis[0].high) == pytest.approx((low, high))
    s, e = cis[0].bounds_span
    whole = cis[0].span
    assert whole[0] <= s < e <= whole[1]
    assert "CI" not in text[s:e] and text[e - 1].isdigit()


def test_ci_level() -> None:
    assert find_cis("OR 2.0 (99% CI 1.1-3.6)")[0].level == 99
    assert find_cis("OR 2.0 (CI 1.1-3.6)")[0].level == 0


def test_no_ci_without_label() -> None:
    assert find_cis("between 1.4 and 3.8 hours") == []


@pytest.mark.parametrize("text, value, op", [
    ("P < .001", 0.001, "<"), ("p = 0.016", 0.016, "="), ("p<0.05", 0.05, "<"),
    ("P=0.046", 0.046, "="), ("P-value = 0.03", 0.03, "="), ("P for trend = 0.02", 0.02, "="),
    ("p ≤ 0.05", 0.05, "<="), ("P<or=0.05", 0.05, "<="), ("P > 0.2", 0.2, ">"),
    ("P = 3 × 10−8", 3e-8, "="), ("p < 1e-5", 1e-5, "<"), ("P = 2 x 10^-4", 2e-4, "="),
])
def test_find_p_values(text: str, value: float, op: str) -> None:
    found = find_p_values(text)
    assert len(found) == 1
    assert found[0].value == pytest.approx(value)
    assert found[0].operator == op
    assert found[0].span[0] == 0


def test_p_values_in_a_sentence() -> None:
    text = "Scores improved (p = 0.016) but not pain (P=.31); SP = 0.2 is a score, p = 12 a page."
    assert [(p.value, p.operator) for p in find_p_values(text)] == [(0.016, "="), (0.31, "=")]


def test_percentages() -> None:
    text = "67% of the ketamine group responded vs 10·5 % of controls and 12 percent overall"
    found = find_percentages(text)
    assert [v for v, _ in found] == [67.0, 10.5, 12.0]
    assert [text[s:e] for _, (s, e) in found] == ["67%", "10·5 %", "12 percent"]


@pytest.mark.parametrize("text", [
    "OR 2.3, 95% CI 1.4-3.8", "OR 2.3 (95 % confidence interval 1.4-3.8)",
    "rate 12 (90% CrI 8-20)",
])
def test_ci_level_is_not_a_percentage(text: str) -> None:
    assert find_percentages(text) == []


def test_ci_bounds_are_not_percentages_but_the_estimate_is() -> None:
    text = "response 61% (95% CI, 46%-74%)"
    assert [v for v, _ in find_percentages(text)] == [61.0]


def test_percentage_range_dash_is_not_a_minus() -> None:
    assert [v for v, _ in find_percentages("between 10%-20% of patients")] == [10.0, 20.0]
