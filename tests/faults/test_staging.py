"""Staged files that go wrong: a full disk while a stage writes, and a corrupt Parquet file at load time."""

from __future__ import annotations

import shutil

import duckdb
import pyarrow.parquet as pq
import pytest

from pipeline import settings
from pipeline.errors import LoadError
from pipeline.stages import classify, load, runner
from tests.faults.conftest import RUN_ID, contents, python

SHARD = "000"
DOWNSTREAM = ("articles", "classifications", "mentions", "fact_mentions", "quotes", "amounts")

# RLIMIT_FSIZE stands in for a full disk: a write past the limit fails with EFBIG ("File too large")
# instead of killing the process, once SIGXFSZ is ignored (as ENOSPC would fail a write).
EXTRACT_ON_A_FULL_DISK = """
import resource, signal
from pathlib import Path
from pipeline.stages import extract
from pipeline.extract import html
html.guess_language("warm up")  # py3langid unpacks its model to a temporary file: loaded before the disk fills
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
extract.extract_articles(Path({pages!r}))
"""


def restage(run, shard: str = SHARD) -> None:
    """What Airflow's retry of the shard's tasks does once the cause is gone."""
    runner.process_pages(run / "pages" / f"{shard}.parquet")


def test_a_full_disk_while_staging_fails_clearly_and_leaves_no_half_file(reference, pipeline_env):
    run = reference.copy_run()
    size = (run / "articles" / f"{SHARD}.parquet").stat().st_size
    for dataset in DOWNSTREAM:  # the shard's extract task has not run yet
        (run / dataset / f"{SHARD}.parquet").unlink()
    for name in ("extract", "classify", "facts"):
        (run / "counts" / f"{name}-{SHARD}.json").unlink()

    proc = python(EXTRACT_ON_A_FULL_DISK.format(limit=size // 2, pages=str(run / "pages" / f"{SHARD}.parquet")),
                  pipeline_env)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert f"cannot write staged file {run / 'articles' / SHARD}.parquet" in err
    assert "File too large" in err
    # Nothing half-written is left where the loader looks, nor beside it; every staged file reads.
    assert not (run / "articles" / f"{SHARD}.parquet").exists()
    assert not list(run.rglob("*.tmp"))
    for path in run.rglob("*.parquet"):
        pq.read_table(path)

    # The disk has room again; the retried tasks and then the load land exactly the reference rows.
    restage(run)
    load.load_warehouse(run, run_id=RUN_ID)
    assert contents(settings.load().duckdb_path) == reference.rows


@pytest.mark.parametrize("damage", [
    pytest.param(lambda b: b[: len(b) // 2], id="truncated"),
    pytest.param(lambda b: b[:4] + bytes(len(b) - 8) + b[-4:], id="zeroed-inside"),
])
def test_a_corrupt_staged_file_is_named_and_nothing_of_the_run_is_loaded(reference, pipeline_env, damage):
    run = reference.copy_run()
    bad = run / "classifications" / "001.parquet"
    bad.write_bytes(damage(bad.read_bytes()))
    with pytest.raises(LoadError, match=f"unreadable staged file.*{bad}"):
        load.load_warehouse(run, run_id=RUN_ID)
    live = settings.load().duckdb_path
    with duckdb.connect(str(live), read_only=True) as con:
        assert con.execute("select count(*) from runs").fetchone() == (0,)
        assert con.execute("select count(*) from articles").fetchone() == (0,)

    # The rest of the run is still staged; re-staging the one file and loading lands it exactly once.
    assert (run / "articles" / "001.parquet").exists()
    bad.unlink()
    classify.classify_articles(run / "articles" / "001.parquet")
    load.load_warehouse(run, run_id=RUN_ID)
    assert contents(live) == reference.rows
    load.load_warehouse(run, run_id=RUN_ID)
    assert contents(live) == reference.rows


def test_a_corrupt_file_in_a_later_run_leaves_the_loaded_runs_untouched(reference, pipeline_env):
    run = reference.copy_run()
    load.load_warehouse(run, run_id=RUN_ID)
    again = reference.copy_run("faults-again")
    shutil.rmtree(again / "fetch_log")
    (again / "articles" / "000.parquet").write_bytes(b"PAR1 this is not parquet PAR1")
    with pytest.raises(LoadError, match="articles/000.parquet"):
        load.load_warehouse(again, run_id="faults-again")
    assert contents(settings.load().duckdb_path) == reference.rows
