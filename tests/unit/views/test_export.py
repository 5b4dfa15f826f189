"""`newswatch export`: every table and analyst view of the demo warehouse, as Parquet or CSV, read back intact."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.errors import PipelineError
from pipeline.views import export
from tests.sql.test_analyst_queries import build_demo_warehouse

ANALYST_VIEWS = {"fct_matching_stories", "fct_story_evidence", "fct_topic_volume_daily", "fct_entity_timeline",
                 "fct_facts", "fct_followups", "fct_quotes", "fct_feed_health", "fct_source_health",
                 "fct_alert_history"}


@pytest.fixture(scope="module")
def demo_snapshot(site_url, tmp_path_factory) -> Path:
    return build_demo_warehouse(tmp_path_factory.mktemp("export-demo") / "data", site_url)


def _objects(snapshot: Path) -> dict[str, int]:
    with duckdb.connect(str(snapshot), read_only=True) as con:
        names = [r[0] for r in con.execute(
            "select table_name from duckdb_tables() where not internal union all "
            "select view_name from duckdb_views() where not internal").fetchall()]
        return {name: con.execute(f'select count(*) from "{name}"').fetchone()[0] for name in names}


def test_parquet_export_writes_every_table_and_view(demo_snapshot, tmp_path):
    written = export.export("parquet", tmp_path / "out", demo_snapshot)
    expected = _objects(demo_snapshot)
    assert {w.name for w in written} == set(expected)
    assert ANALYST_VIEWS | {"articles", "facts", "fx_rates"} <= set(expected)
    with duckdb.connect() as con:
        for item in written:
            assert item.path == tmp_path / "out" / f"{item.name}.parquet"
            (rows,) = con.execute("select count(*) from read_parquet(?)", [str(item.path)]).fetchone()
            assert rows == item.count_rows == expected[item.name], item.name
        (amount,) = con.execute("select max(amount_usd) from read_parquet(?) where subject ilike '%550 billion%'",
                                [str(tmp_path / "out" / "fct_facts.parquet")]).fetchone()
    assert amount == 550e9


def test_csv_export_has_a_header_and_every_row(demo_snapshot, tmp_path):
    written = {w.name: w for w in export.export("csv", tmp_path, demo_snapshot)}
    with open(written["fct_followups"].path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == written["fct_followups"].count_rows > 0
    assert any(r["due_date"] == "2025-10-29" for r in rows)


def test_export_reads_the_snapshot_by_default(demo_snapshot, tmp_path, monkeypatch):
    monkeypatch.setenv("NEWS_SNAPSHOT_PATH", str(demo_snapshot))
    result = CliRunner().invoke(app, ["export", "--format", "csv", "--out", str(tmp_path / "bi")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "bi" / "fct_matching_stories.csv").stat().st_size > 0


@pytest.mark.parametrize(("fmt", "db", "message"), [
    pytest.param("xlsx", None, "not one of parquet, csv", id="unknown-format"),
    pytest.param("parquet", "absent.duckdb", "does not exist", id="no-warehouse-yet"),
])
def test_export_refuses_clearly(demo_snapshot, tmp_path, fmt, db, message):
    with pytest.raises(PipelineError, match=message):
        export.export(fmt, tmp_path, tmp_path / db if db else demo_snapshot)


HOSTILE = ['=HYPERLINK("http://evil.example/","click")', "+1+1", "-2+3", "@SUM(A1:A9)", "\tx", "\rx"]


@pytest.fixture
def hostile_snapshot(tmp_path) -> Path:
    """A warehouse whose text cells start as spreadsheet formulas would (a hostile feed's titles)."""
    path = tmp_path / "hostile.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table articles (title varchar, n integer, tags varchar[], meta json)")
        for text in [*HOSTILE, "plain", "'quoted"]:
            con.execute("insert into articles values (?, -5, [?], ?)", [text, text, json.dumps(text)])
        con.execute('create view "odd ""name""" as select title as "=title" from articles')
    return path


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_csv_export_puts_a_quote_before_formula_cells(hostile_snapshot, tmp_path):
    written = {w.name: w for w in export.export("csv", tmp_path / "out", hostile_snapshot)}
    rows = _csv_rows(written["articles"].path)
    assert [r["title"] for r in rows] == ["'" + text for text in HOSTILE] + ["plain", "'quoted"]
    assert {r["n"] for r in rows} == {"-5"}  # a number is not text: it stays a number
    assert all(r["tags"].startswith("[") for r in rows)  # a list cell starts with its bracket
    assert rows[0]["meta"] == json.dumps(HOSTILE[0])  # a JSON string starts with its double quote: left as is
    view_rows = _csv_rows(written['odd "name"'].path)
    assert [r["=title"] for r in view_rows][:len(HOSTILE)] == ["'" + text for text in HOSTILE]


def test_raw_csv_export_writes_cells_as_stored(hostile_snapshot, tmp_path):
    written = {w.name: w for w in export.export("csv", tmp_path / "out", hostile_snapshot, raw_csv=True)}
    assert [r["title"] for r in _csv_rows(written["articles"].path)] == HOSTILE + ["plain", "'quoted"]


def test_parquet_export_is_not_neutralised(hostile_snapshot, tmp_path):
    written = {w.name: w for w in export.export("parquet", tmp_path / "out", hostile_snapshot)}
    with duckdb.connect() as con:
        titles = [r[0] for r in con.execute("select title from read_parquet(?)",
                                            [str(written["articles"].path)]).fetchall()]
    assert titles == HOSTILE + ["plain", "'quoted"]


@pytest.mark.parametrize(("flags", "first"), [
    pytest.param([], "'" + HOSTILE[0], id="neutralised-by-default"),
    pytest.param(["--raw-csv"], HOSTILE[0], id="raw-csv"),
])
def test_export_command_neutralises_unless_raw_csv(hostile_snapshot, tmp_path, flags, first):
    result = CliRunner().invoke(app, ["export", "--format", "csv", "--out", str(tmp_path / "bi"),
                                      "--db", str(hostile_snapshot), *flags])
    assert result.exit_code == 0, result.output
    assert _csv_rows(tmp_path / "bi" / "articles.csv")[0]["title"] == first
