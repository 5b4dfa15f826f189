"""The fetch stage: the feed states in the snapshot it is given decide which feeds are due, and how they are asked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import httpx
import pytest

from pipeline import settings, staging
from pipeline.ingest.feeds import FeedSource
from pipeline.stages.feeds import fetch_feeds
from pipeline.warehouse import migrate

SOURCES = [FeedSource("due", "http://news.test/due.xml"), FeedSource("later", "http://news.test/later.xml")]
RSS = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>/</link><description>d</description>'
       b"<item><title>a</title><link>/a.html</link><guid>a</guid></item></channel></rss>")


def write_snapshot(path: Path, due: dict[str, bool]) -> Path:
    """A snapshot whose ``feeds`` say, per feed name, whether it is due now; each feed's etag is ``<name>-v1``."""
    now = datetime.now(UTC)
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        migrate.apply(con)
        for name, is_due in due.items():
            con.execute("insert into feeds (feed_url, name, etag, next_due_at) values (?, ?, ?, ?)",
                        [f"http://news.test/{name}.xml", name, f"{name}-v1",
                         now - timedelta(minutes=5) if is_due else now + timedelta(hours=1)])
    return path


@pytest.fixture
def requests(monkeypatch: pytest.MonkeyPatch) -> tuple[list[httpx.Request], httpx.MockTransport]:
    """The feed requests the stage makes, answered with one RSS item (or 304 when the etag is sent)."""
    monkeypatch.setenv("NEWS_ALLOW_HOSTS", "news.test")
    # The stage is given its sources: the configured feeds file is never read.
    monkeypatch.setenv("NEWS_FEEDS_FILE", "/nonexistent/feeds.yaml")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        seen.append(request)
        if request.headers.get("if-none-match"):
            return httpx.Response(304)
        return httpx.Response(200, headers={"content-type": "application/rss+xml"}, content=RSS)

    return seen, httpx.MockTransport(handler)


def fetched(seen: list[httpx.Request]) -> list[str]:
    return sorted(r.url.path for r in seen)


def test_the_given_states_decide_which_feeds_are_due(tmp_path, requests):
    seen, transport = requests
    # The configured snapshot says the opposite: the stage must not read it.
    write_snapshot(settings.load().snapshot_path, {"due": False, "later": True})
    snapshot = write_snapshot(tmp_path / "given.duckdb", {"due": True, "later": False})
    run = staging.run_dir("t-due")
    fetch_feeds(run, snapshot=snapshot, sources=SOURCES, transport=transport)
    assert fetched(seen) == ["/due.xml"]
    assert seen[0].headers["if-none-match"] == "due-v1"  # the given state's validator is sent
    (state,) = staging.read_rows(run / "feed_state" / "000.parquet")
    assert state["name"] == "due" and state["status"] == "not_modified"
    counts = staging.read_counts(run)
    assert counts["feeds_due"] == 1 and counts["feeds_skipped_not_due"] == 1


def test_a_feed_the_snapshot_does_not_know_is_due_and_fetched_unconditionally(tmp_path, requests):
    seen, transport = requests
    run = staging.run_dir("t-new")
    items = fetch_feeds(run, snapshot=tmp_path / "no-snapshot.duckdb", sources=SOURCES, transport=transport)
    assert fetched(seen) == ["/due.xml", "/later.xml"]
    assert not any("if-none-match" in r.headers for r in seen)
    assert {i["url"] for i in staging.read_rows(items)} == {"http://news.test/a.html"}
    assert staging.read_counts(run)["feeds_due"] == 2


def test_force_fetches_a_feed_that_is_not_due(tmp_path, requests):
    seen, transport = requests
    snapshot = write_snapshot(tmp_path / "given.duckdb", {"due": True, "later": False})
    run = staging.run_dir("t-force")
    fetch_feeds(run, snapshot=snapshot, sources=SOURCES, force=True, transport=transport)
    assert fetched(seen) == ["/due.xml", "/later.xml"]
    assert staging.read_counts(run)["feeds_skipped_not_due"] == 0


def test_a_feed_whose_host_budget_is_spent_is_deferred_and_stays_due(tmp_path, monkeypatch):
    import time

    monkeypatch.setenv("NEWS_ALLOW_HOSTS", "news.test")
    monkeypatch.setenv("NEWS_MIN_INTERVAL_S", "0")
    monkeypatch.setenv("NEWS_HOST_BUDGET_S", "0.8")
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        seen.append(request.url.path)
        time.sleep(0.5)
        return httpx.Response(200, headers={"content-type": "application/rss+xml"}, content=RSS)

    snapshot = write_snapshot(tmp_path / "given.duckdb", {"due": True, "later": True})
    run = staging.run_dir("t-budget")
    fetch_feeds(run, snapshot=snapshot, sources=SOURCES, transport=httpx.MockTransport(handler))
    # The second feed's request ran into the budget and was cut short there: deferred, not failed.
    assert seen == ["/due.xml", "/later.xml"]
    # No state row for the deferred feed: its stored state (due, validators) is left as it was.
    assert [s["name"] for s in staging.read_rows(run / "feed_state" / "000.parquet")] == ["due"]
    counts = staging.read_counts(run)
    assert counts["feeds_deferred"] == 1 and "feeds_failed" not in counts
    log = staging.read_rows(run / "fetch_log" / "feeds-000.parquet")
    (deferred,) = [r for r in log if r["error_class"] == "deferred_host_budget"]
    assert deferred["url"] == "http://news.test/later.xml" and "NEWS_HOST_BUDGET_S" in deferred["error"]
