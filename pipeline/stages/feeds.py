"""Stage: fetch one shard's due feeds and stage their entries, feed states and fetch log.

Feed state (validators, failures, next due time) is an input: it is read from the snapshot the task
names (the one the last load published), as ``plan_pages`` reads the known articles.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline import settings, staging
from pipeline.ingest import feeds
from pipeline.ingest.feeds import (
    FeedSource,
    FeedState,
    ItemCap,
    ShardResult,
    fetch_one,
    load_sources,
    record_failure,
    shard_of,
)
from pipeline.ingest.http import FetchLog, PoliteClient
from pipeline.stages import schemas
from pipeline.stages.boundary import contained, log_failure, loggable
from pipeline.stages.plan_pages import known_pages
from pipeline.warehouse import db

logger = logging.getLogger(__name__)


def load_states(snapshot: Path | None) -> dict[str, FeedState]:
    """Every feed's state in ``snapshot``, by feed URL (none before the first load published one)."""
    rows = db.query_snapshot(
        "select feed_url, etag, last_modified, body_hash, consecutive_failures, next_due_at, median_gap_minutes "
        "from feeds",
        snapshot_path=snapshot,
    )
    return {r[0]: FeedState(r[1], r[2], r[3], r[4] or 0, r[5], r[6]) for r in rows}


def fetch_feeds(run: Path, shard: int = 0, n_shards: int = 1, *, snapshot: Path | None,
                run_id: str | None = None, sources: list[FeedSource] | None = None, force: bool = False,
                transport: Any = None) -> Path:
    """Fetch the due feeds of one shard and stage their entries.

    Args:
        run: the run's staging folder.
        shard: which shard of ``n_shards`` to fetch (feeds are split by host).
        n_shards: how many shards the run has.
        snapshot: the published snapshot whose ``feeds`` hold each feed's state (validators,
            failures, next due time); ``None`` means the configured one.
        run_id: recorded in ``fetch_log``; defaults to the folder name.
        sources: feeds to use instead of the configured file.
        force: fetch every feed of the shard, due or not.
        transport: an httpx transport, for tests.

    Returns:
        The staged items file (``items/<shard>.parquet``); feed state and the fetch log are
        staged beside it.
    """
    cfg = settings.load()
    sources = sources if sources is not None else load_sources()
    states = load_states(snapshot)
    now = datetime.now(UTC)
    mine = [s for s in sources if shard_of(s.host, n_shards) == shard]
    due = [s for s in mine if force or (states.get(s.url) or FeedState()).next_due_at is None
           or (states[s.url].next_due_at or now) <= now]
    log = FetchLog(run_id or run.name)
    result = ShardResult(counts={"feeds_due": len(due), "feeds_skipped_not_due": len(mine) - len(due)})
    started = time.monotonic()
    # New items per feed per run: the ones the snapshot already stores do not count.
    cap = ItemCap(cfg.max_new_items_per_feed, lambda ids: set(known_pages(ids, snapshot)))
    with PoliteClient(feeds.client_options(cfg), log, transport=transport) as client:
        for source in due:
            state = states.get(source.url) or FeedState()
            with contained(f"feed {source.url}", _feed_failed(source, state, result, log)):
                fetch_one(client, source, state, result, _item_guard(source, result, log), cap)
    logger.info("shard %s/%s: %d feeds due, %d items in %.1fs; %s", shard, n_shards, len(due),
                len(result.items), time.monotonic() - started, log.summary())
    name = f"{shard:03d}"
    staging.write_rows(staging.stage_file(run, "feed_state", name), result.states, schemas.FEED_STATE)
    staging.write_rows(staging.stage_file(run, "fetch_log", f"feeds-{name}"), log.rows, schemas.FETCH_LOG)
    staging.write_counts(run, f"feeds-{name}", result.counts)
    return staging.write_rows(staging.stage_file(run, "items", name), result.items, schemas.ITEMS)


def _feed_failed(source: FeedSource, state: FeedState, result: ShardResult, log: FetchLog) -> Callable[[str, str], None]:
    """How the boundary records a feed that failed in an unforeseen way: feed state, fetch_log, counts."""
    def record(error_class: str, reason: str) -> None:
        record_failure(source, state, result, error_class, reason)
        log_failure(log, kind="feed", url=source.url, feed_url=source.url, error_class=error_class, reason=reason)
    return record


def _item_guard(source: FeedSource, result: ShardResult, log: FetchLog) -> feeds.ItemGuard:
    """The boundary for one entry of ``source``: a failed entry gets its own fetch_log row and is counted."""
    def guard(link: str) -> AbstractContextManager[None]:
        def record(error_class: str, reason: str) -> None:
            log.add(kind="item", url=loggable(link), status=None, n_bytes=0, started=time.monotonic(),
                    error_class=error_class, error=reason, feed_url=source.url)
            result.count("items_failed")
        return contained(f"entry {link[:200]!r} of feed {source.url}", record)
    return guard

