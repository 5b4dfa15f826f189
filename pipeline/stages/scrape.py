"""Stage 2b: fetch the pages of one shard's planned items and stage the page rows.

Which items to fetch was decided by ``plan_pages``; fetching and raw storage are
``pipeline.ingest.pages``. Raw HTML is stored gzipped under ``<data>/raw/`` and the staged row
points to it, so extraction can be re-run without fetching again.

The shard has a time budget (``NEWS_SCRAPE_BUDGET_S``, below the task's 30-minute timeout), and each
host one of its own (``NEWS_HOST_BUDGET_S``). When one is spent, the pages not fetched yet are staged
as ``deferred`` (planned again next run), and what was fetched is staged as usual. If the task is
stopped from outside (an exception such as a timeout or a termination signal), the pages fetched so
far and the deferred rest are staged before the exception goes on.

The staged rows are also written every ``CHECKPOINT_S`` while the shard runs, so even a task killed
outright (kill -9) leaves what it fetched. A retried attempt of the task keeps the pages an earlier
attempt staged (all but the deferred ones) and fetches only the others.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from pipeline import settings, staging
from pipeline.errors import StageError
from pipeline.ingest import feeds
from pipeline.ingest.http import ClientOptions, FetchLog, PoliteClient
from pipeline.ingest.pages import DEFERRED, PageGuard, deferred_page, failed_page, fetch_pages
from pipeline.stages import schemas
from pipeline.stages.boundary import contained, log_failure

logger = logging.getLogger(__name__)
# Page statuses that count as failed in the shard's counts.
FAILED_STATUSES = ("failed", "gave_up", "blocked")
# How often the rows fetched so far are written while the shard runs, in seconds.
CHECKPOINT_S = 30.0


def scrape_articles(plan_path: Path, *, run_id: str | None = None, transport: Any = None) -> Path:
    """Fetch the pages of one shard's planned items.

    Args:
        plan_path: the planned items of one page shard (from ``plan_pages.plan_pages``).
        run_id: recorded in ``fetch_log``; defaults to the run folder's name.
        transport: an httpx transport, for tests.

    Returns:
        The staged pages file (``pages/<shard>.parquet``).

    Raises:
        StageError: more than ``NEWS_REJECT_RATIO`` of the pages failed. The default, 1.0,
            never raises: failed pages are recorded and retried on later runs.
    """
    cfg = settings.load()
    run = staging.run_of(plan_path)
    shard = plan_path.stem
    todo = staging.read_rows(plan_path)
    log = FetchLog(run_id or run.name)
    # Page rows as they end (fetch_pages' and the ones the boundary contained): still here if the loop is
    # stopped. An earlier attempt's staged pages are kept, and only the others are fetched.
    rows, log.rows = _earlier_attempt(run, shard, todo)
    done = {row["article_id"] for row in rows}
    remaining = [item for item in todo if item["article_id"] not in done]
    if rows:
        logger.info("page shard %s: keeping the %d pages an earlier attempt staged; fetching the other %d",
                    shard, len(rows), len(remaining))
    unused: dict[str, int] = {}  # the counts are taken from the rows below
    try:
        with PoliteClient(page_client_options(cfg), log, transport=transport) as client:
            if cfg.scrape_budget_s:
                client.stop_at = time.monotonic() + cfg.scrape_budget_s
                client.stop_reason = ("deferred_scrape_budget",
                                      f"NEWS_SCRAPE_BUDGET_S={cfg.scrape_budget_s:g}s of page shard {shard} is spent")
            fetch_pages(client, cfg.raw_dir, remaining, _page_guard(log, rows, unused), rows=rows,
                        progress=_checkpoint(run, shard, rows, log))
    except BaseException as exc:
        # Asked to stop (a task timeout, a signal): stage what was fetched, defer the rest, then stop.
        _stage(run, shard, todo, rows, log, stopped=type(exc).__name__)
        logger.warning("page shard %s stopped by %s after %d of %d pages; staged them, the rest deferred",
                       shard, type(exc).__name__, len(rows), len(todo))
        raise
    out, counts = _stage(run, shard, todo, rows, log)
    failed = counts.get("pages_failed", 0)
    # The staged files above are written first: a failing shard still records why it failed.
    if todo and failed / len(todo) > cfg.reject_ratio:
        raise StageError(f"{failed} of {len(todo)} pages failed in shard {shard}, over NEWS_REJECT_RATIO="
                            f"{cfg.reject_ratio}; see fetch_log for the reasons")
    return out


def page_client_options(cfg: settings.Settings) -> ClientOptions:
    """The client's options for pages: the feeds' ones, and a host that is down is skipped (NEWS_HOST_DOWN_AFTER),
    this run and, with backoff, the next ones (NEWS_HOST_BACKOFF_S; remembered under ``<data>/hosts``)."""
    return dataclasses.replace(feeds.client_options(cfg), host_down_after=cfg.host_down_after,
                               host_state_dir=cfg.data_dir / "hosts", host_backoff_s=cfg.host_backoff_s)


def _pages_file(run: Path, shard: str) -> Path:
    return staging.stage_file(run, "pages", shard)


def _log_file(run: Path, shard: str) -> Path:
    return staging.stage_file(run, "fetch_log", f"pages-{shard}")


def _earlier_attempt(run: Path, shard: str,
                     todo: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The page rows (deferred ones left out) and fetch_log rows an earlier attempt of this shard staged."""
    wanted = {item["article_id"] for item in todo}
    try:
        rows = [row for row in staging.read_rows(_pages_file(run, shard))
                if row["page_status"] != DEFERRED and row["article_id"] in wanted]
        log_rows = staging.read_rows(_log_file(run, shard)) if rows else []
    except FileNotFoundError:
        return [], []
    except Exception as exc:  # noqa: BLE001 - an unreadable earlier file is redone, never trusted
        logger.warning("page shard %s: the earlier attempt's staged pages are unreadable (%s); fetching all", shard,
                       exc)
        return [], []
    return rows, log_rows


def _checkpoint(run: Path, shard: str, rows: list[dict[str, Any]], log: FetchLog) -> Callable[[], None]:
    """Write the rows fetched so far every ``CHECKPOINT_S``: a killed task leaves them for its retry."""
    last = time.monotonic()

    def write() -> None:
        nonlocal last
        if time.monotonic() - last >= CHECKPOINT_S:
            staging.write_rows(_log_file(run, shard), log.rows, schemas.FETCH_LOG)
            staging.write_rows(_pages_file(run, shard), rows, schemas.PAGES)
            last = time.monotonic()
    return write


def _stage(run: Path, shard: str, todo: list[dict[str, Any]], rows: list[dict[str, Any]], log: FetchLog,
           stopped: str | None = None) -> tuple[Path, dict[str, int]]:
    """Stage the shard's page rows, fetch log and counts; when ``stopped`` (by that exception), items with no row are deferred."""
    done = {row["article_id"] for row in rows}
    for item in todo:
        if item["article_id"] not in done and stopped is not None:
            rows.append(deferred_page(item, "deferred_stopped", {}))
            log.add(kind="page", url=item["url"], status=None, n_bytes=0, started=time.monotonic(),
                    error_class="deferred_stopped", feed_url=item["feed_url"],
                    error=f"deferred to the next run: the page shard was stopped by {stopped}")
    statuses = [row["page_status"] for row in rows]
    counts = {"pages_wanted": len(todo)}
    for key, n in (("pages_ok", statuses.count("ok")),
                   ("pages_failed", sum(statuses.count(s) for s in FAILED_STATUSES)),
                   ("pages_deferred", statuses.count(DEFERRED))):
        if n:
            counts[key] = n
    staging.write_rows(_log_file(run, shard), log.rows, schemas.FETCH_LOG)
    staging.write_counts(run, f"pages-{shard}", counts)
    logger.info("page shard %s: %s", shard, log.summary())
    return staging.write_rows(_pages_file(run, shard), rows, schemas.PAGES), counts


def _page_guard(log: FetchLog, failed: list[dict[str, Any]], counts: dict[str, int]) -> PageGuard:
    """The boundary for one page: an unforeseen failure is a failed page row (retried later), logged and counted."""
    def guard(item: dict[str, Any]) -> AbstractContextManager[None]:
        def record(error_class: str, reason: str) -> None:
            failed.append(failed_page(item, error_class, counts))
            log_failure(log, kind="page", url=item["url"], feed_url=item["feed_url"], error_class=error_class,
                        reason=reason)
        return contained(f"page {item['url']}", record)
    return guard
