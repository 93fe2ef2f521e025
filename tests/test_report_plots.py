"""The SVG pictures: which estimates a forest plot draws, where it draws them, the weight bar."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from pipeline.report import plots
from pipeline.report.writer import mark_terms

SVG = "{http://www.w3.org/2000/svg}"


def _effect(measure, value, low=None, high=None):
    return {"measure": measure, "value": value, "ci_low": low, "ci_high": high, "p_value": None}


def _src(title, stance, effects, n=None, weight=0.5, year=2020):
    return {"record_id": title, "title": title, "year": year, "stance": stance, "sample_size": n,
            "weight": weight, "effects": effects}


def _claim(*sources):
    return {"id": "c1", "sources": list(sources)}


def test_forest_rows_draw_only_estimates_with_a_ci_on_a_known_scale():
    claim = _claim(
        _src("neutral first in the list", "neutral", [_effect("OR", 1.1, 0.9, 1.3)]),
        _src("supporting trial", "supports", [
            _effect("OR", 0.5, 0.3, 0.8),      # drawn, ratio panel
            _effect("HR", 0.7, 0.5, 0.9),      # drawn, same ratio panel
            _effect("SMD", 0.4, 0.1, 0.7),     # drawn, its own panel
            _effect("OR", 0.5),                # no CI: not drawn
            _effect("percent", 87.0, 80, 90),  # percentages have no null: not drawn
            _effect("RR", 2.0, 2.5, 3.0),      # CI does not hold the value: an extraction slip
            _effect("OR", 0.0, -1.0, 1.0),     # a ratio cannot be <= 0
        ], n=120),
        _src("contradicting cohort", "contradicts", [_effect("RR", 1.4, 1.1, 1.9)], n=3000),
    )
    panels = plots.forest_rows(claim)
    assert list(panels) == ["ratio", "SMD"]
    assert [(r.stance, r.value) for r in panels["ratio"]] == [
        ("supports", 0.5), ("supports", 0.7), ("contradicts", 1.4), ("neutral", 1.1)]
    assert panels["ratio"][0].text == "OR 0.5 [0.3, 0.8]" and panels["ratio"][0].n == 120
    assert plots.forest_plot(_claim(_src("x", "supports", [_effect("percent", 50.0)])), "fp") is None


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_forest_plot_is_valid_svg_with_text_alternative_null_line_and_sized_markers():
    claim = _claim(
        _src("small trial", "supports", [_effect("OR", 0.5, 0.25, 1.0)], n=40),
        _src("large trial", "contradicts", [_effect("OR", 2.0, 1.5, 2.6)], n=4000),
    )
    root = _parse(str(plots.forest_plot(claim, "fp-c1")))
    assert root.get("role") == "img" and root.get("aria-labelledby") == "fp-c1-t fp-c1-d"
    assert root.find(f"{SVG}title").get("id") == "fp-c1-t"
    desc = root.find(f"{SVG}desc").text
    assert "2 estimates" in desc and "OR 0.5 [0.25, 1]" in desc and "1 supports" in desc
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Sources that support the claim" in texts and "Sources that contradict it" in texts
    # the dashed null line sits between the two estimates' markers, at x(1) on a log scale
    null = next(l for l in root.iter(f"{SVG}line") if l.get("stroke-dasharray"))
    # the data markers, not the group headers' legend markers at the left edge
    square = next(r for r in root.iter(f"{SVG}rect") if float(r.get("x")) > plots.PLOT_LEFT - 10)
    diamond = next(p for p in root.iter(f"{SVG}path")
                   if float(re.match(r"M([\d.]+)", p.get("d")).group(1)) > plots.PLOT_LEFT - 10)
    sq_x = float(square.get("x")) + float(square.get("width")) / 2
    di_x = float(re.match(r"M([\d.]+)", diamond.get("d")).group(1))
    null_x = float(null.get("x1"))
    assert sq_x < null_x < di_x
    # log scale: 0.5 and 2.0 are equally far from 1
    assert abs((null_x - sq_x) - (di_x - null_x)) < 1.0
    # the bigger study gets the bigger marker
    di_half = di_x - float(re.search(r"L([\d.]+) [\d.]+Z", diamond.get("d")).group(1))
    assert di_half * 2 > float(square.get("width"))


def test_forest_plot_caps_rows_and_says_how_many_were_left_out():
    effects = [_effect("MD", float(i), i - 1.0, i + 1.0) for i in range(plots.MAX_ROWS + 3)]
    root = _parse(str(plots.forest_plot(_claim(_src("many", "supports", effects)), "fp")))
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert sum(t.startswith("MD ") for t in texts) == plots.MAX_ROWS
    assert "3 more estimates not drawn (see the evidence table)" in texts


def test_forest_plot_escapes_titles():
    claim = _claim(_src('<script>alert(1)</script> & "x"', "supports", [_effect("OR", 2.0, 1.5, 3.0)]))
    svg = str(plots.forest_plot(claim, 'fp-"><script>'))
    assert "<script>" not in svg
    _parse(svg)  # still well-formed XML


@pytest.mark.parametrize(("lo", "hi", "log"), [(0.08, 30.0, True), (-3.2, 7.9, False), (0.51, 0.78, False)])
def test_ticks_fall_inside_the_axis_and_are_few(lo, hi, log):
    ticks = plots._ticks(lo, hi, log)
    assert 2 <= len(ticks) <= 7 and all(lo <= t <= hi for t in ticks) and ticks == sorted(ticks)


def test_weight_bar_segments_are_proportional_and_described():
    totals = plots.weight_totals([_src("a", "supports", [], weight=0.9), _src("b", "supports", [], weight=0.3),
                                  _src("c", "contradicts", [], weight=0.6), _src("d", "neutral", [], weight=0.0)])
    assert totals == {"supports": 1.2, "contradicts": 0.6, "neutral": 0.0}
    root = _parse(str(plots.weight_bar(totals, "wb")))
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect")][1:]  # after the outline
    assert widths == pytest.approx([400.0, 200.0])
    assert "supports 1.20" in root.find(f"{SVG}title").text
    empty = _parse(str(plots.weight_bar({"supports": 0, "contradicts": 0, "neutral": 0}, "wb")))
    assert len(list(empty.iter(f"{SVG}rect"))) == 1 and "No evidence weight" in empty.find(f"{SVG}title").text


def test_stances_differ_by_shape_not_only_colour():
    tags = {s: _parse(str(plots.stance_glyph(s)))[0].tag for s in plots.STANCES}
    assert len(set(tags.values())) == 3


def test_mark_terms_finds_whole_words_case_insensitively():
    pieces = mark_terms("Ketamine reduced PTSD; ketamines and sketamine are not words here.", ["ketamine", "ptsd"])
    assert [p for p, key in pieces if key] == ["Ketamine", "PTSD"]
    assert "".join(p for p, _ in pieces).startswith("Ketamine reduced PTSD;")
    assert mark_terms("no terms", []) == [("no terms", False)]
    assert mark_terms("a (b) c", ["(b)"]) == [("a ", False), ("(b)", True), (" c", False)]


def test_markdown_marks_key_words_in_bold_and_keeps_the_spaces():
    from pipeline.report.writer import md_marked

    assert md_marked("Mood, sleep and   pain improved.", ["sleep"]) == "Mood, **sleep** and pain improved."
    assert md_marked("a <b> | c", ["<b>"]) == r"a **\<b\>** \| c"
