"""Export every table and analyst view of the snapshot as Parquet or CSV files, for BI tools.

The export reads the published snapshot read-only (never the live file), so it runs at any time
without blocking the loader; each object becomes one file written by DuckDB's ``COPY ... TO``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline import settings
from pipeline.errors import ConfigError, StorageError

logger = logging.getLogger(__name__)

FORMATS = {"parquet": "(format parquet, compression zstd)", "csv": "(format csv, header true)"}
OBJECTS = """
select table_name as name, 'table' as kind from duckdb_tables() where not internal and schema_name = 'main'
union all
select view_name as name, 'view' as kind from duckdb_views() where not internal and schema_name = 'main'
order by kind, name
"""


@dataclass(frozen=True)
class Exported:
    name: str
    kind: str  # table | view
    path: Path
    count_rows: int


def export(fmt: str = "parquet", out_dir: Path | None = None, db_path: Path | None = None) -> list[Exported]:
    """Write each table and view of the warehouse to ``<out_dir>/<name>.<fmt>``.

    Args:
        fmt: ``parquet`` or ``csv``.
        out_dir: the folder to write (default ``$NEWS_DATA_DIR/export``); created if missing.
        db_path: the database to read (default: the snapshot).

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
    con = duckdb.connect(str(path), read_only=True)
    try:
        for name, kind in con.execute(OBJECTS).fetchall():
            target = out / f"{name}.{fmt}"
            # Names come from DuckDB's own catalogue; quoting keeps odd ones (and keywords) safe.
            quoted = '"' + name.replace('"', '""') + '"'
            literal = "'" + str(target).replace("'", "''") + "'"
            con.execute(f"copy (select * from {quoted}) to {literal} {FORMATS[fmt]}")
            (rows,) = con.execute(f"select count(*) from {quoted}").fetchone() or (0,)
            written.append(Exported(name=name, kind=kind, path=target, count_rows=int(rows)))
            logger.info("exported %s %s: %d rows to %s", kind, name, rows, target)
    finally:
        con.close()
    return written
