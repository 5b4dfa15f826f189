"""news_ingest under the real scheduler: `airflow standalone` (scheduler, DAG processor, API server,
LocalExecutor) on loopback, one triggered run, checked in Airflow's metadata and in the warehouse; its
Asset event then schedules news_alerts, which writes the demo outbox."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from pipeline import settings
from pipeline.alerts import channels
from pipeline.cli import dagrun
from tests.e2e import checks

pytestmark = pytest.mark.airflow
DEADLINE_S = 420


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def airflow(env: dict[str, str], *args: str) -> str:
    return subprocess.run([dagrun._airflow(), *args], env=env, capture_output=True, text=True, check=True,
                          timeout=120).stdout


def wait_for(what: str, probe, deadline: float, log: Path):
    while time.monotonic() < deadline:
        result = probe()
        if result:
            return result
        time.sleep(3)
    pytest.fail(f"timed out waiting for {what}; standalone log tail:\n{log.read_text()[-3000:]}")


def test_the_scheduler_runs_news_ingest(sample_env, monkeypatch, tmp_path):
    monkeypatch.setenv("NEWS_SHARDS", "2")
    port = free_port()
    env = dagrun.airflow_env()
    env.update({
        "PATH": f"{Path(dagrun._airflow()).parent}{os.pathsep}{env.get('PATH', '')}",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__SCHEDULER__CATCHUP_BY_DEFAULT": "False",
        # Only the triggered run: no run for the latest schedule interval.
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
    })
    dagrun.prepare(env)
    log = tmp_path / "standalone.log"
    deadline = time.monotonic() + DEADLINE_S
    with log.open("w") as out:
        proc = subprocess.Popen([dagrun._airflow(), "standalone"], env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        airflow(env, "dags", "unpause", "news_alerts")
        airflow(env, "dags", "unpause", dagrun.DAG_ID)
        airflow(env, "dags", "trigger", dagrun.DAG_ID, "--conf", '{"force": true}')

        def finished(dag_id: str):
            def probe():
                runs = dagrun.dag_runs(env, dag_id)
                done = [r for r in runs if r.get("state") in ("success", "failed")]
                return done or None
            return probe

        (run,) = wait_for("the triggered run to finish", finished(dagrun.DAG_ID), deadline, log)
        assert run["state"] == "success", log.read_text()[-3000:]
        # The news_warehouse Asset event schedules news_alerts, which delivers to the outbox route.
        (alerts_run,) = wait_for("news_alerts, scheduled by the Asset event", finished("news_alerts"), deadline, log)
        assert alerts_run["state"] == "success", log.read_text()[-3000:]
        assert alerts_run["run_id"].startswith("asset_triggered"), alerts_run
        pools = json.loads(airflow(env, "pools", "list", "-o", "json").strip().splitlines()[-1])
        assert {"pool": "duckdb_writer", "slots": "1"}.items() <= {
            k: str(v) for k, v in next(p for p in pools if p["pool"] == "duckdb_writer").items()}.items()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    snapshot = settings.load().snapshot_path
    checks.check_seed_story(snapshot)
    checks.check_bad_input_recorded(snapshot)
    with duckdb.connect(str(snapshot), read_only=True) as con:
        counts = con.execute("select count_feeds_due, count_feeds_failed, count_articles_new, t.count_relevant, "
                             "count_facts_new from runs join run_topic_counts as t using (run_id) "
                             "where run_id = ? and t.topic = 'us_japan'", [run["run_id"]]).fetchall()
        sent = con.execute("select count(*) from alerts where route = 'outbox' and status = 'sent'").fetchone()
    (due, failed, new, us_japan, facts_new), = counts
    assert (due, failed) == (6, 2) and new >= 30 and us_japan > 0 and facts_new > 0
    check_task_logs(Path(env["AIRFLOW_HOME"]) / "logs", run["run_id"], new)
    outbox = [json.loads(line) for line in channels.outbox_file().read_text().splitlines()]
    assert outbox and sent[0] > 0
    assert any("Takaichi" in message["title"] for message in outbox)


def check_task_logs(logs: Path, run_id: str, articles_new: int) -> None:
    """The task logs the scheduler's workers wrote say, at INFO, what each task did (issue 17 point 1)."""
    def text(task_id: str) -> str:
        files = [p for p in logs.rglob("*.log") if f"run_id={run_id}" in str(p) and f"task_id={task_id}" in str(p)]
        assert files, f"no log of {task_id} under {logs}"
        return "\n".join(p.read_text(errors="replace") for p in files)

    load_log = text("load_warehouse")
    assert f"articles_new={articles_new}" in load_log and "feeds_due=6" in load_log, load_log[-2000:]
    assert "summary:" in load_log and "degraded" in load_log
    feeds_log = text("fetch_feeds")
    assert "counts feeds-" in feeds_log and "slowest hosts: 127.0.0.1" in feeds_log
    assert "failures by class: " in feeds_log and "http_500=" in feeds_log  # the sample site's down feed
    pages_log = text("scrape_articles")
    assert "counts pages-" in pages_log and "pages_ok=" in pages_log
    assert "counts " in text("process_articles")  # extract, classify and facts of a shard, in one task
