"""``pipeline.cli.dagrun`` without Airflow: the environment it builds, how it reads Airflow's output, and its errors.

A stand-in ``airflow`` script (a few lines of Python) plays the command where a real process is needed.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pipeline import settings
from pipeline.cli import dagrun
from pipeline.errors import ConfigError, DagRunError

AIRFLOW_KEYS = ("AIRFLOW_HOME", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__CORE__DAGS_FOLDER",
                "AIRFLOW__CORE__PLUGINS_FOLDER", "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE",
                "AIRFLOW__API__WORKERS")


@pytest.fixture(autouse=True)
def no_airflow_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in AIRFLOW_KEYS:
        monkeypatch.delenv(key, raising=False)


def fake_airflow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> Path:
    """Make ``dagrun`` start ``body`` (Python, with ``sys`` and ``os`` imported) as its ``airflow`` command."""
    script = tmp_path / "bin" / "airflow"
    script.parent.mkdir(exist_ok=True)
    script.write_text(f"#!{sys.executable}\nimport os, sys\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(dagrun, "_airflow", lambda: str(script))
    return script


def test_airflow_env_keeps_everything_under_the_data_folder(isolated_settings: Path) -> None:
    env = dagrun.airflow_env()
    home = isolated_settings / "airflow"
    assert home.is_dir()
    assert env["AIRFLOW_HOME"] == str(home)
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == f"sqlite:///{home / 'airflow.db'}"
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == str(settings.DAGS_DIR)
    assert env["AIRFLOW__CORE__PLUGINS_FOLDER"] == str(settings.PLUGINS_DIR)
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False"
    assert env["NEWS_DATA_DIR"] == str(isolated_settings)
    assert env["PATH"] == os.environ["PATH"]  # the rest of the environment is passed on


def test_airflow_env_leaves_what_the_operator_set(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "postgresql://airflow@db/airflow")
    env = dagrun.airflow_env()
    assert env["AIRFLOW_HOME"] == str(tmp_path / "elsewhere")
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == "postgresql://airflow@db/airflow"


def test_server_env_serves_on_loopback_and_finds_this_venvs_airflow(tmp_path, monkeypatch) -> None:
    script = fake_airflow(tmp_path, monkeypatch, "")
    env = dagrun.server_env(8999)
    assert env["AIRFLOW__API__HOST"] == "127.0.0.1" and env["AIRFLOW__API__PORT"] == "8999"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:8999/execution/"
    assert env["AIRFLOW__API__WORKERS"] == "1"
    assert env["PATH"].split(os.pathsep)[0] == str(script.parent)


def test_server_env_keeps_a_worker_count_the_operator_set(tmp_path, monkeypatch) -> None:
    fake_airflow(tmp_path, monkeypatch, "")
    monkeypatch.setenv("AIRFLOW__API__WORKERS", "4")
    assert dagrun.server_env(8999)["AIRFLOW__API__WORKERS"] == "4"


def test_passwords_file_defaults_to_airflow_home_or_follows_the_setting(tmp_path: Path) -> None:
    env = {"AIRFLOW_HOME": str(tmp_path)}
    assert dagrun.passwords_file(env) == tmp_path / "simple_auth_manager_passwords.json.generated"
    env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"] = str(tmp_path / "pw.json")
    assert dagrun.passwords_file(env) == tmp_path / "pw.json"


def test_dag_runs_reads_the_json_after_airflows_warnings_newest_first(tmp_path, monkeypatch) -> None:
    runs = [{"run_id": "old", "start_date": "2026-01-01T00:00:00"}, {"run_id": "new", "start_date": "2026-01-02T00:00:00"},
            {"run_id": "queued", "start_date": None, "logical_date": "2026-01-01T12:00:00"}]
    fake_airflow(tmp_path, monkeypatch, f"""
assert sys.argv[1:] == ["dags", "list-runs", "news_ingest", "-o", "json"], sys.argv
print("/venv/airflow/configuration.py:123 DeprecationWarning: [core] something moved")
print({json.dumps(json.dumps(runs))})""")
    assert [r["run_id"] for r in dagrun.dag_runs({})] == ["new", "queued", "old"]


def test_dag_runs_of_a_dag_that_never_ran_are_none(tmp_path, monkeypatch) -> None:
    fake_airflow(tmp_path, monkeypatch, 'print("No data found")')
    assert dagrun.dag_runs({}) == []


def test_a_failing_airflow_command_raises_with_its_stderr(tmp_path, monkeypatch) -> None:
    fake_airflow(tmp_path, monkeypatch, 'sys.stderr.write("sqlite3.OperationalError: database is locked\\n"); sys.exit(3)')
    with pytest.raises(DagRunError, match=r"`airflow db migrate` exited 3\n.*database is locked"):
        dagrun.prepare({})


def test_prepare_migrates_sets_the_writer_pool_and_reserializes(tmp_path, monkeypatch) -> None:
    log = tmp_path / "calls.jsonl"
    fake_airflow(tmp_path, monkeypatch, f"open({str(log)!r}, 'a').write(__import__('json').dumps(sys.argv[1:]) + '\\n')")
    dagrun.prepare({})
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert calls == [["db", "migrate"], ["pools", "set", *dagrun.WRITER_POOL], ["dags", "reserialize"]]


def test_no_airflow_command_is_a_config_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(dagrun.sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ConfigError, match="'airflow' command is not installed"):
        dagrun._airflow()


class FakeAirflow:
    """``dagrun._call`` replaced: ``dags list-runs`` answers from ``runs``, ``dags test`` adds ``new_run``."""

    def __init__(self, runs: list[dict[str, Any]], new_run: dict[str, Any] | None) -> None:
        self.runs, self.new_run, self.calls = runs, new_run, []

    def __call__(self, args: list[str], env: dict[str, str], *, quiet: bool) -> subprocess.CompletedProcess[str]:
        self.calls.append((args, env))
        out = ""
        if args[:2] == ["dags", "list-runs"]:
            out = json.dumps(self.runs)
        elif args[:2] == ["dags", "test"]:
            if self.new_run:
                self.runs = [*self.runs, self.new_run]
            out = "task fetch_feeds failed: boom\n"
        return subprocess.CompletedProcess(args, 0, out, "")


def test_test_dag_returns_the_new_run_and_passes_the_conf(monkeypatch) -> None:
    fake = FakeAirflow([{"run_id": "before", "state": "success", "start_date": "2026-01-01"}],
                       {"run_id": "mine", "state": "success", "start_date": "2026-01-02"})
    monkeypatch.setattr(dagrun, "_call", fake)
    assert dagrun.test_dag({"force": True})["run_id"] == "mine"
    [(args, env)] = [c for c in fake.calls if c[0][:2] == ["dags", "test"]]
    assert args == ["dags", "test", "news_ingest", "--conf", '{"force": true}']
    assert env[dagrun.DEADLINE_ENV] == "0"  # apache/airflow#73428: no deadline under `dags test`


def test_test_dag_raises_when_the_run_did_not_succeed(monkeypatch) -> None:
    monkeypatch.setattr(dagrun, "_call", FakeAirflow([], {"run_id": "mine", "state": "failed", "start_date": "x"}))
    with pytest.raises(DagRunError, match=r"(?s)news_ingest run mine ended failed; task logs are under .*boom"):
        dagrun.test_dag()


def test_test_dag_raises_when_airflow_recorded_no_run(monkeypatch) -> None:
    monkeypatch.setattr(dagrun, "_call", FakeAirflow([{"run_id": "before", "state": "success"}], None))
    with pytest.raises(DagRunError, match="recorded no run of news_ingest"):
        dagrun.test_dag()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


HEALTH_SERVER = """
from http.server import BaseHTTPRequestHandler, HTTPServer
class Health(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/api/v2/monitor/health" else 404)
        self.end_headers()
print("standalone starting", flush=True)
HTTPServer(("127.0.0.1", int(os.environ["AIRFLOW__API__PORT"])), Health).serve_forever()
"""


def test_serve_yields_the_url_once_healthy_and_stops_the_server(tmp_path, monkeypatch) -> None:
    import httpx

    fake_airflow(tmp_path, monkeypatch, HEALTH_SERVER)
    env = {**os.environ, "AIRFLOW__API__PORT": str(free_port())}
    log = tmp_path / "logs" / "standalone.log"
    with dagrun.serve(env, log_path=log, timeout_s=30) as base:
        assert base == f"http://127.0.0.1:{env['AIRFLOW__API__PORT']}"
        assert httpx.get(f"{base}/api/v2/monitor/health").status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base}/api/v2/monitor/health", timeout=2)
    assert "standalone starting" in log.read_text()


def test_serve_raises_with_the_log_when_the_server_exits(tmp_path, monkeypatch) -> None:
    fake_airflow(tmp_path, monkeypatch, 'print("airflow.exceptions.AirflowConfigException: bad config"); sys.exit(1)')
    env = {**os.environ, "AIRFLOW__API__PORT": str(free_port())}
    with pytest.raises(DagRunError, match=r"(?s)`airflow standalone` exited 1 on .*bad config"):
        with dagrun.serve(env, log_path=tmp_path / "standalone.log", timeout_s=30):
            pytest.fail("serve yielded for a server that exited")


def test_the_production_env_never_carries_the_allow_list(monkeypatch, tmp_path, caplog) -> None:
    fake_airflow(tmp_path, monkeypatch, "")
    monkeypatch.setenv("NEWS_ALLOW_HOSTS", "127.0.0.1")  # left over in the operator's shell from the demo
    with caplog.at_level("WARNING", logger="pipeline.cli.dagrun"):
        assert "NEWS_ALLOW_HOSTS" not in dagrun.airflow_env(production=True)
        assert "NEWS_ALLOW_HOSTS" not in dagrun.server_env(8999, production=True)
    assert "NEWS_ALLOW_HOSTS is set in this shell but not passed to Airflow" in caplog.text
    # The sample site and the tests still reach loopback through Airflow.
    assert dagrun.airflow_env()["NEWS_ALLOW_HOSTS"] == "127.0.0.1"
    assert dagrun.server_env(8999)["NEWS_ALLOW_HOSTS"] == "127.0.0.1"


class _Stop(Exception):
    pass


@pytest.mark.parametrize(("option", "allow"), [("--real-feeds", None), ("--sample-site", "127.0.0.1")])
def test_newswatch_airflow_passes_the_allow_list_only_with_the_sample_site(option, allow, monkeypatch,
                                                                           tmp_path) -> None:
    from typer.testing import CliRunner

    from pipeline.cli.app import app

    fake_airflow(tmp_path, monkeypatch, "")
    monkeypatch.setenv("NEWS_ALLOW_HOSTS", "127.0.0.1")
    seen: list[dict[str, str]] = []

    def prepare(env: dict[str, str]) -> None:
        seen.append(env)
        raise _Stop

    monkeypatch.setattr(dagrun, "prepare", prepare)
    result = CliRunner().invoke(app, ["airflow", option, "--site-port", "0"])
    assert isinstance(result.exception, _Stop), result.output
    assert seen[0].get("NEWS_ALLOW_HOSTS") == allow
