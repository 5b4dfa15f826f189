"""pipeline.sqlfiles: the SQL files of sql/ by name, and their rows as dicts."""

from __future__ import annotations

import duckdb

from pipeline import settings, sqlfiles


def test_text_reads_the_named_file_of_sql():
    assert sqlfiles.text("alerts/claim") == (settings.SQL_DIR / "alerts" / "claim.sql").read_text(encoding="utf-8")


def test_dicts_keys_each_row_by_column_name():
    con = duckdb.connect()
    con.execute("create table runs (run_id varchar, status varchar)")
    con.execute("insert into runs values ('r1', 'ok'), ('r2', 'failed')")
    assert sqlfiles.dicts(con.execute("select run_id, status from runs where status = ? order by run_id", ["ok"])) \
        == [{"run_id": "r1", "status": "ok"}]
    assert sqlfiles.dicts(con.execute("select * from runs where false")) == []


def test_fetch_gives_column_names_and_rows_in_select_order():
    con = duckdb.connect()
    con.execute("create table runs (run_id varchar, status varchar)")
    assert sqlfiles.fetch(con.execute("insert into runs values ('r1', 'ok')")) == (["Count"], [(1,)])
    assert sqlfiles.fetch(con.execute("select status, run_id from runs")) == (["status", "run_id"], [("ok", "r1")])
