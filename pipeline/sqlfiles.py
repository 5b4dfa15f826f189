"""The one way Python reaches the SQL in ``sql/``: read a file by name, run it, get rows as dicts."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import duckdb

from pipeline import settings


@cache
def text(name: str) -> str:
    """The SQL of ``sql/<name>.sql`` (for example ``alerts/claim``); files never change while running."""
    return (settings.SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def fetch(cursor: duckdb.DuckDBPyConnection) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The column names and the remaining rows of an executed statement, in the statement's order."""
    return [d[0] for d in cursor.description or []], cursor.fetchall()


def dicts(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The remaining rows of an executed statement, as dicts keyed by column name."""
    columns, found = fetch(cursor)
    return [dict(zip(columns, row, strict=True)) for row in found]


def rows(con: duckdb.DuckDBPyConnection, name: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Run ``sql/<name>.sql`` with its parameters and return its rows as dicts."""
    return dicts(con.execute(text(name), list(params)))
