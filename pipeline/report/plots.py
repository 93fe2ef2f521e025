"""The report's pictures, drawn as inline SVG strings: a forest plot and an evidence-weight bar.

Pure functions of a claim's report JSON (see writer.report_json); every piece of text that
reaches the SVG is escaped here, and each picture carries a <title>/<desc> text alternative.
Stances are told apart by shape as well as colour (square, diamond, hollow circle), so the
pictures read in greyscale print and for colour-blind readers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from pipeline.text import counted

STANCES = ("supports", "contradicts", "neutral")
STANCE_COLOURS = {"supports": "#1f6f43", "contradicts": "#a4262c", "neutral": "#6b6f76"}
STANCE_GROUPS = {
    "supports": "Sources that support the claim",
    "contradicts": "Sources that contradict it",
    "neutral": "Sources that say nothing on it",
}

RATIO_MEASURES = ("OR", "RR", "HR", "IRR")
# measure -> (panel title, null value); a ratio panel is drawn on a log scale around 1.
PANELS: dict[str, tuple[str, float | None]] = {
    "ratio": ("Odds, risk and hazard ratios (log scale)", 1.0),
    "SMD": ("Standardised mean differences", 0.0),
    "MD": ("Mean differences", 0.0),
    "RD": ("Risk differences", 0.0),
    "r": ("Correlation coefficients", 0.0),
    "AUC": ("Areas under the curve", 0.5),
    "percent_change": ("Changes in percent", 0.0),
    # Extraction saw an estimate with a CI but not its measure: no null line can be drawn.
    "other": ("Estimates of an unnamed measure (no null line)", None),
}
MAX_ROWS = 12  # per panel: more rows stop being readable; the rest are counted, not drawn

# Geometry of the forest plot (viewBox units; the SVG scales to its container).
WIDTH = 760
LABEL_X, PLOT_LEFT, PLOT_RIGHT, TEXT_X = 6, 318, 572, 584
ROW_H, GROUP_H, TITLE_H, AXIS_H = 20, 20, 24, 30
FONT = "font-family=\"system-ui, 'DejaVu Sans', sans-serif\""


@dataclass(frozen=True)
class Row:
    """One effect estimate to draw."""

    label: str
    stance: str
    value: float
    low: float
    high: float
    n: int | None
    text: str


# --- shapes ------------------------------------------------------------------------------


def marker(stance: str, x: float, y: float, size: float) -> str:
    """The stance's shape centred on (x, y): square, diamond, or hollow circle."""
    colour = STANCE_COLOURS.get(stance, STANCE_COLOURS["neutral"])
    h = size / 2
    if stance == "supports":
        return f'<rect x="{x - h:.1f}" y="{y - h:.1f}" width="{size:.1f}" height="{size:.1f}" fill="{colour}"/>'
    if stance == "contradicts":
        d = h * 1.3
        return (f'<path d="M{x:.1f} {y - d:.1f}L{x + d:.1f} {y:.1f}L{x:.1f} {y + d:.1f}L{x - d:.1f} {y:.1f}Z" '
                f'fill="{colour}"/>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{h:.1f}" fill="#fff" stroke="{colour}" stroke-width="2"/>'


def stance_glyph(stance: str) -> Markup:
    """A small inline icon of the stance's shape, for legends and tables (decorative)."""
    return Markup(
        f'<svg class="glyph" width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" focusable="false">'
        f"{marker(stance, 6, 6, 8)}</svg>"
    )


# --- forest plot -------------------------------------------------------------------------


def _panel_key(measure: str) -> str | None:
    if measure in RATIO_MEASURES:
        return "ratio"
    return measure if measure in PANELS else None


def _short(text: str, limit: int = 39) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _num(value: float) -> str:
    return f"{value:.3g}"


def _estimate_text(measure: str, value: float, low: float, high: float) -> str:
    name = "" if measure in ("other", "percent_change") else measure + " "
    return f"{name}{_num(value)} [{_num(low)}, {_num(high)}]"


def forest_rows(claim: dict[str, Any]) -> dict[str, list[Row]]:
    """The drawable estimates of a claim, by panel, in stance order then source order.

    An estimate is drawn when it has a CI, its measure has a scale here and its numbers make
    sense (CI around the value; positive for a ratio). Percentages have no null: not drawn.
    """
    panels: dict[str, list[Row]] = {}
    for stance in STANCES:
        for src in claim["sources"]:
            if src["stance"] != stance:
                continue
            year = f" ({src['year']})" if src.get("year") else ""
            label = _short(src["title"] or src["record_id"]) + year
            for effect in src["effects"]:
                key = _panel_key(effect["measure"])
                value, low, high = effect["value"], effect["ci_low"], effect["ci_high"]
                if key is None or low is None or high is None or not low <= value <= high:
                    continue
                if key == "ratio" and low <= 0:
                    continue
                panels.setdefault(key, []).append(Row(
                    label, stance, value, low, high, src.get("sample_size"),
                    _estimate_text(effect["measure"], value, low, high)))
    return {key: panels[key] for key in PANELS if key in panels}


def _ticks(lo: float, hi: float, log: bool) -> list[float]:
    if log:
        candidates = [m * 10.0**e for e in range(-3, 4) for m in (1, 2, 5)]
        ticks = [t for t in candidates if lo <= t <= hi]
        if len(ticks) > 7:
            ticks = [t for t in ticks if math.isclose(math.log10(t), round(math.log10(t)))]
        return ticks
    raw = (hi - lo) / 5 or 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(lo / step) * step
    return [round(first + i * step, 10) for i in range(int((hi - first) / step + 1e-9) + 1)]


def _domain(rows: list[Row], null: float | None, log: bool) -> tuple[float, float]:
    values = [v for r in rows for v in (r.low, r.high)]
    if null is not None:
        values.append(null)
    lo, hi = min(values), max(values)
    if log:
        lo, hi = max(lo, 1e-3), min(hi, 1e3)
        lo_l, hi_l = math.log10(lo), math.log10(hi)
        pad = max((hi_l - lo_l) * 0.06, 0.05)
        return 10 ** (lo_l - pad), 10 ** (hi_l + pad)
    pad = (hi - lo) * 0.06 or max(abs(hi) * 0.1, 0.1)
    return lo - pad, hi + pad


def _panel_svg(key: str, rows: list[Row], top: float) -> tuple[list[str], float]:
    """SVG parts of one panel starting at y=top, and the y where it ends."""
    title, null = PANELS[key]
    log = key == "ratio"
    shown, hidden = rows[:MAX_ROWS], len(rows) - MAX_ROWS
    lo, hi = _domain(shown, null, log)

    def x_of(value: float) -> float:
        value = min(max(value, lo), hi)
        span = (math.log10(value) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) if log \
            else (value - lo) / (hi - lo)
        return PLOT_LEFT + span * (PLOT_RIGHT - PLOT_LEFT)

    max_n = max((r.n for r in shown if r.n), default=0)
    parts = [f'<text x="{LABEL_X}" y="{top + 15}" font-weight="700" font-size="13">{escape(title)}</text>']
    y = top + TITLE_H
    body_top = y
    current = None
    for row in shown:
        if row.stance != current:
            current = row.stance
            parts.append(marker(row.stance, LABEL_X + 4, y + 10, 7))
            parts.append(f'<text x="{LABEL_X + 14}" y="{y + 14}" font-size="11.5" font-style="italic" '
                         f'fill="#444">{escape(STANCE_GROUPS[row.stance])}</text>')
            y += GROUP_H
        mid = y + ROW_H / 2
        colour = STANCE_COLOURS[row.stance]
        parts.append(f'<line x1="{x_of(row.low):.1f}" y1="{mid:.1f}" x2="{x_of(row.high):.1f}" '
                     f'y2="{mid:.1f}" stroke="{colour}" stroke-width="1.6"/>')
        size = 5 + 9 * math.sqrt(row.n / max_n) if row.n and max_n else 5
        parts.append(marker(row.stance, x_of(row.value), mid, size))
        parts.append(f'<text x="{LABEL_X + 14}" y="{mid + 4:.1f}" font-size="11.5">{escape(row.label)}</text>')
        n_text = f", n={row.n}" if row.n else ""
        parts.append(f'<text x="{TEXT_X}" y="{mid + 4:.1f}" font-size="11.5">{escape(row.text + n_text)}</text>')
        y += ROW_H
    if null is not None:
        parts.append(f'<line x1="{x_of(null):.1f}" y1="{body_top:.1f}" x2="{x_of(null):.1f}" y2="{y:.1f}" '
                     f'stroke="#222" stroke-width="1" stroke-dasharray="4 3"/>')
    parts.append(f'<line x1="{PLOT_LEFT}" y1="{y:.1f}" x2="{PLOT_RIGHT}" y2="{y:.1f}" stroke="#222"/>')
    for tick in _ticks(lo, hi, log):
        x = x_of(tick)
        parts.append(f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x:.1f}" y2="{y + 4:.1f}" stroke="#222"/>'
                     f'<text x="{x:.1f}" y="{y + 16:.1f}" font-size="11" text-anchor="middle">{_num(tick)}</text>')
    if null is not None:
        parts.append(f'<text x="{PLOT_RIGHT}" y="{y + 28:.1f}" font-size="10.5" text-anchor="end" fill="#444">'
                     f'dashed line: no effect ({_num(null)})</text>')
    y += AXIS_H
    if hidden > 0:
        parts.append(f'<text x="{LABEL_X}" y="{y + 4:.1f}" font-size="11" fill="#444">'
                     f'{counted(hidden, "more estimate", "more estimates")} not drawn (see the evidence table)</text>')
        y += 16
    return parts, y + 8


def forest_description(panels: dict[str, list[Row]]) -> str:
    """The text alternative: what the plot shows, in words."""
    parts = []
    for key, rows in panels.items():
        counts = [f"{sum(r.stance == s for r in rows)} {s}" for s in STANCES if any(r.stance == s for r in rows)]
        parts.append(f"{PANELS[key][0]}: {counted(len(rows), 'estimate')} "
                     f"({', '.join(counts)}); " + "; ".join(r.text for r in rows[:MAX_ROWS]))
    return ". ".join(parts) + "."


def forest_plot(claim: dict[str, Any], dom_id: str) -> Markup | None:
    """A forest plot of the claim's effect estimates with CIs, or None when none can be drawn.

    One panel per scale (ratios on a log scale share one); rows grouped by stance; marker area
    grows with the study's n; a dashed null line where the measure has one.
    """
    panels = forest_rows(claim)
    if not panels:
        return None
    parts: list[str] = []
    y = 4.0
    for key, rows in panels.items():
        panel, y = _panel_svg(key, rows, y)
        parts.extend(panel)
    title = f"Forest plot of effect estimates for claim {claim['id']}"
    return Markup(
        f'<svg class="forest" viewBox="0 0 {WIDTH} {y:.0f}" width="{WIDTH}" height="{y:.0f}" role="img" '
        f'aria-labelledby="{escape(dom_id)}-t {escape(dom_id)}-d" {FONT} xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{escape(dom_id)}-t">{escape(title)}</title>'
        f'<desc id="{escape(dom_id)}-d">{escape(forest_description(panels))}</desc>'
        + "".join(parts) + "</svg>"
    )


# --- evidence-weight bar -----------------------------------------------------------------


def weight_totals(sources: list[dict[str, Any]]) -> dict[str, float]:
    """Summed evidence weight per stance (retracted sources weigh 0 already)."""
    return {s: round(sum(src["weight"] or 0 for src in sources if src["stance"] == s), 3) for s in STANCES}


def weight_bar(totals: dict[str, float], dom_id: str) -> Markup:
    """A 100 % stacked bar of evidence weight: supports | contradicts | neutral."""
    total = sum(totals.values())
    words = ", ".join(f"{s} {totals[s]:.2f}" for s in STANCES)
    desc = f"Evidence weight: {words}" if total else "No evidence weight: no source bears on the claim"
    parts = ['<rect x="0" y="0" width="600" height="16" fill="#fff" stroke="#888"/>']
    x = 0.0
    for stance in STANCES:
        width = 600 * totals[stance] / total if total else 0
        if width > 0:
            fill = STANCE_COLOURS[stance] if stance != "neutral" else "#c9ccd1"
            parts.append(f'<rect x="{x:.1f}" y="0" width="{width:.1f}" height="16" fill="{fill}"/>')
            if x > 0:  # a white rule between segments keeps them apart in greyscale
                parts.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="16" stroke="#fff" stroke-width="2"/>')
        x += width
    return Markup(
        f'<svg class="weight-bar" viewBox="0 0 600 16" preserveAspectRatio="none" width="100%" height="16" '
        f'role="img" aria-labelledby="{escape(dom_id)}-t" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{escape(dom_id)}-t">{escape(desc)}</title>' + "".join(parts) + "</svg>"
    )
