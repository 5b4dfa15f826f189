"""Stage 2b: fetch the pages of one shard's planned items and stage the page rows.

Which items to fetch was decided by ``plan_pages``; fetching and raw storage are
``pipeline.ingest.pages``. Raw HTML is stored gzipped under ``<data>/raw/`` and the staged row
points to it, so extraction can be re-run without fetching again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline import settings, staging
from pipeline.errors import StageError
from pipeline.ingest import feeds
from pipeline.ingest.http import FetchLog, PoliteClient
from pipeline.ingest.pages import fetch_pages
from pipeline.stages import schemas


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
    with PoliteClient(feeds.client_options(cfg), log, transport=transport) as client:
        rows, fetched = fetch_pages(client, cfg.raw_dir, todo)
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
