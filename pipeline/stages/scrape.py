"""Stage 2b: fetch the pages of one shard's planned items and stage the page rows.

Which items to fetch was decided by ``plan_pages``; fetching and raw storage are
``pipeline.ingest.pages``. Raw HTML is stored gzipped under ``<data>/raw/`` and the staged row
points to it, so extraction can be re-run without fetching again.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from pipeline import settings, staging
from pipeline.errors import StageError
from pipeline.ingest import feeds
from pipeline.ingest.http import FetchLog, PoliteClient
from pipeline.ingest.pages import PageGuard, failed_page, fetch_pages
from pipeline.stages import schemas
from pipeline.stages.boundary import contained, log_failure


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
    # Pages the boundary contained: their rows and counts, added to fetch_pages' own.
    contained_rows: list[dict[str, Any]] = []
    contained_counts: dict[str, int] = {}
    with PoliteClient(feeds.client_options(cfg), log, transport=transport) as client:
        rows, fetched = fetch_pages(client, cfg.raw_dir, todo, _page_guard(log, contained_rows, contained_counts))
    rows += contained_rows
    for key, n in contained_counts.items():
        fetched[key] = fetched.get(key, 0) + n
    counts = {"pages_wanted": len(todo), **fetched}
    failed = counts.get("pages_failed", 0)
    staging.write_rows(staging.stage_file(run, "fetch_log", f"pages-{shard}"), log.rows, schemas.FETCH_LOG)
    staging.write_counts(run, f"pages-{shard}", counts)
    out = staging.write_rows(staging.stage_file(run, "pages", shard), rows, schemas.PAGES)
    # The staged files above are written first: a failing shard still records why it failed.
    if todo and failed / len(todo) > cfg.reject_ratio:
        raise StageError(f"{failed} of {len(todo)} pages failed in shard {shard}, over NEWS_REJECT_RATIO="
                            f"{cfg.reject_ratio}; see fetch_log for the reasons")
    return out


def _page_guard(log: FetchLog, failed: list[dict[str, Any]], counts: dict[str, int]) -> PageGuard:
    """The boundary for one page: an unforeseen failure is a failed page row (retried later), logged and counted."""
    def guard(item: dict[str, Any]) -> AbstractContextManager[None]:
        def record(error_class: str, reason: str) -> None:
            failed.append(failed_page(item, error_class, counts))
            log_failure(log, kind="page", url=item["url"], feed_url=item["feed_url"], error_class=error_class,
                        reason=reason)
        return contained(f"page {item['url']}", record)
    return guard
