"""The live warehouse file: a reader holding it during a load, and schema versions older or newer than the code."""

from __future__ import annotations

import functools
import logging

import duckdb
import pytest

from pipeline import settings
from pipeline.errors import LoadError
from pipeline.stages import load
from pipeline.warehouse import db, migrate
from tests.faults.conftest import RUN_ID, contents, python

HOLD = """
import duckdb, sys, time
con = duckdb.connect({db!r}, read_only=True)
print("held", flush=True)
{release}
con.close()
"""


def hold_live(holder, env, release: str):
    live = settings.load().duckdb_path
    live.parent.mkdir(parents=True, exist_ok=True)
    duckdb.connect(str(live)).close()
    proc = python(HOLD.format(db=str(live), release=release), env, stdin=None)
    holder.append(proc)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_the_loader_waits_for_a_reader_of_the_live_file_then_loads_everything_once(reference, pipeline_env,
                                                                                   holder, caplog):
    run = reference.copy_run()
    reader = hold_live(holder, pipeline_env, "time.sleep(2)")
    with caplog.at_level(logging.WARNING, logger="pipeline.warehouse.db"):
        row = load.load_warehouse(run, run_id=RUN_ID)
    reader.communicate(timeout=30)
    assert row["status"] == "success"
    assert any("is locked by another process" in r.getMessage() for r in caplog.records)  # the wait is logged
    assert contents(settings.load().duckdb_path) == reference.rows


def test_a_reader_that_never_lets_go_fails_the_load_clearly_and_a_rerun_completes(reference, pipeline_env,
                                                                                  holder, monkeypatch):
    run = reference.copy_run()
    reader = hold_live(holder, pipeline_env, "time.sleep(120)")
    monkeypatch.setattr(db, "connect_live", functools.partial(db.connect_live, wait_s=1.0))
    with pytest.raises(LoadError, match=r"cannot open the live warehouse .*snapshot"):
        load.load_warehouse(run, run_id=RUN_ID)
    reader.kill()
    reader.communicate()
    load.load_warehouse(run, run_id=RUN_ID)
    assert contents(settings.load().duckdb_path) == reference.rows


def test_a_warehouse_at_an_old_schema_version_is_migrated_forward(reference, pipeline_env):
    live = settings.load().duckdb_path
    live.parent.mkdir(parents=True, exist_ok=True)
    old = [(v, p) for v, p in migrate.migrations() if v <= 10]
    with duckdb.connect(str(live)) as con:  # what a release that shipped sql/ddl up to 010 left behind
        con.execute("create table schema_migrations (version integer primary key, name varchar not null, "
                    "applied_at timestamptz not null default now())")
        for version, path in old:
            con.execute(path.read_text())
            con.execute("insert into schema_migrations (version, name) values (?, ?)", [version, path.name])
    run = reference.copy_run()
    load.load_warehouse(run, run_id=RUN_ID)
    with duckdb.connect(str(live), read_only=True) as con:
        versions = [v for (v,) in con.execute("select version from schema_migrations order by 1").fetchall()]
    assert versions == [v for v, _ in migrate.migrations()]
    assert contents(live) == reference.rows


def test_a_warehouse_from_a_newer_release_is_refused_with_its_version(reference, pipeline_env):
    run = reference.copy_run()
    load.load_warehouse(run, run_id=RUN_ID)
    live = settings.load().duckdb_path
    latest = max(v for v, _ in migrate.migrations())
    with duckdb.connect(str(live)) as con:
        con.execute("insert into schema_migrations (version, name) values (?, 'from_the_future.sql')", [latest + 1])
    with pytest.raises(LoadError, match=f"schema version {latest + 1:03d}, newer than this code knows"):
        load.load_warehouse(run, run_id=RUN_ID)
    assert contents(live) == reference.rows  # refused before touching anything
