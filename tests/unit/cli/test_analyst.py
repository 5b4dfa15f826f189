"""``newswatch sql`` on a snapshot: CSV, JSON Lines, and read-only."""

from __future__ import annotations

import json

import duckdb
from typer.testing import CliRunner

from pipeline import settings
from pipeline.cli.app import app
from pipeline.warehouse import db, migrate

runner = CliRunner()


def lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_sql_reads_the_snapshot_as_csv_and_json():
    cfg = settings.load()
    cfg.data_dir.mkdir(parents=True)
    with duckdb.connect(str(cfg.duckdb_path)) as con:
        migrate.apply(con)
    db.publish_snapshot()
    result = runner.invoke(app, ["sql", "select 1 as one, 'x' as two", "--csv"])
    assert result.exit_code == 0 and result.stdout.splitlines() == ["one,two", "1,x"]
    result = runner.invoke(app, ["sql", "select count(*) as n from articles", "--json"])
    assert lines(result.stdout) == [{"n": 0}]
    result = runner.invoke(app, ["sql", "create table nope (x int)"])
    assert result.exit_code == 2  # the snapshot is opened read-only
