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
    """Create or upgrade the metadata DB and the one-slot writer pool (both idempotent)."""
    _call(["db", "migrate"], env, quiet=True)
    _call(["pools", "set", *WRITER_POOL], env, quiet=True)


def test_dag(conf: dict[str, object] | None = None, *, quiet: bool = False) -> str:
    """Run ``airflow dags test news_ingest`` once and return its run id.

    Raises:
        PipelineError: Airflow failed, or the run did not reach the warehouse.
    """
    env = airflow_env()
    prepare(env)
    args = ["dags", "test", DAG_ID]
    if conf:
        args += ["--conf", json.dumps(conf)]
    result = _call(args, env, quiet=quiet)
    if quiet and "state=failed" in (result.stdout or "") + (result.stderr or ""):
        raise PipelineError("the news_ingest run failed:\n" + (result.stdout or "")[-3000:])
    return DAG_ID
