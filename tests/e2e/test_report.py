"""`newswatch report` on the demo warehouse, opened in headless Chromium (the system browser, offline).

Every chart must draw with data, the page must log no error and fetch nothing from the network, and text from
articles must be escaped. The screenshot is kept in tests/artifacts/report.png.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import sync_playwright
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.views import report
from tests.sql.test_analyst_queries import build_demo_warehouse

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
CHARTS = ["chart-topic-volume", "chart-top-entities", "chart-followup-calendar", "chart-amounts"]
HOSTILE = '<img src=x onerror="window.pwned = 1">Fake <b>headline</b>'

DRAWN = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(div => ({
    id: div.id,
    svgs: div.querySelectorAll('svg.main-svg').length,
    traces: div.querySelectorAll('g.trace').length,
    marks: div.querySelectorAll('g.trace path.point, g.trace g.points path, g.trace .point').length,
}))"""


@pytest.fixture(scope="module")
def demo_snapshot(site_url, tmp_path_factory) -> Path:
    return build_demo_warehouse(tmp_path_factory.mktemp("report-demo") / "data", site_url)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _open(browser, path: Path):
    """Open a report file; return the page, its console errors and any request that left file://."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors: list[str] = []
    remote: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def block(route) -> None:
        remote.append(route.request.url)
        route.abort()

    page.route("http*://**", block)  # it must open offline: any network request is a failure
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {len(CHARTS)}")
    return page, errors, remote


def test_the_report_draws_every_chart_with_data(demo_snapshot, browser, tmp_path):
    out = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["report", "--out", str(out), "--db", str(demo_snapshot)])
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert "<script src=" not in html and "<script type=\"text/javascript\" src=" not in html  # all inline

    page, errors, remote = _open(browser, out)
    try:
        drawn = {chart["id"]: chart for chart in page.evaluate(DRAWN)}
        assert sorted(drawn) == sorted(CHARTS)
        for chart in drawn.values():
            assert chart["svgs"] > 0 and chart["traces"] > 0 and chart["marks"] > 0, chart
        stories = page.locator("#stories tbody tr")
        assert stories.count() > 0
        assert page.locator("#stories mark").count() > 0  # evidence terms highlighted
        ARTIFACTS.mkdir(exist_ok=True)
        shot = tmp_path / "report.png"
        page.screenshot(path=str(shot), full_page=True)
        shutil.copyfile(shot, ARTIFACTS / "report.png")
    finally:
        page.close()
    assert errors == []
    assert remote == []


def test_article_text_is_escaped_in_the_report(demo_snapshot, browser, tmp_path):
    db = tmp_path / "hostile.duckdb"
    shutil.copyfile(demo_snapshot, db)
    with duckdb.connect(str(db)) as con:
        con.execute("update articles set title = ? where article_id = "
                    "(select article_id from fct_matching_stories order by published_at desc limit 1)", [HOSTILE])
    out = report.write_report(tmp_path / "hostile.html", db)
    assert HOSTILE not in out.read_text()

    page, errors, remote = _open(browser, out)
    try:
        assert page.evaluate("window.pwned") is None
        assert page.get_by_text(HOSTILE).count() == 1  # shown as text, not markup
    finally:
        page.close()
    assert errors == [] and remote == []


def test_highlight_escapes_and_marks_terms():
    marked = report.highlight("Rare earths & <magnets>: rare earth supply", ["rare earth", "magnets"])
    assert marked == ("<mark>Rare earth</mark>s &amp; &lt;<mark>magnets</mark>&gt;: "
                      "<mark>rare earth</mark> supply")
    assert report.highlight("<b>", ["x"]) == "&lt;b&gt;"


def test_the_report_needs_a_warehouse(tmp_path):
    result = CliRunner().invoke(app, ["report", "--db", str(tmp_path / "absent.duckdb")])
    assert result.exit_code != 0
    assert "does not exist" in str(result.exception)
