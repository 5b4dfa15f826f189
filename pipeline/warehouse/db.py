"""The DuckDB files: the live warehouse (one writer) and the read-only snapshot (many readers).

DuckDB lets one process open a file read-write, or many open it read-only, never both. So only
the loader opens the live file; after each load it copies the file and renames the copy over
the snapshot, which analysts, the alerts DAG and stages that need history open read-only.
The schema itself (migrations, views) is :mod:`pipeline.warehouse.migrate`.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from pipeline import settings
from pipeline.errors import LoadError
from pipeline.warehouse import migrate

logger = logging.getLogger(__name__)

LOCK_WAIT_S = 60.0


def connect_live(db_path: Path | None = None, wait_s: float = LOCK_WAIT_S) -> duckdb.DuckDBPyConnection:
    """Open the live warehouse read-write, waiting while another process holds the lock.

    Someone who opened the live file by mistake (instead of the snapshot) holds DuckDB's lock;
    the loader waits for it with backoff rather than failing the run at once.

    Raises:
        LoadError: the lock was still held after ``wait_s`` seconds.
    """
    path = db_path or settings.load().duckdb_path
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_s
    delay = 0.2
    while True:
        try:
            return duckdb.connect(str(path))
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise LoadError(
                    f"cannot open the live warehouse {path}: {exc}. Analysts should open the snapshot "
                    f"({settings.load().snapshot_path}) read-only instead."
                ) from exc
            logger.warning("live warehouse %s is locked by another process; retrying in %.1fs", path, delay)
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


@contextmanager
def live_transaction(db_path: Path | None = None, *, checkpoint: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """The live warehouse, migrated, inside one transaction that commits when the block ends.

    If the block raises, the transaction is rolled back and nothing of it is kept. With
    ``checkpoint``, the committed data is written into the file before it closes, ready to copy.

    Raises:
        LoadError: the lock was still held after the wait (see :func:`connect_live`).
    """
    con = connect_live(db_path)
    try:
        migrate.apply(con)
        con.begin()
        try:
            yield con
        except BaseException:
            con.rollback()
            raise
        con.commit()
        if checkpoint:
            con.execute("checkpoint")
    finally:
        con.close()


def publish_snapshot(db_path: Path | None = None, snapshot_path: Path | None = None) -> Path:
    """Copy the (closed, checkpointed) live file and atomically rename it over the snapshot.

    Readers that still hold the old snapshot open keep reading the old inode until they reconnect.
    """
    cfg = settings.load()
    live = db_path or cfg.duckdb_path
    snap = snapshot_path or cfg.snapshot_path
    snap.parent.mkdir(parents=True, exist_ok=True)
    tmp = snap.with_name(f".{snap.name}.{os.getpid()}.tmp")
    shutil.copyfile(live, tmp)
    os.replace(tmp, snap)
    return snap


@contextmanager
def snapshot(snapshot_path: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """A read-only connection to the snapshot, or ``None`` before the first load published one."""
    path = snapshot_path or settings.load().snapshot_path
    if not path.exists():
        yield None
        return
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield con
    finally:
        con.close()


def query_snapshot(sql: str, params: Sequence[Any] = (),
                   snapshot_path: Path | None = None) -> list[tuple[Any, ...]]:
    """Run one read-only query on the snapshot; an absent snapshot gives no rows."""
    with snapshot(snapshot_path) as con:
        if con is None:
            return []
        return con.execute(sql, list(params)).fetchall()
