"""The monitor page: data read from the snapshot, and every value from the web escaped in the HTML."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from pipeline.views import monitor
from tests.unit.views.conftest import HOSTILE_TITLE


def test_evidence_skips_the_headline_and_clips_long_sentences():
    stored = json.dumps(
        [
            {"text": "Headline", "field": "title", "terms": ["a"]},
            {"text": "word " * 200, "field": "text", "terms": ["b"]},
        ]
    )
    (only,) = monitor.evidence_list(stored)
    assert (
        only["terms"] == ["b"] and only["text"].endswith(" …") and len(only["text"]) <= monitor.EVIDENCE_CHARS
    )
    assert monitor.evidence_list(json.dumps([{"text": "Headline", "field": "title"}])) == [
        {"text": "Headline", "terms": []}
    ]
    assert monitor.evidence_list("not json") == [{"text": "not json", "terms": []}]


def test_the_page_lists_the_matching_stories_with_their_evidence(loaded):
    page = monitor.read()
    assert page.snapshot_at is not None
    assert sorted((s["topic"], s["score"]) for s in page.stories) == [
        ("rare_earths", 0.62),
        ("us_japan", 0.91),
    ]
    assert all(
        s["evidence"]
        == [{"text": "Tokyo and Washington signed a framework on rare earths.", "terms": ["rare earths"]}]
        for s in page.stories
    )
    assert [f["event_type"] for f in page.followups] == ["meeting"]
    html = monitor.render_html(page)
    assert "<script>x</script>" not in html and "Japan &lt;script&gt;x&lt;/script&gt; &amp; US" in html
    assert '<a href="https://news.test/a1" target="_blank" rel="noopener noreferrer">' in html
    assert html.count("<span class=terms>[rare earths]</span>") == 2
    assert json.loads(json.dumps(page.to_json()))["stories"][0]["title"] == HOSTILE_TITLE


def test_without_a_snapshot_the_page_says_what_to_run():
    page = monitor.read()
    assert page.snapshot_at is None and page.stories == []
    assert "run the news_ingest DAG" in monitor.render_html(page)


def test_a_csrf_token_is_bound_to_its_user_and_key_and_expires():
    key, now = b"k" * 32, 1_760_000_000.0
    token = monitor.csrf_token(key, "ana", now=now)
    assert monitor.csrf_ok(key, "ana", token, now=now + 60)
    assert not monitor.csrf_ok(key, "ben", token, now=now + 60)  # another user's page
    assert not monitor.csrf_ok(b"x" * 32, "ana", token, now=now + 60)  # another server's key
    assert not monitor.csrf_ok(key, "ana", token, now=now + monitor.CSRF_MAX_AGE_S + 1)
    assert not monitor.csrf_ok(key, "ana", f"{int(now) + 10}.{token.split('.')[1]}", now=now + 60)  # re-dated
    for bad in (None, "", "x", "1.", ".abc"):
        assert not monitor.csrf_ok(key, "ana", bad, now=now)


def test_same_origin_reads_the_origin_then_the_referer():
    host = "127.0.0.1:8080"
    assert monitor.same_origin("http://127.0.0.1:8080", None, host) is True
    assert monitor.same_origin(None, "http://127.0.0.1:8080/news-monitor/", host) is True
    assert monitor.same_origin("http://evil.example", "http://127.0.0.1:8080/", host) is False
    assert monitor.same_origin("null", None, host) is False
    assert monitor.same_origin(None, None, host) is None


def run_row(run_id: str, hour: int, **counts) -> dict:
    return {
        "run_id": run_id,
        "status": "success",
        "loaded_at": datetime(2025, 10, 28, hour, tzinfo=UTC),
        "count_feeds_due": 0,
        "count_articles_new": 0,
        "count_pages_fetched": 0,
        **counts,
        "relevant": [],
    }


def feed(name: str, health: str) -> dict:
    return {
        "name": name,
        "health": health,
        "feed_url": f"https://{health}.test/feed",
        "last_status": "ok",
        "last_http_status": None,
        "consecutive_failures": 0,
        "last_error": None,
        "last_success_at": None,
        "last_new_item_at": None,
    }


def test_the_status_line_names_the_last_run_that_did_work_failing_feeds_routes_and_what_alerts_will_send():
    page = monitor.Monitor(
        snapshot_path=Path("s.duckdb"),
        snapshot_at=datetime.now(UTC),
        last_run=run_row("scheduled-noop", 11),
        last_work_run=run_row("r1", 9, count_feeds_due=6, count_articles_new=4, count_pages_fetched=4),
        feeds=[feed("Down wire", "failing"), feed("Quiet daily", "stalled"), feed("Fine", "ok")],
        alert_routes=[{"route": "desk_email", "last_error": "smtp refused"}],
        alerts_next={
            "count_stories": 3,
            "count_alerts": 4,
            "top_score": 0.93,
            "top_title": "Japan and US sign pact",
        },
    )
    health = page.health()
    assert health.level == "failing"
    text = health.text()
    assert text.startswith(
        "Last run that did work: r1 (success), loaded 2025-10-28 09:00 UTC: feeds due 6, "
        "articles new 4, pages fetched 4 (latest: scheduled-noop at 2025-10-28 11:00 UTC, "
        "nothing to do)"
    )
    assert "Feeds: 1 failing (Down wire); 1 stalled (Quiet daily); 1 fine" in text
    assert "Alert routes: 1 failing (desk_email)" in text
    assert "Next alerts run: 3 stories not sent yet, the best “Japan and US sign pact” (0.93)" in text
    html = monitor.render_html(page)
    assert (
        html.index('id=health class="health failing"')
        < html.index("Follow-ups due")
        < html.index("Latest matching stories")
        < html.index("Feed health")
    )

    calm = monitor.Monitor(
        snapshot_path=Path("s.duckdb"),
        snapshot_at=datetime.now(UTC),
        last_work_run=run_row("r1", 9, count_feeds_due=1),
        feeds=[feed("Quiet", "stalled")],
        alert_routes=[],
        alerts_next={"count_stories": 0},
    )
    assert calm.health().level == "attention"
    assert "Alert routes: none failing" in calm.health().text()
    assert "Next alerts run: nothing new to send" in calm.health().text()


def test_a_run_that_fetched_no_page_while_items_were_new_is_shown_degraded():
    down = run_row(
        "r1", 9, count_feeds_due=3, count_articles_new=12, count_pages_fetched=0, is_pages_down=True
    )
    page = monitor.Monitor(
        snapshot_path=Path("s.duckdb"),
        snapshot_at=datetime.now(UTC),
        last_run=down,
        last_work_run=down,
        alert_routes=[],
    )
    assert page.health().level == "failing"
    assert "r1 (DEGRADED: no page could be fetched)" in page.health().text()


def test_the_page_reads_health_from_the_snapshot_pages_stories_and_collapses_their_evidence(loaded):
    first = monitor.read(story_limit=1)
    assert first.last_work_run is not None and first.last_work_run["run_id"] == "r1"
    assert first.count_stories == 2 and len(first.stories) == 1
    second = monitor.read(story_limit=1, story_offset=1)
    assert {first.stories[0]["topic"], second.stories[0]["topic"]} == {"us_japan", "rare_earths"}
    html = monitor.render_html(first)
    assert "Stories 1–1 of 2" in html and '<a href="?offset=1&amp;limit=1">older</a>' in html
    assert "<details><summary>evidence (1)</summary>" in html
    assert 'Stories 2–2 of 2 · <a href="?offset=0&amp;limit=1">newer</a>' in monitor.render_html(second)
    health = monitor.read().to_json()["health"]
    assert health["level"] in ("ok", "attention", "failing") and health["text"].startswith(
        "Last run that did work: r1"
    )


def test_the_page_shows_each_follow_ups_reminder_state(loaded):
    from pipeline.warehouse import db

    assert monitor.read().reminders == []
    assert "No follow-up has reached a reminder yet." in monitor.render_html(monitor.read())
    con = db.connect_live()
    try:
        (fact_id,) = con.execute("select fact_id from followups").fetchone()
        reached = datetime(2025, 10, 27, 9, tzinfo=UTC)
        for route, status, sent in (("desk", "sent", reached), ("daily", "pending", None)):
            con.execute(
                "insert into alerts (story_cluster_id, topic, route, status, attempts, queued_at, sent_at) "
                "values (?, 'us_japan', ?, ?, 1, ?, ?)",
                [f"reminder:{fact_id}:due_soon", route, status, reached, sent],
            )
    finally:
        con.close()
    db.publish_snapshot()

    page = monitor.read()
    (reminder,) = page.reminders
    assert (reminder["fact_id"], reminder["reminder_stage"], reminder["count_reminder_routes"]) == (
        fact_id,
        "due_soon",
        1,
    )  # reached, sent on one of its two routes so far
    html = monitor.render_html(page)
    section = html.split("<h2>Reminders</h2>", 1)[1].split("<h2>", 1)[0]
    assert '<span class="badge due_soon">due soon</span>' in section
    assert "2025-10-27 09:00 UTC" in section and '<a href="https://news.test/a1"' in section
    assert page.to_json()["reminders"][0]["reminder_stage"] == "due_soon"
