"""The plugin's notifier in Airflow itself: a failing DAG run and a missed deadline reach a loopback webhook."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from pipeline import settings
from pipeline.cli import dagrun
from tests.unit.alerts.test_operator import Receiver

pytestmark = pytest.mark.airflow

PROBE_DAG = '''
from __future__ import annotations

import asyncio
import os
import sys

import pendulum
from airflow.sdk import dag, task

from newswatch_notify import NewswatchNotifier, notify_operator


@dag(schedule=None, start_date=pendulum.datetime(2025, 1, 1, tz="UTC"), on_failure_callback=notify_operator,
     default_args={"retries": 0})
def notify_probe():
    @task
    def fetch_feeds():
        raise RuntimeError("every feed host is down")

    fetch_feeds()


probe = notify_probe()

if __name__ == "__main__":
    run = probe.test()
    print("STATE", run.state)

    # How the triggerer runs a DeadlineAlert's AsyncCallback: build the class with kwargs and a
    # simple context, then await it.
    from airflow._shared.module_loading import import_string

    callback = import_string("newswatch_notify.NewswatchNotifier")
    context = {"dag_run": {"dag_id": "news_ingest", "run_id": "scheduled__2025-10-28T00:00:00+00:00",
                           "start_date": "2025-10-28T00:00:05+00:00", "state": "running"},
               "deadline": {"id": "d1", "deadline_time": "2025-10-28T01:30:00+00:00"}}

    async def missed():
        await callback(kind="deadline", context=context)

    asyncio.run(missed())

    # Without the connection, the environment variable is the fallback.
    del os.environ["AIRFLOW_CONN_NEWSWATCH_APPRISE"]
    os.environ["NEWS_OPERATOR_APPRISE_URLS"] = sys.argv[1]
    NewswatchNotifier()({"dag": probe, "run_id": "manual__env", "reason": "task_failure"})
'''


def test_a_failed_run_and_a_missed_deadline_notify_the_operator(tmp_path):
    receiver = Receiver()
    try:
        dags = tmp_path / "dags"
        dags.mkdir()
        (dags / "notify_probe.py").write_text(textwrap.dedent(PROBE_DAG))
        home = tmp_path / "airflow"
        home.mkdir()
        env = {
            **os.environ,
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(settings.REPO_ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW_CONN_NEWSWATCH_APPRISE": json.dumps({"conn_type": "generic", "host": receiver.url("conn")}),
        }
        env.pop("NEWS_OPERATOR_APPRISE_URLS", None)
        dagrun._call(["db", "migrate"], env, quiet=True)
        result = subprocess.run([sys.executable, str(dags / "notify_probe.py"), receiver.url("env")], env=env,
                                capture_output=True, text=True, timeout=300, check=False)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        assert "STATE failed" in result.stdout

        by_path = {}
        for path, body in receiver.received:
            by_path.setdefault(path, []).append(body)
        assert len(by_path.get("/conn", [])) == 2, (by_path, result.stdout[-2500:])
        failure, deadline = by_path["/conn"]
        assert failure["title"] == "[newswatch] notify_probe failed" and failure["type"] == "failure"
        assert "fetch_feeds" in failure["message"] and "task_failure" in failure["message"]
        assert deadline["title"] == "[newswatch] news_ingest is too slow"
        assert "scheduled__2025-10-28T00:00:00+00:00" in deadline["message"]
        assert "2025-10-28T01:30:00+00:00" in deadline["message"]
        (from_env,) = by_path["/env"]
        assert "manual__env" in from_env["message"]
    finally:
        receiver.close()
