"""Run the ``news_ingest`` DAG through Airflow's own CLI, with a local SQLite metadata DB.

``newswatch demo`` uses this: the DAG runs under ``airflow dags test``, the way an operator would
test it, so the demo proves the wiring and not just the functions. ``newswatch airflow`` (``make
airflow``) uses ``serve`` to run ``airflow standalone`` with the project's DAGs and plugins. The
core package still never imports Airflow; it only starts the ``airflow`` command.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipeline import settings
from pipeline.errors import ConfigError, DagRunError

logger = logging.getLogger(__name__)

DAG_ID = "news_ingest"
DEADLINE_ENV = "NEWS_INGEST_DEADLINE_MINUTES"
WRITER_POOL = ("duckdb_writer", "1", "The one DuckDB writer: load_warehouse and publish_snapshot")


# Variables for the offline sample site and the tests only: NEWS_ALLOW_HOSTS opens loopback and
# private hosts past the address guard. Airflow processes with real feeds never get them.
SAMPLE_ONLY_ENV = ("NEWS_ALLOW_HOSTS",)


def airflow_env(cfg: settings.Settings | None = None, *, production: bool = False) -> dict[str, str]:
    """Environment for a self-contained local Airflow under ``<data>/airflow``.

    Args:
        production: the DAGs fetch real feeds (``newswatch airflow --real-feeds``): the sample-site
            and test variables (``SAMPLE_ONLY_ENV``) of this shell are not passed on, with a warning.
    """
    cfg = cfg or settings.load()
    home = cfg.data_dir / "airflow"
    home.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    if production:
        for name in SAMPLE_ONLY_ENV:
            if env.pop(name, None):
                logger.warning("%s is set in this shell but not passed to Airflow: with real feeds the address "
                               "guard refuses loopback and private hosts (it is for the sample site and tests)", name)
    env.setdefault("AIRFLOW_HOME", str(home))
    env.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{home / 'airflow.db'}")
    env.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(settings.DAGS_DIR))
    env.setdefault("AIRFLOW__CORE__PLUGINS_FOLDER", str(settings.PLUGINS_DIR))
    env.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    env.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "False")
    # Task logs at NEWS_LOG_LEVEL (INFO): each stage's counts, slowest hosts and failures, the run's summary.
    # The demo keeps its console short by capturing Airflow's output (``test_dag(quiet=True)``), not by this.
    env.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", cfg.log_level)
    env["NEWS_DATA_DIR"] = str(cfg.data_dir)
    return env


def _airflow() -> str:
    exe = Path(sys.executable).with_name("airflow")
    found = str(exe) if exe.exists() else shutil.which("airflow")
    if not found:
        raise ConfigError("the 'airflow' command is not installed in this environment (run `make install`)")
    return found


def _call(args: list[str], env: dict[str, str], *, quiet: bool) -> subprocess.CompletedProcess[str]:
    logger.info("airflow %s", " ".join(args))
    result = subprocess.run([_airflow(), *args], env=env, text=True, capture_output=quiet, check=False)
    if result.returncode != 0:
        detail = (result.stderr or "")[-3000:] if quiet else ""
        raise DagRunError(f"`airflow {' '.join(args)}` exited {result.returncode}\n{detail}")
    return result


def prepare(env: dict[str, str]) -> None:
    """Create or upgrade the metadata DB, the one-slot writer pool, and the DAGs' records (idempotent).

    Airflow 3 runs a DAG from its serialized form in the metadata DB, which the DAG processor
    normally writes; ``dags reserialize`` does the same once, without a running processor.
    """
    _call(["db", "migrate"], env, quiet=True)
    _call(["pools", "set", *WRITER_POOL], env, quiet=True)
    _call(["dags", "reserialize"], env, quiet=True)


def dag_runs(env: dict[str, str], dag_id: str = DAG_ID) -> list[dict[str, Any]]:
    """The DAG's runs as Airflow records them, newest first."""
    out = _call(["dags", "list-runs", dag_id, "-o", "json"], env, quiet=True).stdout
    # Airflow may print warnings on stdout before the JSON; the JSON is the last line.
    lines = [line for line in out.splitlines() if line.startswith("[") and line.rstrip().endswith("]")]
    runs: list[dict[str, Any]] = json.loads(lines[-1]) if lines else []
    return sorted(runs, key=lambda r: str(r.get("start_date") or r.get("logical_date") or ""), reverse=True)


def test_dag(conf: dict[str, object] | None = None, *, quiet: bool = False, dag_id: str = DAG_ID) -> dict[str, Any]:
    """Run ``airflow dags test <dag_id>`` (``news_ingest`` by default) once and return Airflow's record of the run.

    ``dags test`` exits 0 even when a task failed, so the run's state is read back from the
    metadata DB.

    Raises:
        DagRunError: Airflow failed, or the run did not end in success.
    """
    env = airflow_env()
    # `dags test` (dag.test()) crashes after a successful run of a DAG that has a deadline=
    # (apache/airflow#73428): it looks the alerts up by id but holds the unserialized objects.
    # Nothing evaluates deadlines outside a scheduler anyway, so the test run goes without one.
    env[DEADLINE_ENV] = "0"
    prepare(env)
    seen = {r.get("run_id") for r in dag_runs(env, dag_id)}
    args = ["dags", "test", dag_id]
    if conf:
        args += ["--conf", json.dumps(conf)]
    result = _call(args, env, quiet=quiet)
    new = [r for r in dag_runs(env, dag_id) if r.get("run_id") not in seen]
    if not new:
        raise DagRunError(f"airflow dags test recorded no run of {dag_id}")
    run = new[0]
    if run.get("state") != "success":
        tail = ((result.stdout or "") + (result.stderr or ""))[-4000:]
        raise DagRunError(f"{dag_id} run {run.get('run_id')} ended {run.get('state')}; task logs are under "
                            f"{env['AIRFLOW_HOME']}/logs\n{tail}")
    return run


def server_env(port: int, cfg: settings.Settings | None = None, *, production: bool = False) -> dict[str, str]:
    """``airflow_env`` plus what a local API server (and ``standalone``) on ``127.0.0.1:port`` needs.

    Args:
        production: real feeds, not the sample site (see :func:`airflow_env`).
    """
    env = airflow_env(cfg, production=production)
    env.update({
        # standalone starts its components as `airflow …` subprocesses: this venv's airflow first.
        "PATH": f"{Path(_airflow()).parent}{os.pathsep}{env.get('PATH', '')}",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__WORKERS": env.get("AIRFLOW__API__WORKERS", "1"),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
    })
    return env


def passwords_file(env: dict[str, str]) -> Path:
    """Where SimpleAuthManager keeps the generated passwords of ``[core] simple_auth_manager_users``."""
    configured = env.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE")
    return Path(configured) if configured else Path(env["AIRFLOW_HOME"]) / "simple_auth_manager_passwords.json.generated"


def _healthy(url: str) -> bool:
    import httpx

    try:
        return httpx.get(url, timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def serve(env: dict[str, str], command: Sequence[str] = ("standalone",), *, log_path: Path,
          timeout_s: float = 240.0) -> Iterator[str]:
    """Start an Airflow server (``standalone`` or ``api-server``), wait until it answers, stop it after.

    Args:
        env: from ``server_env``; its ``AIRFLOW__API__PORT`` is the port waited on.
        command: the ``airflow`` subcommand and its arguments.
        log_path: where the server's output goes.
        timeout_s: how long to wait for ``/api/v2/monitor/health``.

    Yields:
        The base URL, e.g. ``http://127.0.0.1:8080``.

    Raises:
        DagRunError: the server exited or did not answer in time; the message ends with its log.
    """
    base = f"http://127.0.0.1:{env['AIRFLOW__API__PORT']}"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as out:
        # Its own process group, so that stopping it stops the scheduler, workers and triggerer it started.
        proc = subprocess.Popen([_airflow(), *command], env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + timeout_s
        while not _healthy(f"{base}/api/v2/monitor/health"):
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-3000:]
                state = f"exited {proc.returncode}" if proc.returncode is not None else f"no answer in {timeout_s:.0f}s"
                raise DagRunError(f"`airflow {' '.join(command)}` {state} on {base}; log {log_path}:\n{tail}")
            time.sleep(1.0)
        yield base
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    # The whole group: the leader may be gone while the components it started still run.
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
