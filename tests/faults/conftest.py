"""Shared ground truth of the fault suite: one clean run over the sample site, staged and loaded.

Each fault case replays the same staged run (or runs the pipeline again) with one fault injected,
and compares the warehouse with the clean reference, table by table, on every row's primary key:
nothing lost, nothing twice.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from pipeline import sample_site, settings, staging
from pipeline.ingest import feeds
from pipeline.ingest.http import ClientOptions
from pipeline.stages import load, runner, scrape
from pipeline.stages.feeds import fetch_feeds
from pipeline.stages.plan_pages import plan_pages

REPO = Path(__file__).resolve().parents[2]
RUN_ID = "faults-ref"
SHARDS = 2
# Rows that differ between two runs by design: request ids and timestamps of new requests, and each
# run's own counts.
PER_RUN_TABLES = {"fetch_log", "runs", "run_topic_counts"}


PRODUCTION_OPTIONS = feeds.client_options


def fast_options(read_timeout_s: float, total_timeout_s: float) -> Callable[[settings.Settings], ClientOptions]:
    """The production client options with short timeouts and one retry, so slow faults cost seconds.

    Patch it over ``feeds.client_options``; ``PRODUCTION_OPTIONS`` keeps the original.
    """
    def options(cfg: settings.Settings) -> ClientOptions:
        return dataclasses.replace(PRODUCTION_OPTIONS(cfg), connect_timeout_s=1.0, read_timeout_s=read_timeout_s,
                                   total_timeout_s=total_timeout_s, retries=1, backoff_s=0.05)
    return options


def env_for(data_dir: Path, site_url: str, **extra: str) -> dict[str, str]:
    """The environment of one pipeline process pointed at the sample site."""
    values = {
        "NEWS_DATA_DIR": str(data_dir),
        "NEWS_SAMPLE_SITE_URL": site_url,
        "NEWS_FEEDS_FILE": str(sample_site.FEEDS_FILE),
        "NEWS_ALLOW_HOSTS": "127.0.0.1",
        "NEWS_MIN_INTERVAL_S": "0",
        "NEWS_SHARDS": str(SHARDS),
    }
    values.update(extra)
    return values


def stage_run(run_id: str, *, force: bool = True) -> Path:
    """Every stage but the load, shard by shard, as the DAG's mapped tasks do; returns the run folder."""
    run = staging.run_dir(run_id)
    cfg = settings.load()
    items = [fetch_feeds(run, shard, cfg.shards, snapshot=cfg.snapshot_path, run_id=run_id, force=force)
             for shard in range(cfg.shards)]
    for plan in plan_pages(items, snapshot=cfg.snapshot_path):
        runner.process_pages(scrape.scrape_articles(plan, run_id=run_id))
    return run


def primary_keys(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    rows = con.execute("select table_name, constraint_column_names from duckdb_constraints() "
                       "where constraint_type = 'PRIMARY KEY' and table_name <> 'schema_migrations'").fetchall()
    return {table: list(columns) for table, columns in rows}


def contents(db: Path, *, skip: set[str] = frozenset()) -> dict[str, list[tuple]]:
    """Every table's primary keys, sorted: what "exactly the expected rows" is compared on."""
    with duckdb.connect(str(db), read_only=True) as con:
        out = {}
        for table, columns in sorted(primary_keys(con).items()):
            if table in skip:
                continue
            # A history table keys its rows by the load's own time (fact_versions.valid_from): two loads of the
            # same run differ there and nowhere else, so such columns are left out of the comparison.
            stamps = {name for (name,) in con.execute(
                "select column_name from information_schema.columns where table_name = ? "
                "and data_type like 'TIMESTAMP%'", [table]).fetchall()}
            keys = ", ".join(c for c in columns if c not in stamps) or ", ".join(columns)
            out[table] = sorted(con.execute(f"select {keys} from {table}").fetchall(), key=repr)
            (total,) = con.execute(f"select count(*) from {table}").fetchone()
            assert total == len(out[table])
        return out


def counts(db: Path) -> dict[str, int]:
    return {table: len(rows) for table, rows in contents(db).items()}


@dataclass(frozen=True)
class Reference:
    run: Path              # the staged, never-loaded run folder (copy it before use)
    db: Path               # the same run loaded once into a fresh warehouse
    rows: dict[str, list[tuple]]
    site_url: str

    def copy_run(self, run_id: str = RUN_ID) -> Path:
        """The staged run, copied into the current test's staging folder."""
        target = settings.load().staging_dir / run_id
        shutil.copytree(self.run, target)
        return target


@pytest.fixture(scope="session")
def reference(site_url: str, tmp_path_factory: pytest.TempPathFactory) -> Reference:
    root = tmp_path_factory.mktemp("faults-reference")
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env_for(root / "data", site_url).items():
            mp.setenv(name, value)
        for name in ("NEWS_DUCKDB_PATH", "NEWS_SNAPSHOT_PATH"):
            mp.delenv(name, raising=False)
        run = stage_run(RUN_ID)
        pristine = root / "staged"
        shutil.copytree(run, pristine)  # the load never sees this copy
        row = load.load_warehouse(run, run_id=RUN_ID)
        db = settings.load().duckdb_path
    assert row["status"] == "success" and row["count_articles_new"] >= 30
    rows = contents(db)
    assert rows["articles"] and rows["facts"] and rows["classifications"]
    return Reference(run=pristine, db=db, rows=rows, site_url=site_url)


@pytest.fixture
def pipeline_env(reference: Reference, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """This test's data folder (from ``isolated_settings``), pointed at the sample site."""
    values = env_for(settings.load().data_dir, reference.site_url)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def python(code: str, env: dict[str, str], **kwargs) -> subprocess.Popen:
    """Run ``code`` in a fresh interpreter with this checkout importable."""
    return subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env={**os.environ, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def wait_for(path: Path, proc: subprocess.Popen, timeout_s: float = 60.0) -> None:
    """Wait until a fault hook announced itself by writing ``path``."""
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"the process ended before the fault point: {proc.communicate()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("the fault point was never reached")
        time.sleep(0.05)


def kill9(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL


@pytest.fixture
def holder() -> Iterator[list[subprocess.Popen]]:
    """Processes a test starts; killed at teardown if still running."""
    procs: list[subprocess.Popen] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
