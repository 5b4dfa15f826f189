"""Stage 2: keep the new items and fetch their article pages.

An item is new when its article id (hash of the canonical URL) is not in the warehouse yet.
An article whose page failed with a retryable error is tried again on later runs, up to
``MAX_PAGE_ATTEMPTS``. Raw HTML is stored gzipped under ``<data>/raw/`` and the staged row
points to it, so extraction can be re-run without fetching again.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pipeline import settings, staging
from pipeline.errors import FetchError, StageError
from pipeline.ingest import feeds
from pipeline.ingest.http import PAGE_TYPES, FetchLog, PoliteClient
from pipeline.stages import schemas
from pipeline.warehouse import db as warehouse

logger = logging.getLogger(__name__)

MAX_PAGE_ATTEMPTS = 3


def _known(ids: list[str]) -> dict[str, tuple[str, int]]:
    """Article ids already stored, with their page status and attempts."""
    if not ids:
        return {}
    rows = warehouse.query_snapshot(
        "select article_id, page_status, page_attempts from articles where article_id in "
        "(select unnest(?::varchar[]))",
        [ids],
    )
    return {r[0]: (r[1], r[2] or 0) for r in rows}


def select_new(items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """Items to fetch: not stored yet, or stored with a page that may succeed on a retry.

    Returns:
        The items (one per article id) and how many were skipped as already known.
    """
    unique: dict[str, dict[str, Any]] = {}
    for item in items:
        unique.setdefault(item["article_id"], item)
    known = _known(list(unique))
    todo = []
    for aid, item in unique.items():
        status, attempts = known.get(aid, (None, 0))
        if status is None or (status == "failed" and attempts < MAX_PAGE_ATTEMPTS):
            todo.append({**item, "page_attempts": attempts})
    return todo, len(items) - len(todo)


def store_raw(raw_dir: Path, body: bytes) -> Path:
    """Keep a page's bytes gzipped, addressed by their SHA-256: the same page fetched twice, or by
    two articles, is stored once, and a stored file never changes under a reader."""
    digest = hashlib.sha256(body).hexdigest()
    path = raw_dir / digest[:2] / f"{digest}.html.gz"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(gzip.compress(body, mtime=0))
    tmp.replace(path)
    return path


def shard_items(items_path: Path) -> list[dict[str, Any]]:
    """This shard's items, taken from every feed shard of the run and kept by *page* host.

    Feeds are sharded by the feed's host, but one publisher's pages can be listed by feeds of
    several shards (aggregators, syndication). Re-sharding by the page's host keeps each host's
    pages in one task, so the per-host spacing and robots.txt cache hold across shards. Every
    fetch shard has finished before any scrape shard starts (the DAG maps over all of them; the
    CLI runs them first), and each writes its file even when empty.
    """
    siblings = sorted(items_path.parent.glob("*.parquet"))
    shard, n_shards = int(items_path.stem), len(siblings)
    return [item for path in siblings for item in staging.read_rows(path)
            if feeds.shard_of(urlsplit(item["url"]).hostname or "", n_shards) == shard]


def scrape_articles(items_path: Path, *, run_id: str | None = None, transport: Any = None) -> Path:
    """Fetch the pages of one shard's new items.

    Args:
        items_path: the staged items of one shard (from ``feeds.fetch_feeds``).
        run_id: recorded in ``fetch_log``; defaults to the run folder's name.
        transport: an httpx transport, for tests.

    Returns:
        The staged pages file (``pages/<shard>.parquet``).

    Raises:
        StageError: more than ``NEWS_REJECT_RATIO`` of the pages failed. The default, 1.0,
            never raises: failed pages are recorded and retried on later runs.
    """
    cfg = settings.load()
    run = staging.run_of(items_path)
    shard = items_path.stem
    todo, skipped = select_new(shard_items(items_path))
    log = FetchLog(run_id or run.name)
    counts = {"items_known": skipped, "pages_wanted": len(todo)}
    rows = []
    by_host: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in todo:
        by_host[item["url"].split("/")[2]].append(item)
    with PoliteClient(feeds.client_options(cfg), log, transport=transport) as client:
        # Interleave hosts so that one slow host's spacing does not idle the others.
        queue = [item for group in _round_robin(list(by_host.values())) for item in group]
        for item in queue:
            rows.append(_fetch_page(client, cfg.raw_dir, item, counts))
    failed = counts.get("pages_failed", 0)
    staging.write_rows(staging.stage_file(run, "fetch_log", f"pages-{shard}"), log.rows, schemas.FETCH_LOG)
    staging.write_counts(run, f"pages-{shard}", counts)
    out = staging.write_rows(staging.stage_file(run, "pages", shard), rows, schemas.PAGES)
    # The staged files above are written first: a failing shard still records why it failed.
    if todo and failed / len(todo) > cfg.reject_ratio:
        raise StageError(f"{failed} of {len(todo)} pages failed in shard {shard}, over NEWS_REJECT_RATIO="
                            f"{cfg.reject_ratio}; see fetch_log for the reasons")
    return out


def _round_robin(groups: list[list[dict[str, Any]]]) -> list[list[dict[str, Any]]]:
    out = []
    while any(groups):
        out.append([g.pop(0) for g in groups if g])
    return out


def _fetch_page(client: PoliteClient, raw_dir: Path, item: dict[str, Any], counts: dict[str, int]) -> dict[str, Any]:
    row = {**item, "final_url": None, "http_status": None, "error_class": None, "content_type": None,
           "raw_path": None, "page_attempts": item["page_attempts"] + 1, "fetched_at": datetime.now(UTC)}
    try:
        response = client.get(item["url"], kind="page", accept=PAGE_TYPES, feed_url=item["feed_url"])
    except FetchError as exc:
        status = "failed" if exc.retryable else ("blocked" if exc.error_class.startswith(("blocked", "robots"))
                                                  else "gave_up")
        if status == "failed" and row["page_attempts"] >= MAX_PAGE_ATTEMPTS:
            status = "gave_up"
        logger.warning("page %s: %s (%s)", item["url"], exc.error_class, status)
        row.update(page_status=status, http_status=exc.status, error_class=exc.error_class)
        counts["pages_failed"] = counts.get("pages_failed", 0) + 1
        return row
    path = store_raw(raw_dir, response.body)
    row.update(page_status="ok", final_url=response.final_url, http_status=response.status,
               content_type=response.content_type, raw_path=str(path))
    counts["pages_ok"] = counts.get("pages_ok", 0) + 1
    return row
