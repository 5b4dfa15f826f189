"""Export every table and analyst view of the snapshot as Parquet or CSV files, for BI tools.

The export reads the published snapshot read-only (never the live file), so it runs at any time
without blocking the loader; each object becomes one file written by DuckDB's ``COPY ... TO``.

Spreadsheets run a CSV cell that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return as a formula (a hostile
feed's title ``=HYPERLINK(...)``, say). So CSV text cells that start with one of those are written with a single quote
in front (OWASP's rule against CSV injection), unless the caller asks for raw CSV. Numbers, dates and Parquet files are
written as they are.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from pipeline import settings
from pipeline.errors import ConfigError, StorageError
from pipeline.warehouse import db

logger = logging.getLogger(__name__)

FORMATS = {"parquet": "(format parquet, compression zstd)", "csv": "(format csv, header true)"}
OBJECTS = """
select table_name as name, 'table' as kind from duckdb_tables() where not internal and schema_name = 'main'
union all
select view_name as name, 'view' as kind from duckdb_views() where not internal and schema_name = 'main'
order by kind, name
"""
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_TEXT_TYPES = {"VARCHAR"}  # JSON text starts with a quote, bracket, brace, digit or minus sign: no formula
_PREFIX_SQL = ", ".join(f"chr({ord(c)})" for c in FORMULA_PREFIXES)


@dataclass(frozen=True)
class Exported:
    name: str
    kind: str  # table | view
    path: Path
    count_rows: int


def neutralise_cell(value: Any) -> Any:
    """A text value that a spreadsheet would run as a formula, with a single quote in front; anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _neutralised_select(con: duckdb.DuckDBPyConnection, quoted: str) -> str:
    """A ``select`` of every column of ``quoted``, text columns wrapped so that a formula cell gets a leading quote."""
    columns = []
    for column, column_type, *_ in con.execute(f"describe select * from {quoted}").fetchall():
        col = _quote(column)
        if str(column_type).upper() in _TEXT_TYPES:
            columns.append(f"case when left({col}, 1) in ({_PREFIX_SQL}) then chr(39) || {col} else {col} end as {col}")
        else:
            columns.append(col)
    return f"select {', '.join(columns)} from {quoted}"


def export(fmt: str = "parquet", out_dir: Path | None = None, db_path: Path | None = None,
           *, raw_csv: bool = False) -> list[Exported]:
    """Write each table and view of the warehouse to ``<out_dir>/<name>.<fmt>``.

    Args:
        fmt: ``parquet`` or ``csv``.
        out_dir: the folder to write (default ``$NEWS_DATA_DIR/export``); created if missing.
        db_path: the database to read (default: the snapshot).
        raw_csv: write CSV text cells as stored, without neutralising formula cells (see the module doc).

    Returns:
        One entry per object written, tables first.

    Raises:
        ConfigError: unknown format.
        StorageError: no database at ``db_path`` yet.
    """
    if fmt not in FORMATS:
        raise ConfigError(f"export format {fmt!r} is not one of {', '.join(FORMATS)}")
    cfg = settings.load()
    path = db_path or cfg.snapshot_path
    if not path.exists():
        raise StorageError(f"{path} does not exist yet: run `newswatch run` or `newswatch demo` first")
    out = out_dir or cfg.data_dir / "export"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with db.snapshot(path) as con:  # an unreadable snapshot is rebuilt from the live warehouse first
        if con is None:
            raise StorageError(f"{path} does not exist yet: run `newswatch run` or `newswatch demo` first")
        for name, kind in con.execute(OBJECTS).fetchall():
            target = out / f"{name}.{fmt}"
            # Names come from DuckDB's own catalogue; quoting keeps odd ones (and keywords) safe.
            quoted = _quote(name)
            literal = "'" + str(target).replace("'", "''") + "'"
            select = _neutralised_select(con, quoted) if fmt == "csv" and not raw_csv else f"select * from {quoted}"
            con.execute(f"copy ({select}) to {literal} {FORMATS[fmt]}")
            (rows,) = con.execute(f"select count(*) from {quoted}").fetchone() or (0,)
            written.append(Exported(name=name, kind=kind, path=target, count_rows=int(rows)))
            logger.info("exported %s %s: %d rows to %s", kind, name, rows, target)
    return written
