"""The warehouse schema: an upgraded install ends like a fresh one, applied migrations cannot change, seeds."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from pipeline.errors import ConfigError
from pipeline.warehouse import migrate

EVERY = migrate.migrations()
FX_SEED = migrate.SEEDS_DIR / "fx_rates.sql"
SCHEMA = {
    "tables": "select table_name from duckdb_tables() where not internal order by all",
    "columns": "select table_name, column_name, column_index, data_type, is_nullable, column_default "
               "from duckdb_columns() where not internal order by all",
    "views": "select view_name, sql from duckdb_views() where not internal order by all",
    "constraints": "select table_name, constraint_type, constraint_column_names from duckdb_constraints() "
                   "order by all",
}
APPLIED = "select version, name, checksum from schema_migrations order by applied_at, version"


def schema(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    return {name: con.execute(sql).fetchall() for name, sql in SCHEMA.items()}


def fresh() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    migrate.apply(con)
    return con


def load_rows(con: duckdb.DuckDBPyConnection, version: int) -> None:
    """What an install at ``version`` held: a run with its topic counts, a story's keys, the FX rates."""
    if version == 13:
        con.execute("insert into runs (run_id, loaded_at, status, count_relevant_us_japan, "
                    "count_relevant_rare_earths) values ('old-run', now(), 'success', 3, 0)")
    if version == 15:
        con.execute("insert into story_bands values ('text:aa', 'a1', 'a1'), ('0:ff', 'b1', 'a1')")
    if version == 22:  # 022 inserted the rates itself until sql/seeds/ took them over
        con.execute(FX_SEED.read_text())


def upgrade(con: duckdb.DuckDBPyConnection, releases: list[list[tuple[int, Path]]],
            monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Apply each release's migrations in turn, as an old install upgraded release by release would."""
    none = tmp_path / "none"
    none.mkdir(exist_ok=True)
    with monkeypatch.context() as m:  # an old release's views and seeds bind to its own schema only
        m.setattr(migrate, "VIEWS_DIR", none)
        m.setattr(migrate, "SEEDS_DIR", none)
        for release in releases:
            m.setattr(migrate, "migrations", lambda release=release: release)
            applied = migrate.apply(con)
            if len(applied) == 1:  # rows fit the schema of the release that just landed
                load_rows(con, applied[0])
    migrate.apply(con)  # this release


def test_a_warehouse_upgraded_one_migration_at_a_time_from_001_matches_a_fresh_one(monkeypatch, tmp_path):
    new = fresh()
    old = duckdb.connect(str(tmp_path / "old.duckdb"))
    upgrade(old, [EVERY[:i] for i in range(1, len(EVERY) + 1)], monkeypatch, tmp_path)
    assert schema(old) == schema(new)
    assert old.execute(APPLIED).fetchall() == new.execute(APPLIED).fetchall()
    assert old.execute("select * from fx_rates order by all").fetchall() == \
        new.execute("select * from fx_rates order by all").fetchall()
    assert old.execute("select * from run_topic_counts order by all").fetchall() == [
        ("old-run", "rare_earths", 0), ("old-run", "us_japan", 3)]  # the runs columns' values moved (026)
    assert old.execute("select * from article_keys order by all").fetchall() == [("a1", "a1", ["text:aa"]), ("b1", "a1", ["0:ff"])]


def test_018_landed_after_022_still_gives_the_fresh_schema(monkeypatch, tmp_path):
    # An install of the release that shipped 022 before 018 existed gets 018 on its next upgrade.
    up_to_017 = [(v, p) for v, p in EVERY if v <= 17]
    old = duckdb.connect(str(tmp_path / "old.duckdb"))
    upgrade(old, [up_to_017[:i] for i in range(1, len(up_to_017) + 1)] + [[*up_to_017, *[(v, p) for v, p in EVERY if v == 22]]],
            monkeypatch, tmp_path)
    applied = [v for v, _, _ in old.execute(APPLIED).fetchall()]
    assert applied.index(22) < applied.index(18)  # the history this test is about
    new = fresh()
    assert schema(old) == schema(new)
    assert old.execute("select * from fx_rates order by all").fetchall() == \
        new.execute("select * from fx_rates order by all").fetchall()
    order = "select version from schema_migrations order by version"
    assert old.execute(order).fetchall() == new.execute(order).fetchall()


def test_old_ledger_rows_get_their_checksum_on_the_first_run_that_knows_the_column(monkeypatch, tmp_path):
    old = duckdb.connect(str(tmp_path / "old.duckdb"))
    upgrade(old, [[(v, p) for v, p in EVERY if v < 28]], monkeypatch, tmp_path)
    assert old.execute("select version, checksum from schema_migrations order by version").fetchall() == [
        (v, migrate.checksum(p)) for v, p in EVERY]


@pytest.fixture
def ddl_copy(tmp_path, monkeypatch) -> Path:
    ddl = tmp_path / "ddl"
    shutil.copytree(migrate.DDL_DIR, ddl)
    monkeypatch.setattr(migrate, "DDL_DIR", ddl)
    return ddl


def test_a_changed_applied_migration_fails_naming_the_file_before_anything_runs(ddl_copy):
    con = fresh()
    edited = ddl_copy / "013_runs.sql"
    edited.write_text(edited.read_text() + "\nalter table runs add column if not exists oops integer;\n")
    (ddl_copy / "099_later.sql").write_text("create table if not exists later (id integer primary key);\n")
    with pytest.raises(ConfigError, match=r"sql/ddl/013_runs\.sql changed after it was applied"):
        migrate.apply(con)
    assert not con.execute("select * from duckdb_tables() where table_name in ('later')").fetchall()
    assert "oops" not in {c for (c,) in con.execute(
        "select column_name from duckdb_columns() where table_name = 'runs'").fetchall()}


def test_an_applied_migration_whose_file_is_gone_fails_naming_it(ddl_copy):
    con = fresh()
    (ddl_copy / "014_amounts.sql").unlink()
    with pytest.raises(ConfigError, match="migration 014 is applied to the warehouse but its file is gone"):
        migrate.apply(con)


def test_a_new_migration_is_applied_once_and_recorded_with_its_checksum(ddl_copy):
    con = fresh()
    later = ddl_copy / "099_later.sql"
    later.write_text("create table if not exists later (id integer primary key);\n")
    assert migrate.apply(con) == [99]
    assert migrate.apply(con) == []
    assert con.execute("select name, checksum from schema_migrations where version = 99").fetchall() == [
        ("099_later.sql", migrate.checksum(later))]


def test_a_failing_migration_is_rolled_back_and_not_recorded(ddl_copy):
    from pipeline.errors import LoadError

    con = fresh()
    (ddl_copy / "099_broken.sql").write_text("create table if not exists half (id integer);\nselect * from nowhere;\n")
    with pytest.raises(LoadError, match=r"sql/ddl/099_broken\.sql failed"):
        migrate.apply(con)
    assert not con.execute("select * from duckdb_tables() where table_name = 'half'").fetchall()
    assert not con.execute("select * from schema_migrations where version = 99").fetchall()


def test_seeds_are_reapplied_every_run_and_restore_a_seeded_rate_but_keep_added_rows():
    con = fresh()
    seeded = con.execute("select * from fx_rates order by all").fetchall()
    assert ("JPY", 0.00649) in {(c, r) for c, _, r, _ in seeded}
    con.execute("update fx_rates set usd_per_unit = 1 where currency = 'JPY'")
    con.execute("insert into fx_rates values ('CHF', date '2025-10-31', 1.24, 'analyst')")
    migrate.apply(con)
    rates = con.execute("select * from fx_rates order by all").fetchall()
    assert [r for r in rates if r[0] != "CHF"] == seeded
    assert [r[0] for r in rates if r[0] == "CHF"] == ["CHF"]
