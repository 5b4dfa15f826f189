"""The messages the ledger says were delivered last, rebuilt from the snapshot (``newswatch alerts preview``).

A message's text is not stored: it is built again from the stories the ledger rows name, by the same
content code that sent it, so the preview reads as the recipient's copy did (with today's facts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pipeline import sqlfiles
from pipeline.alerts.content import Item, Message, alert_from_row
from pipeline.warehouse import db

LAST_DELIVERED = sqlfiles.text("alerts/last_delivered")
ALL_STORIES = sqlfiles.text("alerts/stories").replace("from fct_alert_candidates as stories",
                                                      "from fct_matching_stories as stories")


@dataclass(frozen=True)
class Delivered:
    sent_at: datetime | None
    message: Message


def last_delivered(limit: int = 3, snapshot_path: Path | None = None,
                   routes: Sequence[str] | None = None) -> list[Delivered]:
    """The ``limit`` messages delivered last (newest first), rebuilt from the snapshot.

    Args:
        limit: how many messages.
        snapshot_path: the snapshot to read (default ``NEWS_SNAPSHOT_PATH``).
        routes: only messages of these routes (the routes file's); ``None``: any route.

    Returns:
        The messages, newest first; a message whose stories no longer match is left out.
    """
    wanted = None if routes is None else list(routes)
    rows = db.query_snapshot(LAST_DELIVERED, [wanted, wanted, limit], snapshot_path=snapshot_path)
    if not rows:
        return []
    stories = {(r[0], r[1]): alert_from_row(r) for r in db.query_snapshot(ALL_STORIES, snapshot_path=snapshot_path)}
    grouped: dict[tuple[str, str], list[Item]] = {}
    meta: dict[tuple[str, str], tuple[datetime | None, str]] = {}
    for sent_at, route, key, delivery, kind, cluster, topic in rows:
        alert = stories.get((cluster, topic))
        if alert is None:  # the story no longer matches (reclassified): nothing to rebuild it from
            continue
        grouped.setdefault((route, key), []).append(Item(alert, kind or "new"))
        meta[(route, key)] = (sent_at, delivery or "immediate")
    return [Delivered(meta[k][0], Message(k[0], meta[k][1], tuple(items), k[1])) for k, items in grouped.items()]
