"""Stage 2a: the explicit re-shard between the feed shards and the page shards.

Feeds are sharded by the feed's host, but one publisher's pages can be listed by feeds of several
shards (aggregators, syndication). This stage reads every feed shard's items, keeps the new ones
(``pipeline.ingest.pages.select_new`` against the page statuses in the snapshot it is given), and
writes one ``plan/<shard>.parquet`` per *page*-host shard, so that each host's pages are fetched by
one task and the per-host spacing and robots.txt cache hold across shards.

Pages a budget of an earlier run left unfetched (``page_status`` ``deferred``) are planned again
from the snapshot itself, whether or not a feed lists them in this run: a feed that answered 304
stages no items, and the deferred pages must not wait for the feed to change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pipeline import sqlfiles, staging
from pipeline.ingest.feeds import shard_of
from pipeline.ingest.pages import select_new
from pipeline.stages import schemas
from pipeline.warehouse import db


def known_pages(ids: list[str], snapshot: Path | None) -> dict[str, tuple[str, int]]:
    """Article ids already stored in ``snapshot``, with their page status and attempts."""
    if not ids:
        return {}
    rows = db.query_snapshot(
        "select article_id, page_status, page_attempts from articles where article_id in "
        "(select unnest(?::varchar[]))",
        [ids], snapshot_path=snapshot,
    )
    return {r[0]: (r[1], r[2] or 0) for r in rows}


def revised_items(rows: list[dict[str, Any]], listed: set[str], snapshot: Path | None) -> list[dict[str, Any]]:
    """Items of stored, fetched articles whose feed summary changed since: an edited story, fetched again."""
    ids = sorted({r["article_id"] for r in rows if r.get("summary")} - listed)
    if not ids:
        return []
    stored = dict(db.query_snapshot(sqlfiles.text("plan/revisable_pages"), [ids], snapshot_path=snapshot))
    revised: dict[str, dict[str, Any]] = {}
    for row in rows:
        old = stored.get(row["article_id"])
        if old is not None and row.get("summary") and " ".join(row["summary"].split()) != " ".join(old.split()):
            revised.setdefault(row["article_id"], {**row, "page_attempts": 0})
    return list(revised.values())


def deferred_pages(snapshot: Path | None) -> list[dict[str, Any]]:
    """The stored articles whose page an earlier run deferred, as plan items (oldest first)."""
    columns = [*schemas.ITEMS.names, "page_attempts"]
    rows = db.query_snapshot(sqlfiles.text("plan/deferred_pages"), snapshot_path=snapshot)
    return [dict(zip(columns, row, strict=True)) for row in rows]


def plan_pages(items: list[Path], *, snapshot: Path | None) -> list[Path]:
    """Keep the run's new items and split them into one plan file per page-host shard.

    Args:
        items: every feed shard's staged items (``items/<shard>.parquet``); there are as many page
            shards as feed shards.
        snapshot: the published snapshot whose ``articles`` say which pages are already stored;
            ``None`` means the configured one.

    Returns:
        The staged plan files (``plan/<shard>.parquet``), one per shard, each written even when empty.
    """
    if not items:
        return []
    run = staging.run_of(items[0])
    rows = [item for path in sorted(items) for item in staging.read_rows(path)]
    todo, skipped = select_new(rows, known_pages(sorted({r["article_id"] for r in rows}), snapshot))
    listed = {item["article_id"] for item in todo}
    revised = revised_items(rows, listed, snapshot)
    todo += revised
    listed |= {item["article_id"] for item in revised}
    deferred = [item for item in deferred_pages(snapshot) if item["article_id"] not in listed]
    todo += deferred
    n_shards = len(items)
    shards: list[list[dict[str, Any]]] = [[] for _ in range(n_shards)]
    for item in todo:
        shards[shard_of(urlsplit(item["url"]).hostname or "", n_shards)].append(item)
    counts = {"items_known": skipped - len(revised), **({"pages_replanned": len(deferred)} if deferred else {}),
              **({"pages_revisited": len(revised)} if revised else {})}
    staging.write_counts(run, "plan", counts)
    return [staging.write_rows(staging.stage_file(run, "plan", f"{shard:03d}"), shard_rows, schemas.PLAN)
            for shard, shard_rows in enumerate(shards)]
