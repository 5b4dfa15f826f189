"""news_ingest under the real scheduler: `airflow standalone` (scheduler, DAG processor, API server,
LocalExecutor) on loopback, one triggered run, checked in Airflow's metadata and in the warehouse."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from pipeline import dagrun, settings
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
        airflow(env, "dags", "unpause", dagrun.DAG_ID)
        airflow(env, "dags", "trigger", dagrun.DAG_ID, "--conf", '{"force": true}')

        def finished():
            runs = dagrun.dag_runs(env)
            done = [r for r in runs if r.get("state") in ("success", "failed")]
            return done or None

        (run,) = wait_for("the triggered run to finish", finished, deadline, log)
        assert run["state"] == "success", log.read_text()[-3000:]
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
