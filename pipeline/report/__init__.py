"""The report stage: RunResult -> reports/<slug>.html, .md, .json (see writer.py)."""

from pipeline.report.writer import render, render_html, render_json, render_markdown, report_json

__all__ = ["render", "render_html", "render_json", "render_markdown", "report_json"]
