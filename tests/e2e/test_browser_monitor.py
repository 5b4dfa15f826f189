"""The News monitor page in headless Chromium (Debian's), through a real Airflow API server and its login."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from pipeline.stages import runner
from pipeline.warehouse import feedback
from tests.plugins.server import api_server

pytestmark = pytest.mark.airflow

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
SEED_TITLE = "Trump and Takaichi sign rare earths deal as Japan readies $550 billion package"
SEED_EVIDENCE = "marking a milestone in US-Japan relations with the signing of major deals on rare earth minerals"


@contextmanager
def evil_site(action: str, fields: dict[str, str]) -> Iterator[str]:
    """A page on another loopback port whose form posts itself to ``action`` as soon as it loads."""
    inputs = "".join(f'<input type=hidden name="{escape(k)}" value="{escape(v)}">' for k, v in fields.items())
    body = (f'<!doctype html><form id=f method=post action="{escape(action)}">{inputs}</form>'
            "<script>document.getElementById('f').submit()</script>").encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/win-a-prize.html"
    finally:
        server.shutdown()
        server.server_close()


def test_an_operator_logs_in_and_sees_the_seed_story_with_its_evidence(sample_env, tmp_path):
    runner.run_pipeline("run-1", force=True)
    with api_server(tmp_path / "airflow") as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            monitor = f"{server.base}/news-monitor/"
            assert page.goto(monitor).status == 401

            # Airflow's own login page (SimpleAuthManager) sets the `_token` cookie the page reads.
            page.goto(f"{server.base}/auth/login?next={monitor}")
            page.fill("input[name=username]", server.user)
            page.fill("input[name=password]", server.password)
            page.click("button[type=submit]")
            page.wait_for_url(monitor, timeout=60_000)
            expect(page.get_by_role("heading", name="News monitor")).to_be_visible()

            body = page.inner_text("body")
            assert SEED_TITLE in body
            assert "Follow-ups due and overdue" in body and "Feed health" in body
            assert "Feed server that is down (HTTP 500)" in body

            # Health first: the status line is on screen at 1280x800 before any scrolling, and says what is wrong.
            page.set_viewport_size({"width": 1280, "height": 800})
            page.evaluate("window.scrollTo(0, 0)")
            health = page.locator("#health")
            expect(health).to_be_visible()
            box = health.bounding_box()
            assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 800 and box["width"] <= 1280
            status = health.inner_text()
            assert "Last run that did work: run-1 (success)" in status
            assert "failing (Feed server that is down (HTTP 500)" in status
            assert "Next alerts run:" in status
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "monitor.png"))  # the first screen, as an operator sees it
            assert (ARTIFACTS / "monitor.png").stat().st_size > 10_000

            # Evidence is collapsed: one line per story until the reader opens it.
            assert SEED_EVIDENCE not in body
            story = page.locator("tr", has_text=SEED_TITLE).filter(has=page.locator("summary")).first
            story.locator("summary").click()
            expect(page.get_by_text(SEED_EVIDENCE).first).to_be_visible()

            # Stories are paged.
            page.goto(f"{monitor}?limit=5")
            assert "Stories 1–5 of" in page.inner_text("body")
            page.get_by_role("link", name="older").first.click()
            page.wait_for_url("**offset=5**", timeout=60_000)
            assert "Stories 6–10 of" in page.inner_text("body")

            shot = tmp_path / "monitor-full.png"
            page.goto(monitor)
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
            shutil.copyfile(shot, ARTIFACTS / "monitor-full.png")

            # The nav entry: the Airflow UI shows the same page inside its own frame.
            page.goto(f"{server.base}/plugin/news-monitor")
            frame = page.frame_locator("iframe")
            expect(frame.get_by_text(SEED_TITLE).first).to_be_visible(timeout=60_000)
            page.screenshot(path=str(tmp_path / "monitor-in-ui.png"))
            shutil.copyfile(tmp_path / "monitor-in-ui.png", ARTIFACTS / "monitor-in-ui.png")

            # An analyst marks a story from the page: the browser's own POST (cookie, Origin, token) is queued.
            page.goto(monitor)
            page.get_by_role("button", name="not relevant").first.click()
            expect(page.get_by_role("heading", name="Mark queued")).to_be_visible(timeout=60_000)
            assert "marked not relevant" in page.inner_text("body")
            assert len(list((feedback.feedback_dir() / "queue").glob("*.json"))) == 1

            # Another site on the same host (another port: same site, so the Lax `_token` cookie goes along)
            # posts the form by itself, even with a valid token it somehow got: its Origin gives it away.
            page.goto(monitor)
            form = page.locator("form.mark").first
            fields = {name: form.locator(f"input[name={name}]").get_attribute("value")
                      for name in ("csrf_token", "article_id", "topic")}
            with evil_site(f"{monitor}feedback", {**fields, "verdict": "relevant"}) as evil:
                with page.expect_response(lambda r: r.url.endswith("/news-monitor/feedback")) as refused:
                    page.goto(evil)
                assert refused.value.status == 403
            assert len(list((feedback.feedback_dir() / "queue").glob("*.json"))) == 1
        finally:
            browser.close()
