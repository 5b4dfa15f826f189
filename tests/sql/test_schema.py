"""The SQL layer applied to an in-memory DuckDB, as dbt would test it: keys, views, re-runs."""

from __future__ import annotations

import duckdb
import pytest

from pipeline import sqlfiles
from pipeline.warehouse import migrate

TABLES = ["feeds", "fetch_log", "articles", "story_clusters", "classifications", "entities", "mentions", "facts",
          "fact_mentions", "quotes", "followups", "alerts", "runs", "amounts", "article_keys", "run_topic_counts",
          "relevance_feedback"]


@pytest.fixture
def con():
    con = duckdb.connect(":memory:")
    migrate.apply(con)
    yield con
    con.close()


@pytest.mark.parametrize("table", TABLES)
def test_every_table_has_a_primary_key(con, table):
    constraints = con.execute(
        "select constraint_type from duckdb_constraints() where table_name = ? and constraint_type = 'PRIMARY KEY'",
        [table],
    ).fetchall()
    assert constraints, f"{table} has no primary key"


def test_migrations_are_recorded_and_not_reapplied(con):
    versions = [v for v, _ in migrate.migrations()]
    assert [r[0] for r in con.execute("select version from schema_migrations order by 1").fetchall()] == versions
    assert migrate.apply(con) == []


def test_views_bind_on_an_empty_warehouse(con):
    views = [r[0] for r in con.execute("select view_name from duckdb_views() where not internal").fetchall()]
    assert {"fct_matching_stories", "fct_facts", "fct_followups", "fct_alert_candidates", "fct_feed_health"} <= set(views)
    for view in views:
        assert con.execute(f"select count(*) from {view}").fetchone() == (0,)


def test_ddl_files_are_numbered_and_one_table_each():
    import re

    for version, path in migrate.migrations():
        text = path.read_text().lower()
        tables = set(re.findall(r"(?:create table if not exists|alter table)\s+(\w+)", text))
        assert len(tables) == 1, (path.name, tables)
        assert path.name.startswith(f"{version:03d}_")


def test_story_bands_of_an_older_warehouse_move_into_article_keys(tmp_path, monkeypatch):
    every = migrate.migrations()
    old = duckdb.connect(str(tmp_path / "old.duckdb"))
    monkeypatch.setattr(migrate, "migrations", lambda: [(v, p) for v, p in every if v < 25])
    # The older warehouse had the views of its time; today's read tables it does not have yet.
    create_views = migrate._create_views
    monkeypatch.setattr(migrate, "_create_views", lambda con, pending: None)
    migrate.apply(old)
    monkeypatch.setattr(migrate, "_create_views", create_views)
    old.execute("insert into story_bands values ('text:aa', 'a1', 'a1'), ('url:http://x/a1', 'a1', 'a1'), "
               "('0:ff', 'b1', 'a1'), ('text:aa', 'b1', 'a1')")
    monkeypatch.setattr(migrate, "migrations", lambda: every)
    assert migrate.apply(old) == [v for v, _ in every if v >= 25]
    assert old.execute("select * from article_keys order by all").fetchall() == [
        ("a1", "a1", ["text:aa", "url:http://x/a1"]), ("b1", "a1", ["0:ff", "text:aa"])]
    assert not old.execute("select * from duckdb_tables() where table_name = 'story_bands'").fetchall()


def test_last_run_lists_the_latest_runs_counts_per_topic_by_name(con):
    name = "monitor/last_run"  # the monitor page's header and the report's
    con.execute("insert into runs (run_id, loaded_at, status) values ('r1', '2025-10-28 09:00+00', 'success'), "
                "('r2', '2025-10-28 10:00+00', 'success'), ('r3', '2025-10-28 08:00+00', 'success')")
    con.execute("insert into run_topic_counts values ('r2', 'us_japan', 3), ('r2', 'solar', 1), ('r1', 'solar', 9)")
    (run,) = sqlfiles.rows(con, name)
    assert run["run_id"] == "r2"
    assert run["relevant"] == [{"topic": "solar", "count_relevant": 1}, {"topic": "us_japan", "count_relevant": 3}]
    con.execute("insert into runs (run_id, loaded_at, status) values ('r4', '2025-10-28 11:00+00', 'success')")
    assert sqlfiles.rows(con, name)[0]["relevant"] == []  # a run that classified nothing
