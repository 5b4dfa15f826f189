"""The warehouse's schema: numbered migrations in ``sql/ddl``, reference data in ``sql/seeds``, views in ``sql/marts``.

Migrations are append-only. Each applied file is recorded in ``schema_migrations`` with the
sha256 of its text, so a warehouse refuses to run against code whose copy of an applied file
changed: fix a schema with a new migration, never by editing one that shipped. Versions are
applied in number order; a version missing from the warehouse is applied even when a higher one
already is (018 once landed after 022), so every install ends with the same schema.

Seeds (rows the code relies on, such as FX rates) are applied idempotently after the
migrations, on every run, so a seed file is edited in place. Views are recreated last.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import duckdb

from pipeline import settings
from pipeline.errors import ConfigError, LoadError

DDL_DIR = settings.SQL_DIR / "ddl"
SEEDS_DIR = settings.SQL_DIR / "seeds"
VIEWS_DIR = settings.SQL_DIR / "marts"
_DDL_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")
_LEDGER = ("create table if not exists schema_migrations "
           "(version integer primary key, name varchar not null, applied_at timestamptz not null default now())")


def migrations() -> list[tuple[int, Path]]:
    """The numbered DDL files of ``sql/ddl``, in order.

    Raises:
        LoadError: a file is not named ``NNN_name.sql``.
    """
    found = []
    for path in sorted(DDL_DIR.glob("*.sql")):
        match = _DDL_NAME.match(path.name)
        if not match:
            raise LoadError(f"sql/ddl/{path.name}: DDL files must be named NNN_name.sql")
        found.append((int(match.group(1)), path))
    return found


def checksum(path: Path) -> str:
    """The sha256 (hex) of a migration file's bytes, as ``schema_migrations.checksum`` records it."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def apply(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply the migrations not yet recorded in ``schema_migrations``, then the seeds, then (re)create the views.

    Each migration runs in its own transaction with the row that records it. Applied rows without
    a checksum (recorded before the column existed) get their file's checksum.

    Returns:
        The versions applied now.

    Raises:
        LoadError: the warehouse is at a newer schema version than this code knows.
        LoadError: a migration failed (it is rolled back; the message names the file).
        ConfigError: an applied migration's file changed or is gone (the message names it).
    """
    con.execute(_LEDGER)
    known = migrations()
    done = _applied(con)
    latest = max((v for v, _ in known), default=0)
    if done and max(done) > latest:
        # Written by a newer newswatch: its tables may not match what this code reads and writes.
        raise LoadError(f"the warehouse is at schema version {max(done):03d}, newer than this code knows "
                        f"(latest sql/ddl version {latest:03d}); upgrade newswatch before loading")
    _check_unchanged(done, dict(known))
    applied = []
    for version, path in known:
        if version in done:
            continue
        con.begin()
        try:
            con.execute(path.read_text(encoding="utf-8"))
            con.execute("insert into schema_migrations (version, name) values (?, ?)", [version, path.name])
        except duckdb.Error as exc:
            con.rollback()
            raise LoadError(f"sql/ddl/{path.name} failed, nothing of it was applied: {exc}") from exc
        con.commit()
        applied.append(version)
    if _has_checksums(con):
        files = dict(known)
        for (version,) in con.execute("select version from schema_migrations where checksum is null").fetchall():
            con.execute("update schema_migrations set checksum = ? where version = ?", [checksum(files[version]), version])
    for path in sorted(SEEDS_DIR.glob("*.sql")):
        con.execute(path.read_text(encoding="utf-8"))
    _create_views(con, sorted(VIEWS_DIR.glob("*.sql")))
    return applied


def _has_checksums(con: duckdb.DuckDBPyConnection) -> bool:
    # The column comes with a migration (sql/ddl/028), so a warehouse before it has none.
    return bool(con.execute("select 1 from duckdb_columns() where table_name = 'schema_migrations' "
                            "and column_name = 'checksum'").fetchall())


def _applied(con: duckdb.DuckDBPyConnection) -> dict[int, str | None]:
    if not _has_checksums(con):
        return {version: None for (version,) in con.execute("select version from schema_migrations").fetchall()}
    return dict(con.execute("select version, checksum from schema_migrations").fetchall())


def _check_unchanged(done: dict[int, str | None], files: dict[int, Path]) -> None:
    for version, recorded in sorted(done.items()):
        path = files.get(version)
        if path is None:
            raise ConfigError(f"sql/ddl: migration {version:03d} is applied to the warehouse but its file is gone; "
                              "migrations are append-only, restore it")
        if recorded is not None and recorded != checksum(path):
            raise ConfigError(f"sql/ddl/{path.name} changed after it was applied to the warehouse (sha256 "
                              f"{recorded[:12]}… recorded); migrations are append-only: restore the file and "
                              "put the change in a new migration")


def _create_views(con: duckdb.DuckDBPyConnection, pending: list[Path]) -> None:
    # DuckDB binds a view when it is created, so a view must follow the views it reads; rather
    # than encode that order in file names, retry until every view binds.
    while pending:
        failed: list[tuple[Path, Exception]] = []
        for path in pending:
            try:
                con.execute(path.read_text())
            except duckdb.CatalogException as exc:
                failed.append((path, exc))
        if len(failed) == len(pending):
            path, error = failed[0]
            raise LoadError(f"sql/marts/{path.name} does not bind: {error}")
        pending = [path for path, _ in failed]
