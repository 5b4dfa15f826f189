"""Run the ``news_ingest`` DAG through Airflow's own CLI, with a local SQLite metadata DB.

``newswatch demo`` uses this: the DAG runs under ``airflow dags test``, the way an operator would
test it, so the demo proves the wiring and not just the functions. The core package still never
imports Airflow; it only starts the ``airflow`` command.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from pipeline import settings
from pipeline.errors import ConfigError, PipelineError

logger = logging.getLogger(__name__)

DAG_ID = "news_ingest"
WRITER_POOL = ("duckdb_writer", "1", "The one DuckDB writer: load_warehouse and publish_snapshot")


def airflow_env(cfg: settings.Settings | None = None) -> dict[str, str]:
    """Environment for a self-contained local Airflow under ``<data>/airflow``."""
    cfg = cfg or settings.load()
    home = cfg.data_dir / "airflow"
    home.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("AIRFLOW_HOME", str(home))
    env.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{home / 'airflow.db'}")
    env.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(settings.REPO_ROOT / "dags"))
    env.setdefault("AIRFLOW__CORE__PLUGINS_FOLDER", str(settings.REPO_ROOT / "plugins"))
    env.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    env.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "False")
    env.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")
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
        raise PipelineError(f"`airflow {' '.join(args)}` exited {result.returncode}\n{detail}")
    return result


def prepare(env: dict[str, str]) -> None:
    """Create or upgrade the metadata DB, the one-slot writer pool, and the DAGs' records (idempotent).

    Airflow 3 runs a DAG from its serialized form in the metadata DB, which the DAG processor
    normally writes; ``dags reserialize`` does the same once, without a running processor.
    """
    _call(["db", "migrate"], env, quiet=True)
    _call(["pools", "set", *WRITER_POOL], env, quiet=True)
    _call(["dags", "reserialize"], env, quiet=True)


def dag_runs(env: dict[str, str]) -> list[dict[str, Any]]:
    """The DAG's runs as Airflow records them, newest first."""
    out = _call(["dags", "list-runs", DAG_ID, "-o", "json"], env, quiet=True).stdout
    # Airflow may print warnings on stdout before the JSON; the JSON is the last line.
    lines = [line for line in out.splitlines() if line.startswith("[") and line.rstrip().endswith("]")]
    runs: list[dict[str, Any]] = json.loads(lines[-1]) if lines else []
    return sorted(runs, key=lambda r: str(r.get("start_date") or r.get("logical_date") or ""), reverse=True)


def test_dag(conf: dict[str, object] | None = None, *, quiet: bool = False) -> dict[str, Any]:
    """Run ``airflow dags test news_ingest`` once and return Airflow's record of the run.

    ``dags test`` exits 0 even when a task failed, so the run's state is read back from the
    metadata DB.

    Raises:
        PipelineError: Airflow failed, or the run did not end in success.
    """
    env = airflow_env()
    prepare(env)
    seen = {r.get("run_id") for r in dag_runs(env)}
    args = ["dags", "test", DAG_ID]
    if conf:
        args += ["--conf", json.dumps(conf)]
    result = _call(args, env, quiet=quiet)
    new = [r for r in dag_runs(env) if r.get("run_id") not in seen]
    if not new:
        raise PipelineError("airflow dags test recorded no run of news_ingest")
    run = new[0]
    if run.get("state") != "success":
        tail = ((result.stdout or "") + (result.stderr or ""))[-4000:]
        raise PipelineError(f"news_ingest run {run.get('run_id')} ended {run.get('state')}; task logs are under "
                            f"{env['AIRFLOW_HOME']}/logs\n{tail}")
    return run
