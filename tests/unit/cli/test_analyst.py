"""``newswatch sql`` on a snapshot: CSV, JSON Lines, read-only and sandboxed, formula cells neutralised in CSV."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipeline import settings
from pipeline.cli.app import app
from pipeline.warehouse import db, migrate
from tests.sql.test_analyst_queries import _run, build_demo_warehouse, documented_queries

runner = CliRunner()

HOSTILE = ['=HYPERLINK("http://evil.example/","click")', "+1+1", "-2+3", "@SUM(A1:A9)", "\tx", "\rx"]


def lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def empty_snapshot() -> settings.Settings:
    cfg = settings.load()
    cfg.data_dir.mkdir(parents=True)
    with duckdb.connect(str(cfg.duckdb_path)) as con:
        migrate.apply(con)
        con.execute("create table marker (x int)")
    db.publish_snapshot()
    return cfg


def test_sql_reads_the_snapshot_as_csv_and_json():
    empty_snapshot()
    result = runner.invoke(app, ["sql", "select 1 as one, 'x' as two", "--csv"])
    assert result.exit_code == 0 and result.stdout.splitlines() == ["one,two", "1,x"]
    result = runner.invoke(app, ["sql", "select count(*) as n from articles", "--json"])
    assert lines(result.stdout) == [{"n": 0}]
    result = runner.invoke(app, ["sql", "create table nope (x int)"])
    assert result.exit_code == 2  # the snapshot is opened read-only


def _values_query() -> str:
    rows = ", ".join("('" + text.replace("'", "''") + "', -5)" for text in HOSTILE + ["plain", "'quoted"])
    return f"select title, n from (values {rows}) as t(title, n)"


def test_sql_csv_puts_a_quote_before_formula_cells():
    empty_snapshot()
    result = runner.invoke(app, ["sql", _values_query(), "--csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout, newline="")))
    assert rows[0] == ["title", "n"]
    assert [r[0] for r in rows[1:]] == ["'" + text for text in HOSTILE] + ["plain", "'quoted"]
    assert {r[1] for r in rows[1:]} == {"-5"}  # numbers are not text: a negative number stays a number


def test_sql_raw_csv_writes_cells_as_stored():
    empty_snapshot()
    result = runner.invoke(app, ["sql", _values_query(), "--csv", "--raw-csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout, newline="")))
    assert [r[0] for r in rows[1:]] == HOSTILE + ["plain", "'quoted"]


def test_sql_json_is_not_neutralised():
    empty_snapshot()
    result = runner.invoke(app, ["sql", "select '=1+1' as f", "--json"])
    assert lines(result.stdout) == [{"f": "=1+1"}]


@pytest.mark.parametrize(("statement", "fragment"), [
    pytest.param("copy (select 42 as x) to '{out}'", "read-only", id="copy-query-to-file"),
    pytest.param("copy marker to '{out}' (format csv)", "read-only", id="copy-table-to-file"),
    pytest.param("export database '{dir}'", "read-only", id="export-database"),
    pytest.param("attach '{live}' as live", "read-only", id="attach-live"),
    pytest.param("attach '{live}' as live (read_write)", "read-only", id="attach-live-read-write"),
    pytest.param("install '{dir}/x.duckdb_extension'", "read-only", id="install-extension"),
    pytest.param("load '{dir}/x.duckdb_extension'", "read-only", id="load-extension"),
    pytest.param("select * from read_csv('{secret}')", "read-only", id="read-csv-local-file"),
    pytest.param("select * from '{secret}'", "read-only", id="replacement-scan-local-file"),
    pytest.param("select content from read_text('{secret}')", "read-only", id="read-text-local-file"),
    pytest.param("select * from glob('{dir}/*')", "read-only", id="glob"),
    pytest.param("set enable_external_access = true", "locked", id="set-external-access"),
    pytest.param("set lock_configuration = false", "locked", id="unlock-configuration"),
    pytest.param("create table nope (x int)", "read-only mode", id="create-table"),
])
def test_sql_refuses_writes_attach_and_local_files(tmp_path, statement, fragment):
    cfg = empty_snapshot()
    secret = tmp_path / "secret.csv"
    secret.write_text("token\nhunter2\n")
    out = tmp_path / "out.csv"
    query = statement.format(out=out, dir=tmp_path, live=cfg.duckdb_path, secret=secret)
    live_before = cfg.duckdb_path.read_bytes()
    result = runner.invoke(app, ["sql", query, "--csv"])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert message.startswith("query failed:") and fragment in message, message
    assert "hunter2" not in result.output
    assert not out.exists() and not (tmp_path / "marker.csv").exists()
    assert cfg.duckdb_path.read_bytes() == live_before


def test_sql_cannot_attach_the_live_file_and_then_write_it():
    cfg = empty_snapshot()
    result = runner.invoke(app, ["sql", f"attach '{cfg.duckdb_path}' as live (read_write); "
                                        "insert into live.marker values (1)"])
    assert result.exit_code == 2
    with duckdb.connect(str(cfg.duckdb_path), read_only=True) as con:
        assert con.execute("select count(*) from marker").fetchone() == (0,)


@pytest.fixture(scope="module")
def demo_snapshot(site_url, tmp_path_factory) -> Path:
    return build_demo_warehouse(tmp_path_factory.mktemp("sql-demo") / "data", site_url)


@pytest.mark.parametrize(("heading", "sql"), [pytest.param(h, s, id=h) for h, s in documented_queries()])
def test_documented_queries_run_in_the_sandbox(demo_snapshot, heading, sql):
    result = runner.invoke(app, ["sql", sql, "--json", "--db", str(demo_snapshot)])
    assert result.exit_code == 0, (heading, result.output)
    assert len(lines(result.stdout)) == len(_run(demo_snapshot, sql)[1])  # the same rows as a plain connection
