"""Crashes: the loader killed with SIGKILL inside its transaction, and a run killed between staging and load.

The loader commits one run or nothing (DuckDB's WAL holds only committed transactions), so after a
kill -9 the warehouse is as it was before the load, and running the load again lands every row
exactly once. The kill is placed with the loader's fault hook (``NEWS_FAULT=before_commit:<file>``,
pipeline/load.py): every statement of the run has executed and the transaction is still open.
"""

from __future__ import annotations

import duckdb

from pipeline import settings
from pipeline.stages import load, runner
from tests.faults.conftest import PER_RUN_TABLES, RUN_ID, contents, kill9, python, wait_for

LOAD = "from pathlib import Path; from pipeline.stages import load; load.load_warehouse(Path({run!r}), run_id={run_id!r})"


def killed_load(run, env, marker, holder) -> None:
    proc = python(LOAD.format(run=str(run), run_id=RUN_ID), {**env, "NEWS_FAULT": f"before_commit:{marker}"})
    holder.append(proc)
    wait_for(marker, proc)
    kill9(proc)
    marker.unlink()


def test_kill_9_inside_the_load_transaction_then_a_rerun_lands_every_row_once(reference, pipeline_env,
                                                                               holder, tmp_path):
    run = reference.copy_run()
    live = settings.load().duckdb_path
    killed_load(run, pipeline_env, tmp_path / "paused", holder)

    # Nothing of the killed transaction survived: the run is simply not loaded yet.
    with duckdb.connect(str(live), read_only=True) as con:
        assert con.execute("select count(*) from runs").fetchone() == (0,)
        assert con.execute("select count(*) from articles").fetchone() == (0,)
        assert con.execute("select count(*) from fetch_log").fetchone() == (0,)

    row = load.load_warehouse(run, run_id=RUN_ID)
    assert row["status"] == "success"
    assert contents(live) == reference.rows

    # Killed again while re-loading the same run over a full warehouse: still exactly the reference.
    killed_load(run, pipeline_env, tmp_path / "paused", holder)
    assert contents(live) == reference.rows
    load.load_warehouse(run, run_id=RUN_ID)
    assert contents(live) == reference.rows
    assert contents(settings.load().snapshot_path) == reference.rows


STAGE_THEN_DIE = """
import os, signal
from tests.faults.conftest import stage_run
stage_run({run_id!r})
os.kill(os.getpid(), signal.SIGKILL)  # the worker dies after staging, before the load task runs
"""


def test_a_crash_between_staging_and_load_then_a_rerun_and_a_late_load_of_the_orphan(reference, pipeline_env,
                                                                                     holder):
    proc = python(STAGE_THEN_DIE.format(run_id="crashed"), pipeline_env)
    holder.append(proc)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == -9, err
    orphan = settings.load().staging_dir / "crashed"
    assert (orphan / "fact_mentions").is_dir()  # staging finished ...
    assert not settings.load().duckdb_path.exists()  # ... and nothing reached the warehouse
    assert not list(orphan.rglob("*.tmp"))  # no half-written staged file

    # Airflow retries the load task of the crashed run: exactly the reference, but for this run's ids.
    row = load.load_warehouse(orphan, run_id="crashed")
    assert row["status"] == "success"
    live = settings.load().duckdb_path
    assert contents(live, skip=PER_RUN_TABLES) == {
        t: rows for t, rows in reference.rows.items() if t not in PER_RUN_TABLES}

    # The next scheduled run finds nothing new; loading the orphan once more changes nothing.
    second = runner.run_pipeline("after-crash", force=True)
    assert second["count_articles_new"] == 0 and second["count_pages_fetched"] == 0
    load.load_warehouse(orphan, run_id="crashed")
    assert contents(live, skip=PER_RUN_TABLES) == {
        t: rows for t, rows in reference.rows.items() if t not in PER_RUN_TABLES}


def test_a_crash_between_staging_and_load_then_a_fresh_run_instead_of_a_retry(reference, pipeline_env, holder):
    proc = python(STAGE_THEN_DIE.format(run_id="crashed"), pipeline_env)
    holder.append(proc)
    proc.communicate(timeout=120)
    assert proc.returncode == -9
    # Nobody retries the load; the next run fetches everything again (no feed state was committed) ...
    fresh = runner.run_pipeline("fresh", force=True)
    assert fresh["status"] == "success" and fresh["count_articles_new"] == len(reference.rows["articles"])
    live = settings.load().duckdb_path
    expected = {t: rows for t, rows in reference.rows.items() if t not in PER_RUN_TABLES}
    assert contents(live, skip=PER_RUN_TABLES) == expected
    # ... and the orphaned run, loaded late by an operator, duplicates nothing.
    late = load.load_warehouse(settings.load().staging_dir / "crashed", run_id="crashed")
    assert late["count_articles_new"] == 0
    assert contents(live, skip=PER_RUN_TABLES) == expected
