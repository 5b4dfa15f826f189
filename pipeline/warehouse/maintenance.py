"""Daily housekeeping (the ``news_maintenance`` DAG): follow-up status, feed health, retention, checkpoint.

Two of these write the live warehouse (``refresh_followups``, ``checkpoint_warehouse``), so the
DAG runs them in the one-slot ``duckdb_writer`` pool, like the loader. ``check_feed_health``
reads the snapshot only. The two purges delete files by age and never touch DuckDB: an article
whose raw HTML is gone keeps its clean text, and ``reprocess --extract`` then re-uses that text.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from pipeline import settings, sqlfiles
from pipeline.alerts import operator
from pipeline.warehouse import db, migrate

logger = logging.getLogger(__name__)

DAY_S = 86_400


def refresh_followups(today: date | None = None, db_path: Path | None = None) -> dict[str, int]:
    """Mark open follow-ups past their due date ``overdue`` (and moved ones ``open`` again), in one transaction.

    Args:
        today: the day to judge by; defaults to today in UTC.
        db_path: the live warehouse (default ``NEWS_DUCKDB_PATH``).

    Returns:
        ``count_open``, ``count_due_today`` and ``count_overdue`` after the update.

    Raises:
        LoadError: the live warehouse could not be opened.
    """
    today = today or datetime.now(UTC).date()
    with db.live_transaction(db_path) as con:
        con.execute("create or replace temp table maintenance_context as "
                    "select ?::date as today, ?::timestamptz as run_at", [today, datetime.now(UTC)])
        con.execute(sqlfiles.text("maintenance/followup_status"))
        [counts] = sqlfiles.rows(con, "maintenance/followup_counts")
    logger.info("follow-ups on %s: %s", today, ", ".join(f"{k.removeprefix('count_')}={v}" for k, v in counts.items()))
    return {k: int(v or 0) for k, v in counts.items()}


def feed_problems(snapshot_path: Path | None = None) -> list[dict[str, Any]]:
    """A degraded last run (no page fetched), failing and stalled feeds, and failing alert routes when
    ``fct_alert_route_health`` exists (snapshot)."""
    problems: list[dict[str, Any]] = []
    with db.snapshot(snapshot_path) as con:
        if con is None:
            return problems
        for name in ("run_problems", "feed_problems", "alert_route_problems"):
            try:
                problems += sqlfiles.rows(con, f"maintenance/{name}")
            except duckdb.CatalogException:
                # fct_alert_route_health comes with alert delivery; before that there are no routes.
                logger.debug("%s skipped: its view does not exist in this snapshot", name)
                continue
    return problems


def check_feed_health(notify_urls: Sequence[str] = (), snapshot_path: Path | None = None) -> dict[str, Any]:
    """Warn the operator about failing or stalled feeds and failing alert routes.

    Each problem is a WARNING in the task log; with ``notify_urls`` the list also goes out as one
    Apprise notice. Unhealthy feeds never fail the task: a dead feed is the web being the web,
    and the operator has been told.

    Args:
        notify_urls: the operator's Apprise URLs (resolved by the DAG from the Airflow connection).
        snapshot_path: the snapshot to read (default ``NEWS_SNAPSHOT_PATH``).

    Returns:
        ``count_problems``, ``count_notified`` (URLs the notice went to) and up to 20 ``problems``.

    Raises:
        NotifyError: the notice could not be delivered.
    """
    problems = feed_problems(snapshot_path)
    for problem in problems:
        logger.warning("%s %s is %s: %s", problem["kind"], problem["name"], problem["health"],
                       problem.get("detail") or "no error recorded")
    sent = operator.send(notify_urls, operator.health_notice(problems)) if problems and notify_urls else 0
    if not problems:
        logger.info("every feed is healthy")
    brief = [{k: str(v) if v is not None else None for k, v in p.items() if k in ("kind", "name", "health", "detail")}
             for p in problems[:operator.MAX_LISTED]]
    return {"count_problems": len(problems), "count_notified": sent, "problems": brief}


def _newest_mtime(path: Path) -> float:
    # Files only: listing or creating a folder says nothing about when a run last wrote.
    newest = None
    for child in path.rglob("*"):
        try:
            if child.is_file():
                newest = max(newest or 0.0, child.stat().st_mtime)
        except FileNotFoundError:  # removed meanwhile by a re-running task
            continue
    return newest if newest is not None else path.stat().st_mtime


def _old_raw_files(base: Path, cutoff: float) -> Iterator[tuple[Path, int]]:
    for path in base.rglob("*.html.gz"):
        stat = path.stat()
        if stat.st_mtime < cutoff:
            yield path, stat.st_size


def _old_runs(base: Path, cutoff: float) -> Iterator[tuple[Path, int]]:
    for run in sorted(p for p in base.iterdir() if p.is_dir()):
        if _newest_mtime(run) < cutoff:
            yield run, sum(f.stat().st_size for f in run.rglob("*") if f.is_file())


def _purge(what: str, unit: str, base: Path, days: int, now: float | None,
           expired: Callable[[Path, float], Iterable[tuple[Path, int]]],
           remove: Callable[[Path], None]) -> tuple[int, int]:
    # The two retention purges: remove what ``expired`` lists under ``base`` as older than ``days``
    # (with its size in bytes), count it and log it; a missing folder has nothing to purge.
    cutoff = (now or time.time()) - days * DAY_S
    deleted = freed = 0
    if base.is_dir():
        for path, size in expired(base, cutoff):
            remove(path)
            deleted += 1
            freed += size
    logger.info("%s older than %d days: %d %s deleted (%d bytes)", what, days, deleted, unit, freed)
    return deleted, freed


def purge_raw_html(days: int | None = None, now: float | None = None, raw_dir: Path | None = None) -> dict[str, int]:
    """Delete stored raw HTML older than ``NEWS_RETENTION_RAW_DAYS`` days.

    Raw files are content-addressed and written once, so a file's mtime is when the page was
    first stored.

    Returns:
        ``count_files_deleted`` and ``count_bytes_freed``.
    """
    cfg = settings.load()
    base = raw_dir or cfg.raw_dir
    deleted, freed = _purge("raw HTML", "files", base, days or cfg.retention_raw_days, now, _old_raw_files,
                            lambda path: path.unlink(missing_ok=True))
    if base.is_dir():
        for folder in sorted((p for p in base.iterdir() if p.is_dir()), reverse=True):
            if not any(folder.iterdir()):
                folder.rmdir()
    return {"count_files_deleted": deleted, "count_bytes_freed": freed}


def purge_staging_files(days: int | None = None, now: float | None = None,
                        staging_dir: Path | None = None) -> dict[str, int]:
    """Delete run staging folders in which nothing changed for ``NEWS_RETENTION_STAGING_DAYS`` days.

    A folder's age is its newest file's, so a run that is still writing is never touched.

    Returns:
        ``count_runs_deleted`` and ``count_bytes_freed``.
    """
    cfg = settings.load()
    deleted, freed = _purge("staging", "run folders", staging_dir or cfg.staging_dir,
                            days or cfg.retention_staging_days, now, _old_runs,
                            lambda run: shutil.rmtree(run, ignore_errors=True))
    return {"count_runs_deleted": deleted, "count_bytes_freed": freed}


def checkpoint_warehouse(db_path: Path | None = None) -> str:
    """Run DuckDB's ``CHECKPOINT`` on the live warehouse, folding its WAL into the file.

    Returns:
        The live file's path.
    """
    path = db_path or settings.load().duckdb_path
    con = db.connect_live(path)
    try:
        migrate.apply(con)
        con.execute(sqlfiles.text("maintenance/checkpoint"))
    finally:
        con.close()
    logger.info("checkpointed %s (%d bytes)", path, path.stat().st_size)
    return str(path)
