"""The DuckDB files: the live warehouse (one writer) and the read-only snapshot (many readers).

DuckDB lets one process open a file read-write, or many open it read-only, never both. So only
the loader opens the live file; after each load it copies the database (in an older storage format that
DuckDB 1.x clients read too) and renames the copy over the snapshot, which analysts, the alerts DAG and stages that need history open read-only.
The schema itself (migrations, views) is :mod:`pipeline.warehouse.migrate`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from pipeline import settings
from pipeline.errors import LoadError, StorageError
from pipeline.warehouse import migrate

logger = logging.getLogger(__name__)

LOCK_WAIT_S = 60.0
# The storage format the snapshot is written in: the oldest one that the warehouse's features allow, so that
# DuckDB 1.x clients (the CLI from 1.0 on, DBeaver, JDBC) open it as well as 2.0 does. The live file keeps
# 2.0's own format (storage version 69, which 1.x refuses). tests/e2e/test_duckdb_cli.py opens a snapshot
# with the duckdb-cli that pyproject.toml pins.
SNAPSHOT_STORAGE_VERSION = "v1.0.0"
# What DuckDB raises on a file that is not a whole database: zeroed, garbage, truncated, torn.
UNREADABLE = (duckdb.IOException, duckdb.SerializationException, duckdb.InternalException,
              duckdb.InvalidInputException, duckdb.FatalException)


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


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def copy_for_readers(con: duckdb.DuckDBPyConnection, source: str, out: Path) -> None:
    """Write database ``source`` of ``con`` (tables, views, macros, data) to a new file ``out`` in the
    snapshot's storage format (``SNAPSHOT_STORAGE_VERSION``)."""
    out.unlink(missing_ok=True)
    con.execute(f"attach {_quoted(out)} as snapshot_copy "
               f"(read_write, storage_version '{SNAPSHOT_STORAGE_VERSION}')")
    try:
        con.execute(f'copy from database "{source}" to snapshot_copy')
    finally:
        con.execute("detach snapshot_copy")


def publish_snapshot(db_path: Path | None = None, snapshot_path: Path | None = None) -> Path:
    """Copy the (closed, checkpointed) live file, in the snapshot's storage format, and atomically rename it
    over the snapshot.

    Readers that still hold the old snapshot open keep reading the old inode until they reconnect.
    """
    cfg = settings.load()
    live = db_path or cfg.duckdb_path
    snap = snapshot_path or cfg.snapshot_path
    started = time.perf_counter()
    write_snapshot(live, snap)
    logger.info("published snapshot %s (%d bytes in %.2fs)", snap, snap.stat().st_size,
                time.perf_counter() - started)
    return snap


def write_snapshot(live: Path, snap: Path) -> None:
    """Put a copy of the closed live file at ``snap``, atomically, in the snapshot's storage format.

    Readers that still hold the old snapshot open keep reading the old inode until they reconnect.
    """
    snap.parent.mkdir(parents=True, exist_ok=True)
    tmp = snap.with_name(f".{snap.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with duckdb.connect() as con:
            con.execute(f"attach {_quoted(live)} as live (read_only)")
            copy_for_readers(con, "live", tmp)
        os.replace(tmp, snap)
    finally:
        tmp.unlink(missing_ok=True)


def _is_lock_conflict(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def _unreadable(path: Path) -> duckdb.Error | None:
    """Why ``path`` does not open read-only with a readable catalog, or ``None`` when it does."""
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            con.execute("select count(*) from duckdb_tables()").fetchall()
    except duckdb.Error as exc:
        return exc
    return None


def repair_snapshot(snap: Path, error: BaseException, *, wait_s: float = LOCK_WAIT_S) -> None:
    """Rebuild an unreadable snapshot from the live warehouse, and say so in one WARNING.

    The copy is taken while this process holds the live file open *read-only*. DuckDB's lock then
    keeps the loader out for the few seconds of the copy (it waits with backoff, see
    :func:`connect_live`), so what is copied is a committed, closed state, and the copy is renamed
    over the snapshot before the lock is let go, so an older copy never replaces a newer publish.
    While the loader holds the file, it publishes a fresh snapshot itself when it commits: this
    waits for either. Without a live warehouse the unreadable file is moved aside (``*.corrupt``)
    and the snapshot reads as absent, as before the first load.

    Raises:
        StorageError: ``snap`` is not the configured snapshot (there is nothing to rebuild it
            from), the live warehouse is unreadable too, or it stayed locked for ``wait_s``.
    """
    cfg = settings.load()
    live = cfg.duckdb_path
    what = f"snapshot {snap} is unreadable ({type(error).__name__}: {str(error)[:200]})"
    if snap.resolve() != cfg.snapshot_path.resolve():
        raise StorageError(f"{what}; it is not NEWS_SNAPSHOT_PATH ({cfg.snapshot_path}), so it is not rebuilt") \
            from error
    if not live.exists():
        aside = snap.with_name(f"{snap.name}.corrupt")
        with contextlib.suppress(FileNotFoundError):  # another reader moved it first
            os.replace(snap, aside)
        logger.warning("%s; there is no live warehouse %s to rebuild it from, so it was moved to %s and reads as "
                       "empty until the next load publishes one", what, live, aside)
        return
    deadline = time.monotonic() + wait_s
    delay = 0.2
    while True:
        try:
            con = duckdb.connect(str(live), read_only=True)
            break
        except duckdb.Error as exc:
            if not _is_lock_conflict(exc):
                raise StorageError(f"{what}, and the live warehouse {live} cannot be read either: {exc}") from exc
        if _unreadable(snap) is None:  # the loader held the live file, and has published since
            logger.warning("%s; the load that held the live warehouse %s published a fresh one meanwhile",
                           what, live)
            return
        if time.monotonic() > deadline:
            raise StorageError(f"{what}, and the live warehouse {live} stayed locked for {wait_s:.0f}s") from error
        time.sleep(delay)
        delay = min(delay * 2, 5.0)
    try:
        try:
            con.execute("select count(*) from duckdb_tables()").fetchall()
        except duckdb.Error as exc:
            raise StorageError(f"{what}, and the live warehouse {live} cannot be read either: {exc}") from exc
        wal = live.with_name(f"{live.name}.wal").exists()
        tmp = snap.with_name(f".{snap.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            [(name,)] = con.execute("select current_database()").fetchall()
            try:
                copy_for_readers(con, name, tmp)
            except duckdb.Error as exc:  # its catalog reads, but not all of its data
                raise StorageError(f"{what}, and the live warehouse {live} cannot be read either: {exc}") from exc
            os.replace(tmp, snap)
        finally:
            tmp.unlink(missing_ok=True)
    finally:
        con.close()
    logger.warning("%s; rebuilt it from the live warehouse %s%s", what, live,
                   " (changes still in its write-ahead log reach the snapshot with the next load)"
                   if wal else "")


def _is_corruption(exc: BaseException, path: Path) -> bool:
    """Whether a DuckDB error raised while reading ``path`` says the file itself is damaged."""
    text = str(exc).lower()
    # A block whose checksum fails is a plain duckdb.Error ("Corrupt database file: computed checksum ...").
    torn = isinstance(exc, duckdb.Error) and "corrupt database file" in text
    if not (isinstance(exc, UNREADABLE) or torn) or _is_lock_conflict(exc):
        return False
    return (isinstance(exc, duckdb.SerializationException) or str(path).lower() in text
            or "corrupt" in text or "checksum" in text)


def ensure_snapshot(snapshot_path: Path | None = None) -> None:
    """Rebuild the snapshot from the live warehouse when it does not open (see :func:`repair_snapshot`).

    For readers that open the file themselves (``newswatch sql``, with its own connection settings).

    Raises:
        StorageError: it is unreadable and cannot be rebuilt.
    """
    path = snapshot_path or settings.load().snapshot_path
    error = _unreadable(path) if path.exists() else None
    if error is not None and not _is_lock_conflict(error):
        repair_snapshot(path, error)


@contextmanager
def _open_snapshot(path: Path) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """The snapshot read-only (``None`` when absent), rebuilt first when it does not open."""
    ensure_snapshot(path)
    if not path.exists():
        yield None
        return
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def snapshot(snapshot_path: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """A read-only connection to the snapshot, or ``None`` before the first load published one.

    An unreadable snapshot (zeroed, garbage, truncated) is rebuilt from the live warehouse
    (:func:`repair_snapshot`) before the connection is handed out. One that opens but fails while
    the block reads it (a torn data block) is rebuilt then, and the block ends in a ``StorageError``
    that says so: the next read works. :func:`query_snapshot` retries by itself.

    Raises:
        StorageError: the snapshot is unreadable and cannot be rebuilt, or was rebuilt mid-read.
    """
    path = snapshot_path or settings.load().snapshot_path
    try:
        with _open_snapshot(path) as con:
            yield con
    except duckdb.Error as exc:
        if not _is_corruption(exc, path):
            raise
        repair_snapshot(path, exc)
        raise StorageError(f"snapshot {path} failed while being read ({exc}); it was rebuilt from the live "
                           "warehouse, so reading it again works") from exc


def query_snapshot(sql: str, params: Sequence[Any] = (),
                   snapshot_path: Path | None = None) -> list[tuple[Any, ...]]:
    """Run one read-only query on the snapshot; an absent snapshot gives no rows.

    An unreadable snapshot is rebuilt from the live warehouse first; one that fails while the
    query reads it (a torn data block) is rebuilt then, and the query run once more.

    Raises:
        StorageError: the snapshot is unreadable and cannot be rebuilt.
    """
    path = snapshot_path or settings.load().snapshot_path
    try:
        with _open_snapshot(path) as con:
            return [] if con is None else con.execute(sql, list(params)).fetchall()
    except duckdb.Error as exc:
        if not _is_corruption(exc, path):
            raise
        repair_snapshot(path, exc)
    try:
        with _open_snapshot(path) as con:
            return [] if con is None else con.execute(sql, list(params)).fetchall()
    except duckdb.Error as exc:
        if not _is_corruption(exc, path):
            raise
        raise StorageError(f"snapshot {path} is still unreadable after it was rebuilt from the live warehouse "
                           f"{settings.load().duckdb_path}, so that file is damaged too: {exc}") from exc
