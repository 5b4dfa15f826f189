"""The warehouse's schema: numbered migrations in ``sql/ddl``, then the views of ``sql/marts``.

Each applied file is recorded in ``schema_migrations``. Versions are applied in number order; a
version missing from the warehouse is applied even when a higher one already is (018 once landed
after 022), so every install ends with the same schema. Views are recreated last.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from pipeline import settings
from pipeline.errors import LoadError

DDL_DIR = settings.SQL_DIR / "ddl"
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


def apply(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply the DDL files not yet recorded in ``schema_migrations``; then (re)create the views.

    Returns:
        The versions applied now.

    Raises:
        LoadError: the warehouse is at a newer schema version than this code knows.
    """
    con.execute(_LEDGER)
    known = migrations()
    done = {row[0] for row in con.execute("select version from schema_migrations").fetchall()}
    latest = max((v for v, _ in known), default=0)
    if done and max(done) > latest:
        # Written by a newer newswatch: its tables may not match what this code reads and writes.
        raise LoadError(f"the warehouse is at schema version {max(done):03d}, newer than this code knows "
                        f"(latest sql/ddl version {latest:03d}); upgrade newswatch before loading")
    applied = []
    for version, path in known:
        if version in done:
            continue
        con.execute(path.read_text())
        con.execute("insert into schema_migrations (version, name) values (?, ?)", [version, path.name])
        applied.append(version)
    _create_views(con, sorted(VIEWS_DIR.glob("*.sql")))
    return applied


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
