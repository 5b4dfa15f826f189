"""Daily housekeeping on a real warehouse built from the sample site: follow-ups, health, retention, checkpoint."""

from __future__ import annotations

import os
import time
from datetime import date

import duckdb
import pytest

from pipeline import settings
from pipeline.cli import dagrun
from pipeline.stages import runner
from pipeline.warehouse import db, maintenance
from tests.unit.alerts.test_operator import Receiver

DAY = 86_400


def live_rows(sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.load().duckdb_path), read_only=True) as con:
        return con.execute(sql).fetchall()


XI_MEETING = ("select f.status from followups f join facts x using (fact_id) "
              "where list_contains(x.participants, 'Xi Jinping') and x.event_type = 'meeting'")


def test_followups_turn_overdue_after_their_due_date_and_back_if_judged_earlier(sample_env):
    runner.run_pipeline("run-1", force=True)
    assert live_rows(XI_MEETING) == [("open",)]  # due 2025-10-29

    before = maintenance.refresh_followups(today=date(2025, 10, 29))
    assert live_rows(XI_MEETING) == [("open",)] and before["count_due_today"] >= 1

    after = maintenance.refresh_followups(today=date(2025, 10, 30))
    assert live_rows(XI_MEETING) == [("overdue",)]
    # Follow-ups already past their due date on the 29th (deadlines "within 30 days of this order") stay overdue.
    newly_overdue = after["count_overdue"] - before["count_overdue"]
    assert newly_overdue >= 1 and after["count_open"] == before["count_open"] - newly_overdue
    assert maintenance.refresh_followups(today=date(2025, 10, 30)) == after  # idempotent

    maintenance.refresh_followups(today=date(2025, 10, 1))
    assert live_rows(XI_MEETING) == [("open",)]
    # An overdue follow-up is still resolved by a later report: the loader treats it like an open one.
    maintenance.refresh_followups(today=date(2025, 10, 30))
    runner.run_pipeline("run-2", force=True)
    assert live_rows(XI_MEETING) == [("overdue",)]


def test_failing_feeds_are_warned_about_and_sent_to_the_operator(sample_env, caplog):
    runner.run_pipeline("run-1", force=True)
    receiver = Receiver()
    try:
        result = maintenance.check_feed_health(notify_urls=[receiver.url()])
    finally:
        receiver.close()
    names = {p["name"]: p["health"] for p in result["problems"]}
    assert names["Feed server that is down (HTTP 500)"] == "failing"
    assert names["HTML page served as a feed"] == "failing"
    assert "Pacific Ledger – World" not in names
    assert result["count_notified"] == 1 and result["count_problems"] == len(names)
    (_, body), = receiver.received
    assert body["type"] == "warning" and "HTTP 500" in body["message"]
    warnings = [r for r in caplog.records if r.levelname == "WARNING" and r.name == "pipeline.warehouse.maintenance"]
    assert any("Feed server that is down" in r.getMessage() for r in warnings)


def test_feed_health_before_any_snapshot_is_quiet():
    assert maintenance.check_feed_health() == {"count_problems": 0, "count_notified": 0, "problems": []}


def test_retention_deletes_only_what_is_older_than_configured(monkeypatch):
    cfg = settings.load()
    old_raw = cfg.raw_dir / "ab" / "old.html.gz"
    new_raw = cfg.raw_dir / "cd" / "new.html.gz"
    old_run = cfg.staging_dir / "scheduled__old" / "articles" / "000.parquet"
    live_run = cfg.staging_dir / "manual__running" / "articles" / "000.parquet"
    late_file = cfg.staging_dir / "manual__running" / "facts" / "000.parquet"
    for path in (old_raw, new_raw, old_run, live_run, late_file):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * 10)
    now = time.time()
    for path, age_days in ((old_raw, 400), (new_raw, 10), (old_run, 30), (live_run, 30), (late_file, 1)):
        os.utime(path, (now - age_days * DAY, now - age_days * DAY))
    os.utime(old_run.parent.parent, (now - 30 * DAY, now - 30 * DAY))

    monkeypatch.setenv("NEWS_RETENTION_RAW_DAYS", "365")
    monkeypatch.setenv("NEWS_RETENTION_STAGING_DAYS", "14")
    assert maintenance.purge_raw_html(now=now) == {"count_files_deleted": 1, "count_bytes_freed": 10}
    assert not old_raw.exists() and not old_raw.parent.exists() and new_raw.exists()
    assert maintenance.purge_staging_files(now=now) == {"count_runs_deleted": 1, "count_bytes_freed": 10}
    assert not old_run.parent.parent.exists()
    assert live_run.exists()  # one of its files is recent: the run may still be writing


def test_a_bad_retention_setting_names_the_variable(monkeypatch):
    monkeypatch.setenv("NEWS_RETENTION_RAW_DAYS", "a year")
    with pytest.raises(Exception, match="NEWS_RETENTION_RAW_DAYS"):
        maintenance.purge_raw_html()


def test_checkpoint_then_snapshot_keeps_the_data(sample_env):
    runner.run_pipeline("run-1", force=True)
    (articles,) = live_rows("select count(*) from articles")[0]
    assert maintenance.checkpoint_warehouse() == str(settings.load().duckdb_path)
    snapshot = db.publish_snapshot()
    assert db.query_snapshot("select count(*) from articles", snapshot_path=snapshot) == [(articles,)]


@pytest.mark.airflow
def test_the_news_maintenance_dag_runs_through_airflow_and_warns_the_operator(sample_env, monkeypatch):
    runner.run_pipeline("run-1", force=True)
    receiver = Receiver()
    monkeypatch.setenv("NEWS_OPERATOR_APPRISE_URLS", receiver.url("operator"))
    try:
        run = dagrun.test_dag(quiet=True, dag_id="news_maintenance")
    finally:
        receiver.close()
    assert run["state"] == "success"
    # The snapshot was published again after the update: the Xi meeting (due 2025-10-29) is overdue in it.
    xi = db.query_snapshot(XI_MEETING)
    assert xi == [("overdue",)]
    (path, body), = receiver.received
    assert path == "/operator" and body["title"] == "[newswatch] feed health"
    assert "Feed server that is down (HTTP 500)" in body["message"]
