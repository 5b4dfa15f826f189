"""Article pages: which items to fetch, fetching them politely, and keeping their raw bytes.

Pure of staging and the warehouse: the caller passes the known page statuses and the client.
An article whose page failed with a retryable error is tried again on later runs, up to
``MAX_PAGE_ATTEMPTS``. A page a budget of the run left unfetched is ``deferred``: not a failure
(its attempts do not count), and planned again on the next run. Raw HTML is stored gzipped under the raw folder, addressed by its hash, and
the page row points to it, so extraction can be re-run without fetching again.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
from collections import defaultdict
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.errors import DeferredError, FetchError
from pipeline.ingest.http import PAGE_TYPES, PoliteClient

logger = logging.getLogger(__name__)

MAX_PAGE_ATTEMPTS = 3
DEFERRED = "deferred"


def select_new(items: list[dict[str, Any]],
               known: Mapping[str, tuple[str, int]]) -> tuple[list[dict[str, Any]], int]:
    """Items to fetch: not stored yet, or stored with a page that may succeed on a retry.

    A ``deferred`` page (a budget of an earlier run left it unfetched) is always fetched again.

    Args:
        items: feed items, possibly listing one article id more than once.
        known: article id -> (page status, page attempts) of the articles already stored.

    Returns:
        The items (one per article id, first listing kept, with ``page_attempts`` so far) and how
        many were skipped as already known or listed twice.
    """
    unique: dict[str, dict[str, Any]] = {}
    for item in items:
        unique.setdefault(item["article_id"], item)
    todo = []
    for aid, item in unique.items():
        status, attempts = known.get(aid, (None, 0))
        if status is None or status == DEFERRED or (status == "failed" and attempts < MAX_PAGE_ATTEMPTS):
            todo.append({**item, "page_attempts": attempts})
    return todo, len(items) - len(todo)


def store_raw(raw_dir: Path, body: bytes) -> Path:
    """Keep a page's bytes gzipped, addressed by their SHA-256: the same page fetched twice, or by
    two articles, is stored once, and a stored file never changes under a reader.

    Args:
        raw_dir: the raw folder (``NEWS_DATA_DIR/raw``).
        body: the page's bytes as fetched.

    Returns:
        The path of the gzipped file.
    """
    digest = hashlib.sha256(body).hexdigest()
    path = raw_dir / digest[:2] / f"{digest}.html.gz"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(gzip.compress(body, mtime=0))
    tmp.replace(path)
    return path


# How the stage layer contains one page: given the item, a context manager that records any failure
# inside it (``pipeline.stages.boundary``); without one, a page's unforeseen failure fails its shard.
PageGuard = Callable[[dict[str, Any]], AbstractContextManager[object]]


def fetch_pages(client: PoliteClient, raw_dir: Path, todo: list[dict[str, Any]],
                guard: PageGuard | None = None, rows: list[dict[str, Any]] | None = None,
                progress: Callable[[], None] | None = None) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Fetch every item's page, hosts interleaved, and store the bodies under ``raw_dir``.

    A host whose budget is spent (``client.budget_left``) is not asked again: its remaining pages
    are ``deferred`` rows at once, and so is every page left when the client's ``stop_at`` passes.

    Args:
        client: the polite client (robots.txt, per-host spacing, the address guard, the budgets).
        raw_dir: where the raw bytes go (``store_raw``).
        todo: the items to fetch (from ``select_new``).
        guard: contains each page (see ``PageGuard``); an item it records has no row here.
        rows: where the page rows go, one as each page ends (default a new list): the caller
            still has the rows made so far when the loop is stopped by an exception.
        progress: called after each page (the stage checkpoints its staged rows from it).

    Returns:
        One page row per item (status, HTTP facts, raw path) and the ``pages_ok``/``pages_failed``/
        ``pages_deferred`` counts.
    """
    by_host: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in todo:
        by_host[item["url"].split("/")[2]].append(item)
    # Interleave hosts so that one slow host's spacing does not idle the others.
    queue = [item for group in _round_robin(list(by_host.values())) for item in group]
    counts: dict[str, int] = {}
    rows = [] if rows is None else rows
    for item in queue:
        with (guard or _unguarded)(item):
            rows.append(fetch_page(client, raw_dir, item, counts))
        if progress is not None:
            progress()
    return rows, counts


def _unguarded(item: dict[str, Any]) -> AbstractContextManager[object]:
    return nullcontext()


def failed_page(item: dict[str, Any], error_class: str, counts: dict[str, int], *, retryable: bool = True,
                status: int | None = None) -> dict[str, Any]:
    """The page row of an item whose fetch failed: retried later (``failed``) until ``MAX_PAGE_ATTEMPTS``."""
    row = {**item, "final_url": None, "http_status": status, "error_class": error_class, "content_type": None,
           "raw_path": None, "page_attempts": item["page_attempts"] + 1, "fetched_at": datetime.now(UTC)}
    page_status = "failed" if retryable else ("blocked" if error_class.startswith(("blocked", "robots"))
                                              else "gave_up")
    if page_status == "failed" and row["page_attempts"] >= MAX_PAGE_ATTEMPTS:
        page_status = "gave_up"
    row["page_status"] = page_status
    counts["pages_failed"] = counts.get("pages_failed", 0) + 1
    return row


def deferred_page(item: dict[str, Any], error_class: str, counts: dict[str, int]) -> dict[str, Any]:
    """The page row of an item a budget left unfetched: planned again next run, its attempts unchanged."""
    row = {**item, "final_url": None, "http_status": None, "error_class": error_class, "content_type": None,
           "raw_path": None, "page_attempts": item["page_attempts"], "fetched_at": datetime.now(UTC),
           "page_status": DEFERRED}
    counts["pages_deferred"] = counts.get("pages_deferred", 0) + 1
    return row


def _round_robin(groups: list[list[dict[str, Any]]]) -> list[list[dict[str, Any]]]:
    out = []
    while any(groups):
        out.append([g.pop(0) for g in groups if g])
    return out


def fetch_page(client: PoliteClient, raw_dir: Path, item: dict[str, Any], counts: dict[str, int]) -> dict[str, Any]:
    """Fetch one item's page and return its page row; a failure is a row too, never an exception.

    Args:
        client: the polite client.
        raw_dir: where the raw bytes go.
        item: the item, with its ``page_attempts`` so far.
        counts: ``pages_ok`` or ``pages_failed`` is incremented in place.

    Returns:
        The item with the page's fields: ``page_status`` ok, failed (retry later), gave_up, blocked or
        deferred (a budget of the run is spent; fetched next run).
    """
    try:
        response = client.get(item["url"], kind="page", accept=PAGE_TYPES, feed_url=item["feed_url"])
    except DeferredError as exc:
        logger.info("page %s deferred: %s", item["url"], exc)
        return deferred_page(item, exc.error_class, counts)
    except FetchError as exc:
        row = failed_page(item, exc.error_class, counts, retryable=exc.retryable, status=exc.status)
        logger.warning("page %s: %s (%s)", item["url"], exc.error_class, row["page_status"])
        return row
    row = {**item, "final_url": None, "http_status": None, "error_class": None, "content_type": None,
           "raw_path": None, "page_attempts": item["page_attempts"] + 1, "fetched_at": datetime.now(UTC)}
    path = store_raw(raw_dir, response.body)
    row.update(page_status="ok", final_url=response.final_url, http_status=response.status,
               content_type=response.content_type, raw_path=str(path))
    counts["pages_ok"] = counts.get("pages_ok", 0) + 1
    return row
