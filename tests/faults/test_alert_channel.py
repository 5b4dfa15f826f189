"""Alert channels that fail: refused connections, and a process killed between send and ledger update.

Real receivers on loopback (a JSON webhook, an SMTP server, the outbox file), real subprocesses.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from pipeline import settings
from pipeline.alerts import ledger
from pipeline.warehouse import db
from tests.e2e.test_alert_delivery import (
    Hook,
    add_stories,
    free_port,
    outbox_lines,
    query_live,
    smtp,
    write_routes,
)

__all__ = ["smtp"]  # the SMTP fixture, shared with the e2e suite

T0 = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


def health() -> list[tuple]:
    return db.query_snapshot(
        "select route, count_sent, count_failed, is_failing, last_error is not null from fct_alert_route_health")


def test_a_refused_channel_is_retried_with_backoff_and_delivered_once(tmp_path, monkeypatch):
    port = free_port()  # nothing listens here yet: connections are refused
    write_routes(tmp_path, monkeypatch, [
        {"name": "hook", "topics": ["us_japan"], "max_immediate": 5, "urls_env": "NEWS_TEST_HOOK"},
    ], NEWS_TEST_HOOK=f"json://127.0.0.1:{port}/hook")
    add_stories(2, first_seen=T0 - timedelta(hours=1))

    down = ledger.send_alerts(now=T0)
    assert down.sent == [] and len(down.failed) == 2
    rows = query_live("select status, attempts, last_error, next_attempt_at from alerts order by all")
    assert [(r[0], r[1]) for r in rows] == [("failed", 1), ("failed", 1)]
    assert all("connection" in r[2].lower() and r[3] == T0 + timedelta(minutes=5) for r in rows)
    assert health() == [("hook", 0, 2, True, True)]

    # Still down at the retry time: a second failure doubles the wait.
    assert len(ledger.send_alerts(now=T0 + timedelta(minutes=6)).failed) == 2
    assert {r[0] for r in query_live("select next_attempt_at from alerts")} == {T0 + timedelta(minutes=16)}

    receiver = Hook(port)  # the channel comes back
    try:
        assert ledger.send_alerts(now=T0 + timedelta(minutes=10)).sent == []  # still backing off
        assert receiver.received == []
        back = ledger.send_alerts(now=T0 + timedelta(minutes=17))
        assert len(back.sent) == 2 and back.failed == []
        assert ledger.send_alerts(now=T0 + timedelta(hours=2)).sent == []
        assert len(receiver.received) == 2 and len(set(receiver.keys())) == 2
    finally:
        receiver.stop()
    assert query_live("select status, attempts, last_error from alerts") == [("sent", 3, None)] * 2
    assert health() == [("hook", 2, 0, False, False)]


def test_one_channel_down_does_not_resend_to_the_channel_that_accepted(smtp, tmp_path, monkeypatch):
    port = free_port()
    write_routes(tmp_path, monkeypatch, [{"name": "both", "topics": ["us_japan"], "urls_env": "NEWS_TEST_URLS"}],
                 NEWS_TEST_URLS=f"{smtp.url} json://127.0.0.1:{port}/hook")
    add_stories(1, first_seen=T0 - timedelta(hours=1))

    assert len(ledger.send_alerts(now=T0).failed) == 1
    assert len(smtp.messages) == 1
    receiver = Hook(port)
    try:
        assert len(ledger.send_alerts(now=T0 + timedelta(minutes=5)).sent) == 1
        assert len(receiver.received) == 1
    finally:
        receiver.stop()
    assert len(smtp.messages) == 1  # the mail went once, the webhook once
    assert receiver.keys() == [smtp.messages[0]["X-Newswatch-Key"]]


def send_in_subprocess(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline.cli.app", "alerts", "send"], text=True,
                          capture_output=True, timeout=120, env={**os.environ, **env}, check=False)


@pytest.mark.parametrize("first", [
    pytest.param("hook", id="killed-after-the-webhook-accepted"),
    pytest.param("box", id="killed-after-the-outbox-wrote"),
])
def test_a_kill_between_send_and_ledger_update_resends_at_most_once_with_the_same_key(first, tmp_path,
                                                                                       monkeypatch):
    hook = Hook()
    routes = {"hook": {"name": "hook", "topics": ["us_japan"], "max_immediate": 2, "urls_env": "NEWS_TEST_HOOK"},
              "box": {"name": "box", "topics": ["us_japan"], "max_immediate": 2, "outbox": True}}
    order = [routes[first], *(r for name, r in routes.items() if name != first)]
    write_routes(tmp_path, monkeypatch, order, NEWS_TEST_HOOK=hook.url)
    add_stories(4)  # per route: 2 immediate alerts and 1 digest of the other 2
    try:
        crashed = send_in_subprocess(NEWS_ALERTS_FAULT="crash_after_send")
        assert crashed.returncode == 137, crashed.stderr
        assert query_live("select route, status, count(*) from alerts group by all") == [(first, "pending", 1)]

        again = send_in_subprocess()
        assert again.returncode == 0, again.stdout + again.stderr
        assert "6 messages sent, 0 failed" in again.stdout
        assert send_in_subprocess().stdout.strip().endswith("0 messages sent, 0 failed")
    finally:
        hook.stop()

    assert query_live("select route, status, count(*) from alerts group by all order by all") == [
        ("box", "sent", 4), ("hook", "sent", 4)]
    # The outbox drops the repeated key itself: exactly once.
    box_keys = [line["key"] for line in outbox_lines()]
    assert len(box_keys) == len(set(box_keys)) == 3
    # The webhook got each message once, plus at most one duplicate, which carries the same key.
    received = Counter(hook.keys())
    assert len(received) == 3
    duplicates = {key: n for key, n in received.items() if n > 1}
    if first == "hook":
        assert list(duplicates.values()) == [2]
        headers = [h for h, p in hook.received if p["newswatch_key"] in duplicates]
        assert {h["X-Newswatch-Key"] for h in headers} == set(duplicates)
    else:
        assert duplicates == {}
    db.publish_snapshot()
    assert sorted(settings.load().snapshot_path.parent.glob("*.tmp")) == []
