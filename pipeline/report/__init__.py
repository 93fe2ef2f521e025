"""The report stage: RunResult -> reports/<slug>.html, .md, .json (see writer.py), the SVG
pictures (plots.py) and reports/index.html (index.py)."""

from pipeline.report.index import write_index
from pipeline.report.writer import render, render_html, render_json, render_markdown, report_json

__all__ = ["render", "render_html", "render_json", "render_markdown", "report_json", "write_index"]
