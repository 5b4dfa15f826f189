"""Follow-up intelligence alerts (issue 19): reminders, disagreements across sources, story revisions.

Each is an alert of its own kind, keyed in the same ``alerts`` ledger as story alerts (the
``story_cluster_id`` column holds ``reminder:<fact>:<stage>``, ``conflict:<id>`` or
``revision:<article>:<text hash>``), so it goes through the same claim / send / record write
order and is sent exactly once per route (pipeline/alerts/ledger.py). Its topic and score are
those of the story it is about, so a route's topics and ``min_score`` apply; revisions go only to
routes with ``updates: true``; digest routes fold them into their next digest.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline import settings, sqlfiles
from pipeline.alerts.content import Alert, inert
from pipeline.warehouse import db

KINDS = ("reminder", "conflict", "revision")
UPDATE_ONLY = ("revision",)  # sent only on routes with `updates: true`
MAX_LINES = 5

INTEL = sqlfiles.text("alerts/intel")
REMINDER_STATE = sqlfiles.text("monitor/reminders")


def kind_of(alert_key: str) -> str | None:
    """The intelligence kind of a ledger key, or ``None`` for a story alert."""
    prefix = alert_key.split(":", 1)[0]
    return prefix if prefix in KINDS and ":" in alert_key else None


def _alert(row: Sequence[Any]) -> Alert:
    key, _kind, topic, score, title, source, url, published, first_seen, evidence, lines = row
    return Alert(
        story_cluster_id=key, topic=topic, score=float(score), title=inert(title, 200), source=source or "",
        url=url or "", published=published.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if published else None,
        evidence=tuple(" ".join(str(e).split())[:200] for e in (evidence or []) if e)[:2],
        facts=tuple(lines or [])[:MAX_LINES], first_seen_at=first_seen,
    )


def alerts(con: Any, now: datetime, window_days: int | None = None) -> dict[tuple[str, str], Alert]:
    """Every intelligence alert due on ``now``'s date, by (ledger key, topic), from an open warehouse connection.

    Args:
        con: the warehouse.
        now: the time the alerts run plans with; its UTC date decides the reminder stages.
        window_days: days before the due date a reminder is due (default ``NEWS_REMINDER_DAYS``).
    """
    days = settings.load().reminder_days if window_days is None else window_days
    rows = con.execute(INTEL, [now.astimezone(UTC).date(), days]).fetchall()
    return {(row[0], row[2]): _alert(row) for row in rows}


def reminder_state(snapshot_path: Path | None = None) -> list[dict[str, Any]]:
    """Follow-ups with a reminder stage, latest first, for the monitor page (read from the snapshot).

    Each row: fact_id, subject, due_date, bucket, reminder_stage, reminder_reached_at,
    reminder_sent_at, count_reminder_routes, opened_title, opened_url.
    """
    with db.snapshot(snapshot_path) as con:
        if con is None:
            return []
        return sqlfiles.dicts(con.execute(REMINDER_STATE))
