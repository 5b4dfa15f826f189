"""A corrupt snapshot (zeroed, garbage, truncated) repairs itself from the live warehouse (issue 16 case 8).

Before, every reader of the snapshot (``load_states``, ``known_pages``, the alerts, the views) raised
DuckDB's raw ``IOException`` on every run, so no run could ever start again by itself.
"""

from __future__ import annotations

import logging
import os
import shutil

import duckdb
import pytest
from typer.testing import CliRunner

from pipeline import sample_site, settings
from pipeline.cli.app import app
from pipeline.errors import StorageError
from pipeline.stages import load
from pipeline.stages.feeds import load_states
from pipeline.stages.plan_pages import known_pages
from pipeline.views import monitor, report
from tests.faults.conftest import PER_RUN_TABLES, RUN_ID, contents, python


def _zeroed(path):
    path.write_bytes(b"\0" * path.stat().st_size)


def _garbage(path):
    path.write_bytes(os.urandom(path.stat().st_size))


def _truncated(path):
    os.truncate(path, path.stat().st_size // 4)  # the header and catalog survive; the tables do not


CORRUPTIONS = {"zeroed": _zeroed, "garbage": _garbage, "truncated": _truncated}


@pytest.fixture
def loaded(reference, pipeline_env):
    """The reference run loaded into this test's warehouse, its snapshot published, and the good states read."""
    load.load_warehouse(reference.copy_run(), run_id=RUN_ID)
    snap = settings.load().snapshot_path
    good_states = load_states(snap)
    ids = [r[0] for r in reference.rows["articles"]]
    good_pages = known_pages(ids, snap)
    assert good_states and len(good_pages) == len(ids)
    return snap, good_states, ids, good_pages


def _warnings(caplog):
    return [r for r in caplog.records if r.name == "pipeline.warehouse.db" and r.levelno >= logging.WARNING]


@pytest.mark.parametrize("corruption", CORRUPTIONS)
def test_readers_of_a_corrupt_snapshot_get_the_live_state_and_it_is_rebuilt(loaded, corruption, caplog):
    snap, good_states, ids, good_pages = loaded
    CORRUPTIONS[corruption](snap)
    with pytest.raises(duckdb.IOException), duckdb.connect(str(snap), read_only=True) as con:
        con.execute("select * from feeds").fetchall()
    with caplog.at_level(logging.DEBUG):
        assert load_states(snap) == good_states
        assert known_pages(ids, snap) == good_pages  # the second reader finds it repaired
        assert monitor.read(snap).feeds
    [warning] = _warnings(caplog)  # logged once, naming the file and what was done
    assert str(snap) in warning.getMessage() and "rebuilt it from the live warehouse" in warning.getMessage()
    assert contents(snap) == contents(settings.load().duckdb_path)  # readable, and whole


@pytest.mark.parametrize("corruption", CORRUPTIONS)
def test_the_next_newswatch_run_succeeds_and_loads_nothing_twice(loaded, reference, corruption, caplog):
    snap = loaded[0]
    CORRUPTIONS[corruption](snap)
    with caplog.at_level(logging.WARNING):
        result = CliRunner().invoke(app, ["run", "--force", "--feeds", str(sample_site.FEEDS_FILE)])
    assert result.exit_code == 0, result.output
    assert len(_warnings(caplog)) == 1
    with duckdb.connect(str(snap), read_only=True) as con:  # the run's own publish
        [(new, pages, status)] = con.execute(
            "select count_articles_new, count_pages_fetched, status from runs where run_id <> ?", [RUN_ID]).fetchall()
    # The feed and page states came through: no page was fetched again and nothing is new.
    assert (new, pages, status) == (0, 0, "success")
    ref = contents(settings.load().duckdb_path, skip=PER_RUN_TABLES)
    assert contents(snap, skip=PER_RUN_TABLES) == ref
    assert ref == {t: rows for t, rows in reference.rows.items() if t not in PER_RUN_TABLES}


def test_without_a_live_warehouse_the_corrupt_snapshot_is_moved_aside(pipeline_env, caplog):
    snap = settings.load().snapshot_path
    snap.parent.mkdir(parents=True, exist_ok=True)
    snap.write_bytes(b"\0" * 4096)
    with caplog.at_level(logging.WARNING):
        assert load_states(snap) == {}
        assert known_pages(["x"], snap) == {}
    [warning] = _warnings(caplog)
    assert "no live warehouse" in warning.getMessage() and str(snap) in warning.getMessage()
    assert not snap.exists() and snap.with_name(f"{snap.name}.corrupt").exists()


@pytest.mark.parametrize("corruption", CORRUPTIONS)
def test_a_corrupt_live_warehouse_too_is_a_storage_error_naming_both(loaded, corruption):
    snap = loaded[0]
    _zeroed(snap)
    CORRUPTIONS[corruption](settings.load().duckdb_path)
    with pytest.raises(StorageError, match="cannot be read either|damaged too") as info:
        load_states(snap)
    assert str(snap) in str(info.value) and str(settings.load().duckdb_path) in str(info.value)


def test_a_copy_that_is_not_the_configured_snapshot_is_not_rebuilt(loaded, tmp_path):
    other = tmp_path / "copy.duckdb"
    shutil.copyfile(loaded[0], other)
    _garbage(other)
    with pytest.raises(StorageError, match="not NEWS_SNAPSHOT_PATH"):
        report.write_report(db_path=other)


BLOCK = 256 * 1024  # DuckDB's block size


def _torn(path, read):
    """Zero one block of the file where its catalog still opens but ``read`` meets it (which block holds
    what depends on the storage format's layout, so it is searched for, on a copy that is not the snapshot)."""
    data = path.read_bytes()
    probe = path.with_name("probe.duckdb")
    for start in range(len(data) - BLOCK, BLOCK, -BLOCK):
        torn = data[:start] + bytes(BLOCK) + data[start + BLOCK:]
        probe.write_bytes(torn)
        try:
            with duckdb.connect(str(probe), read_only=True) as con:
                con.execute("select count(*) from duckdb_tables()").fetchall()
        except duckdb.Error:
            continue
        try:
            read(probe)
        except StorageError:  # torn mid-read (a copy that is not NEWS_SNAPSHOT_PATH is not rebuilt)
            probe.unlink()
            path.write_bytes(torn)
            return
    pytest.fail(f"no block of {path} leaves its catalog readable and a read torn")


def test_a_view_that_meets_a_torn_block_mid_read_says_so_and_the_next_read_works(loaded, caplog):
    snap = loaded[0]
    _torn(snap, monitor.read)  # opens, and its catalog reads: only some tables' blocks are gone
    with caplog.at_level(logging.WARNING), pytest.raises(StorageError, match="rebuilt from the live warehouse"):
        monitor.read(snap)
    assert monitor.read(snap).feeds
    assert len(_warnings(caplog)) == 1


WRITER = """
import duckdb, time
from pipeline.warehouse import db
con = duckdb.connect({live!r})
print("held", flush=True)
time.sleep(2)
con.close()
db.publish_snapshot()
"""


def test_while_the_loader_holds_the_live_file_the_reader_waits_for_its_publish(loaded, pipeline_env, holder,
                                                                               caplog):
    snap, good_states = loaded[0], loaded[1]
    proc = python(WRITER.format(live=str(settings.load().duckdb_path)), pipeline_env)
    holder.append(proc)
    assert proc.stdout.readline().strip() == "held"
    _zeroed(snap)
    with caplog.at_level(logging.WARNING):
        assert load_states(snap) == good_states  # neither a lock error nor an empty state
    proc.communicate(timeout=30)
    assert proc.returncode == 0
    [warning] = _warnings(caplog)
    assert str(snap) in warning.getMessage()


def test_newswatch_sql_on_a_zeroed_snapshot_rebuilds_it_and_answers(loaded, caplog):
    snap, good_states = loaded[0], loaded[1]
    _zeroed(snap)
    with caplog.at_level(logging.WARNING):
        result = CliRunner().invoke(app, ["sql", "select count(*) as n from feeds", "--csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["n", str(len(good_states))]
    assert len(_warnings(caplog)) == 1
