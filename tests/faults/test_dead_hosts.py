"""A run whose every article host is down (issue 17 point 3), through every stage: each host is asked
NEWS_HOST_DOWN_AFTER times, not three times per page; its pages wait as ``deferred``; the run is
``degraded`` in ``runs`` and in the maintenance notice; and the next run leaves the hosts alone while
their backoff lasts. ``benchmarks/dead_hosts.py`` times the same site at the issue's size (702 items)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from benchmarks.dead_hosts import dead_hosts_site
from pipeline import settings
from pipeline.stages import load, runner
from pipeline.warehouse import maintenance

HOSTS = 3
ITEMS = 45


def sent(run_id: str) -> dict[str, int]:
    """Requests that really went out to each page host in ``run_id`` (deferred rows were never sent)."""
    with duckdb.connect(str(settings.load().snapshot_path), read_only=True) as con:
        return dict(con.execute(
            "select host, count(*) from fetch_log where run_id = ? and kind in ('page', 'robots') "
            "and coalesce(error_class, '') not like 'deferred%' and host <> '127.0.0.1' group by host",  # not the feeds'
            [run_id]).fetchall())


def test_dead_article_hosts_cost_three_requests_each_and_the_run_says_it_is_degraded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture):
    with dead_hosts_site(ITEMS, HOSTS, 2, tmp_path) as env:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("NEWS_SHARDS", "2")
        with caplog.at_level("WARNING"):
            first = runner.run_pipeline("dead-1", force=True)
        second = runner.run_pipeline("dead-2", force=True)

    requests = sent("dead-1")
    assert len(requests) == HOSTS and set(requests.values()) == {3}  # robots.txt's three tries, then skipped
    assert first["count_pages_fetched"] == 0 and first["count_pages_failed"] == 0
    assert first["degraded"] is True
    with duckdb.connect(str(settings.load().snapshot_path), read_only=True) as con:
        pages = con.execute("select page_status, count(*) from articles group by all").fetchall()
        degraded = con.execute("select run_id, degraded from runs order by run_id").fetchall()
    assert pages == [("deferred", ITEMS)]
    assert degraded == [("dead-1", True), ("dead-2", True)]
    assert any("run dead-1 is degraded: none of its 45 pages was fetched" in r.message for r in caplog.records)
    assert sum("is down: 3 network failures in a row" in r.message for r in caplog.records) == HOSTS

    # The next run plans the deferred pages again, but the hosts' backoff (NEWS_HOST_BACKOFF_S) keeps them unasked.
    assert sent("dead-2") == {}
    assert "pages_replanned" in second["counts"]

    [problem] = [p for p in maintenance.feed_problems() if p["kind"] == "run"]
    assert problem["name"] == "dead-2" and problem["health"] == "degraded"
    assert "none of its 45 pages was fetched" in problem["detail"]


def test_a_run_that_fetched_a_page_or_wanted_none_is_not_degraded():
    assert not load.is_degraded({"pages_wanted": 10, "pages_ok": 1, "pages_failed": 9})
    assert not load.is_degraded({"feeds_due": 3})
    assert load.is_degraded({"pages_wanted": 10, "pages_failed": 4, "pages_deferred": 6})
