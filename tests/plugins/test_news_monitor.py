"""The "News monitor" plugin in a real Airflow API server: authentication, and the page's content."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest

from pipeline import settings
from pipeline.stages import runner
from pipeline.views import monitor
from pipeline.warehouse import feedback
from tests.plugins.server import USER, api_server

pytestmark = pytest.mark.airflow

SEED_TITLE = "Trump and Takaichi sign rare earths deal as Japan readies $550 billion package"
SEED_EVIDENCE = "marking a milestone in US-Japan relations with the signing of major deals on rare earth minerals"


def test_the_page_needs_airflow_auth_and_lists_the_seed_story_with_its_evidence(sample_env, tmp_path):
    runner.run_pipeline("run-1", force=True)
    assert settings.load().snapshot_path.exists()

    with api_server(tmp_path / "airflow") as server:
        page, data = f"{server.base}/news-monitor/", f"{server.base}/news-monitor/api/monitor"
        for url in (page, data):
            assert httpx.get(url, timeout=30).status_code == 401
        assert httpx.get(page, headers={"Authorization": "Bearer not-a-jwt"}, timeout=30).status_code in (401, 403)

        token = server.token()
        bearer = {"Authorization": f"Bearer {token}"}
        response = httpx.get(page, headers=bearer, timeout=60)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/html")
        html = response.text
        assert SEED_TITLE in html
        assert SEED_EVIDENCE in html
        assert "us_japan" in html and "rare_earths" in html
        assert "Feed server that is down (HTTP 500)" in html and "failing" in html
        assert "meet Chinese President Xi Jinping" in html and "overdue" in html

        # The UI's login leaves the same JWT in the `_token` cookie: the nav entry's iframe sends it.
        assert SEED_TITLE in httpx.get(page, cookies={"_token": token}, timeout=60).text

        body = httpx.get(data, headers=bearer, timeout=60).json()
        seed = [s for s in body["stories"] if s["title"] == SEED_TITLE]
        assert "us_japan" in {s["topic"] for s in seed}
        assert any(SEED_EVIDENCE in ev["text"] for s in seed for ev in s["evidence"])
        assert {f["name"]: f["health"] for f in body["feeds"]}["HTML page served as a feed"] == "failing"

        plugins = httpx.get(f"{server.base}/api/v2/plugins", headers=bearer, timeout=30).json()["plugins"]
        (plugin,) = [p for p in plugins if p["name"] == "news_monitor"]
        assert plugin["fastapi_apps"][0]["url_prefix"] == "/news-monitor"
        assert plugin["external_views"][0]["href"] == "/news-monitor/"
        assert plugin["external_views"][0]["destination"] == "nav"


def test_the_mark_buttons_post_with_a_csrf_token_and_refuse_cross_site_requests(sample_env, tmp_path):
    runner.run_pipeline("run-1", force=True)
    queue = feedback.feedback_dir() / "queue"

    with api_server(tmp_path / "airflow") as server:
        page, action = f"{server.base}/news-monitor/", f"{server.base}/news-monitor/feedback"
        token = server.token()
        html = httpx.get(page, cookies={"_token": token}, timeout=60).text
        assert '<form class=mark method=post action="feedback">' in html
        csrf = re.search(r'name=csrf_token value="([^"]+)"', html).group(1)
        article, topic = re.search(r'name=article_id value="([0-9a-f]{16})"><input type=hidden name=topic '
                                   r'value="(\w+)"', html).groups()
        form = {"csrf_token": csrf, "article_id": article, "topic": topic, "verdict": "not_relevant"}
        own = {"Origin": server.base}

        def post(data: dict, *, headers: dict | None = None, cookies: dict | None = None) -> httpx.Response:
            return httpx.post(action, data=data, headers=headers or {}, cookies=cookies, timeout=60)

        assert post(form, headers=own).status_code == 401  # no login
        assert httpx.get(action, cookies={"_token": token}, timeout=30).status_code == 405  # POST only
        logged_in = {"_token": token}
        assert post({**form, "csrf_token": ""}, headers=own, cookies=logged_in).status_code == 403
        assert post({**form, "csrf_token": csrf[:-4] + "0000"}, headers=own, cookies=logged_in).status_code == 403
        assert post({k: v for k, v in form.items() if k != "csrf_token"}, headers=own,
                    cookies=logged_in).status_code == 403
        # A page on another site can make the browser send the cookie, but not hide where it came from.
        assert post(form, headers={"Origin": "http://evil.example"}, cookies=logged_in).status_code == 403
        assert post(form, headers={"Referer": "http://evil.example/page"}, cookies=logged_in).status_code == 403
        assert post(form, headers={"Origin": "null"}, cookies=logged_in).status_code == 403
        assert post(form, cookies=logged_in).status_code == 403  # a cookie, and no Origin or Referer
        assert post({**form, "topic": "bakeries"}, headers=own, cookies=logged_in).status_code == 400
        assert not queue.exists() or not list(queue.glob("*.json"))

        response = post(form, headers=own, cookies=logged_in)
        assert response.status_code == 202, response.text
        assert "Mark queued" in response.text
        (queued,) = queue.glob("*.json")
        mark = json.loads(queued.read_text())
        assert (mark["article_id"], mark["topic"], mark["is_relevant"], mark["marked_by"], mark["source"]) == (
            article, topic, False, USER, "monitor")
        assert mark["classifier_version"] and mark["classifier_relevant"] is True

        # A script with a bearer token is no cross-site risk (no browser adds the header); it still needs the token.
        bearer = {"Authorization": f"Bearer {token}"}
        assert post({**form, "csrf_token": "1.x"}, headers=bearer).status_code == 403
        assert post({**form, "verdict": "relevant"}, headers=bearer).status_code == 202

    # The next load writes both marks.
    runner.run_pipeline("run-2", force=True)
    assert not list(queue.glob("*.json"))
    assert {(r["article_id"], r["is_relevant"]) for r in feedback.training_rows()} == {(article, True)}


def hostile_monitor(tmp_path: Path) -> monitor.Monitor:
    evil = "<script>alert('x')</script>"
    return monitor.Monitor(
        snapshot_path=tmp_path / "snap.duckdb", snapshot_at=datetime(2025, 10, 28, tzinfo=UTC),
        last_run={"run_id": evil, "status": "success", "loaded_at": None, "count_articles_new": 1},
        stories=[{"topic": "us_japan", "score": 0.9, "title": evil, "source_domain": evil,
                  "url": "javascript:alert(1)", "published_at": None, "count_articles": 1,
                  "evidence": monitor.evidence_list(json.dumps([{"text": evil, "terms": [evil]}]))}],
        followups=[{"bucket": "overdue", "due_date": date(2025, 10, 29), "days_until_due": -1, "event_type": "meeting",
                    "fact_status": "planned", "participants": evil, "subject": evil, "amount_value": 550e9,
                    "amount_currency": "USD", "opened_title": evil, "opened_url": "https://example.org/a?x=1&y=<2>"}],
        feeds=[{"name": evil, "feed_url": "data:text/html,<b>x</b>", "health": "failing", "last_status": "error",
                "last_http_status": 500, "consecutive_failures": 3, "last_error": evil, "last_fetched_at": None,
                "last_success_at": None, "last_new_item_at": None}],
        alert_routes=[{"route": evil, "last_error": evil}],
    )


def test_every_value_is_escaped_and_only_http_urls_become_links(tmp_path):
    page = hostile_monitor(tmp_path)
    page.stories[0].update(article_id="\"><script>alert(2)</script>", topic="<b>t</b>")
    html = monitor.render_html(page, monitor.FeedbackForm("feedback\"><x>", "<token>"))
    assert "<script>" not in html and "<b>t</b>" not in html and "<token>" not in html and "<x>" not in html
    assert 'name=article_id value="&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"' in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html and 'href="data:' not in html
    assert 'href="https://example.org/a?x=1&amp;y=&lt;2&gt;"' in html
    assert "550,000,000,000 USD" in html
    assert "Failing alert routes" in html


def test_without_a_snapshot_the_page_says_so(tmp_path):
    page = monitor.read(tmp_path / "absent.duckdb")
    assert page.stories == [] and page.snapshot_at is None
    assert "No snapshot" in monitor.render_html(page)
