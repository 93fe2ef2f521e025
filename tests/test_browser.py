"""The offline end-to-end report opened in a real headless Chromium.

Drives the system Chromium (Debian's `chromium`, /usr/bin/chromium or $FACTCHECK_CHROMIUM) with
Playwright's Python package; no browser is downloaded. Skipped, with the reason, when Chromium,
Playwright or ../shared/data is missing. Screenshots of the summary, one claim card and the phone
view are saved to $FACTCHECK_SCREENSHOTS (or a temporary folder), to be looked at.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from pipeline.cli import main
from pipeline.report.plots import forest_rows

from conftest import REPO, shared_file
from test_end_to_end import shared_corpus  # noqa: F401  (the module-scoped local corpus fixture)

CHROMIUM = os.environ.get("FACTCHECK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ID_HOSTS = {"pubmed.ncbi.nlm.nih.gov", "doi.org"}
# The seed report's height at 1280 px before issue 18 folded the claim cards, measured in this
# headless Chromium (document.documentElement.scrollHeight at commit abb7120): the budget is a third.
HEIGHT_BEFORE = 36116
SCREEN_HEIGHT = 900


@pytest.fixture(scope="module")
def offline_report(shared_corpus: Path, tmp_path_factory: pytest.TempPathFactory):  # noqa: F811
    """The HTML and JSON of the offline run of claims.yaml on the local corpus."""
    shared_file("..", "seed", "ketamine-first-responders.txt")
    out = tmp_path_factory.mktemp("reports")
    assert main(["run", str(REPO / "claims.yaml"), "--source", "local", "--corpus", str(shared_corpus),
                 "--out", str(out)]) == 0
    html = next(p for p in out.glob("*.html") if p.name != "index.html")
    return html, json.loads(html.with_suffix(".json").read_text())


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install -e '.[test]')")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's 'chromium' package or set FACTCHECK_CHROMIUM")
    profile = tempfile.mkdtemp(prefix="factcheck-chromium-")
    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900})
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


def _open(browser, path: Path):
    """A page with the file loaded; every console error, page error and network request recorded."""
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("request", lambda req: problems.append(f"request: {req.url}") if not req.url.startswith("file:") else None)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, problems


def test_report_in_chromium(browser, offline_report):
    html_path, data = offline_report
    page, problems = _open(browser, html_path)

    # every claim has a visible card, a row in the summary and a verdict in words
    cards = page.locator("section.claim")
    assert cards.count() == len(data["claims"])
    for i, claim in enumerate(data["claims"]):
        card = cards.nth(i)
        assert card.get_attribute("id") == f"claim-{claim['id']}"
        assert card.is_visible()
        assert card.locator(".verdict-box .badge").inner_text().strip() == claim["verdict_label"]
        assert card.locator(".verdict-box .badge svg.icon").is_visible()  # a shape beside the word
        bar = card.locator("svg.weight-bar")
        assert bar.is_visible() and bar.bounding_box()["width"] > 100
        # the first screen of the card: verdict, reasons, the deciding studies (at most 3), and within
        # one laptop screen of the card's top
        top = card.bounding_box()["y"]
        deciding = card.locator("ol.deciding > li")
        assert deciding.count() <= 3
        first_screen = card.locator("ol.deciding, p.none").first
        assert first_screen.is_visible()
        box = first_screen.bounding_box()
        assert box["y"] + min(box["height"], 200) - top <= SCREEN_HEIGHT, claim["id"]
        # the rest is one click away: all evidence with the effect plot
        forest = card.locator("svg.forest")
        if forest_rows(claim):
            assert forest.count() == 1 and not forest.is_visible()
            card.locator("details.evidence-all > summary").click()
            assert forest.is_visible()
            box = forest.bounding_box()
            assert box["width"] > 300 and box["height"] > 40
            card.locator("details.evidence-all > summary").click()
        else:
            assert forest.count() == 0
            assert "No forest plot" in card.locator("figure.forest-figure").text_content()
    assert page.locator("#summary tbody tr").count() == len(data["claims"])
    assert page.locator("svg.forest").count() >= 1, "the offline run should have at least one plottable claim"

    # the whole page at a desktop width: at most a third of the report before issue 18
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= HEIGHT_BEFORE // 3, f"the report is {height} px tall at 1280 px"

    # identifier links go to PubMed or doi.org; every other source link is a plain http(s) link
    id_links = page.eval_on_selector_all("a.id-link", "els => els.map(e => e.href)")
    assert id_links and all(urlsplit(h).hostname in ID_HOSTS for h in id_links)
    pmids = {s["pmid"] for c in data["claims"] for s in c["sources"] if s["pmid"]}
    assert {urlsplit(h).path.strip("/") for h in id_links if "pubmed" in h} == pmids
    other_links = {s["link"] for c in data["claims"] for s in c["sources"] if not s["pmid"] and not s["doi"]}
    for href in page.eval_on_selector_all("table.evidence a", "els => els.map(e => e.href)"):
        assert urlsplit(href).hostname in ID_HOSTS or href in other_links, href

    shots = Path(os.environ.get("FACTCHECK_SCREENSHOTS") or tempfile.mkdtemp(prefix="factcheck-screenshots-"))
    shots.mkdir(parents=True, exist_ok=True)
    summary_png = shots / "summary.png"
    page.locator("header.masthead").screenshot(path=str(shots / "masthead.png"))
    page.screenshot(path=str(summary_png))  # the first screen an editor sees
    with_plot = page.locator("section.claim:has(svg.forest)").first
    card_png = shots / "claim-card.png"
    with_plot.screenshot(path=str(card_png))
    assert summary_png.stat().st_size > 10_000 and card_png.stat().st_size > 10_000

    # on a phone the page does not scroll sideways (wide tables scroll inside their own box)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    phone_png = shots / "phone.png"
    page.screenshot(path=str(phone_png))

    # printing opens the folded parts, so paper shows every source and search
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.eval_on_selector_all("details", "els => els.every(d => d.open)")

    assert problems == []


def test_index_in_chromium(browser, offline_report):
    html_path, data = offline_report
    page, problems = _open(browser, html_path.parent / "index.html")
    rows = page.locator("table.index tbody tr")
    assert rows.count() == 1 and rows.first.is_visible()
    assert data["article"]["title"] in rows.first.inner_text()
    page.locator("table.index tbody tr a").first.click()
    page.wait_for_load_state("load")
    assert page.url == html_path.as_uri()
    assert problems == []
