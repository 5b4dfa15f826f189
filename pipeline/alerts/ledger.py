"""Alert delivery: which matching stories are due an alert on each route, sent exactly once per channel.

The ``alerts`` table in the LIVE warehouse is the delivery ledger, one row per
(story_cluster_id, topic, route). Delivery runs as the one writer (the ``duckdb_writer`` pool),
and every message goes through this write order:

1. **claim**: in one transaction, upsert the message's rows as ``pending``, ``attempts + 1``,
   with the message's idempotency key (``message_key``); commit.
2. **send** to each channel of the route that has not confirmed this key yet; after each
   channel accepts, append its id to ``channels_done``; commit.
3. **record**: all channels done: ``sent`` and ``sent_at``; otherwise ``failed`` with
   ``last_error`` and ``next_attempt_at`` (exponential backoff); commit.

The one window left is a crash after a channel accepted and before the commit in step 2. The
row stays ``pending`` without that channel in ``channels_done``, so the next run sends the same
message again, with the same key: at-least-once, at most one duplicate per crash. Every message
carries its key (body footer, ``X-Newswatch-Key`` header on e-mail and webhooks, a
``newswatch_key`` field in JSON webhooks, the ``key`` of an outbox line), so a receiver can drop
the duplicate; the outbox does so itself. A ``pending`` or partly delivered message is always
re-sent as the same message; only messages no channel accepted are regrouped.

``NEWS_ALERTS_FAULT=crash_after_send`` makes the process exit right after a channel accepted,
before step 2 commits: the fault tests use it to prove the window above.
``NEWS_ALERTS_FAULT=pause_after_send:<kind>:<file>`` stops at the same point once a message with an
alert of that kind (story, reminder, conflict, revision) is accepted, writes ``<file>`` and waits, so
a test can kill the process with a real SIGKILL there.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pipeline import settings, sqlfiles
from pipeline.alerts import intel
from pipeline.alerts.channels import Channel, channels
from pipeline.alerts.content import Alert, Item, Message, alert_from_row, new_message
from pipeline.alerts.routes import AlertsConfig, ConnectionResolver, Route, load_config
from pipeline.errors import ChannelError
from pipeline.warehouse import db, migrate

logger = logging.getLogger(__name__)

FAULT_ENV = "NEWS_ALERTS_FAULT"

STORIES = sqlfiles.text("alerts/stories")
LEDGER = sqlfiles.text("alerts/ledger")
CLAIM = sqlfiles.text("alerts/claim")
CHANNEL_DONE = sqlfiles.text("alerts/channel_done")
MARK_SENT = sqlfiles.text("alerts/mark_sent")
MARK_FAILED = sqlfiles.text("alerts/mark_failed")
LAST_DIGEST = sqlfiles.text("alerts/last_digest")


@dataclass(frozen=True)
class LedgerRow:
    status: str
    attempts: int
    kind: str | None
    delivery: str | None
    message_key: str | None
    next_attempt_at: datetime | None
    channels_done: tuple[str, ...]
    facts_sent: tuple[str, ...] | None  # null: sent before updates were tracked
    sent_at: datetime | None


@dataclass
class Delivery:
    route: str
    kind: str
    key: str
    title: str
    count_stories: int
    error: str | None = None


@dataclass
class DeliveryReport:
    sent: list[Delivery] = field(default_factory=list)
    failed: list[Delivery] = field(default_factory=list)
    count_routes: int = 0

    def summary(self) -> dict[str, Any]:
        """Small counts for XCom and logs."""
        return {
            "count_routes": self.count_routes,
            "count_messages_sent": len(self.sent),
            "count_messages_failed": len(self.failed),
            "count_stories_sent": sum(d.count_stories for d in self.sent),
            "failed_routes": sorted({d.route for d in self.failed}),
        }


def _backoff(cfg: AlertsConfig, attempts: int) -> timedelta:
    factor: int = 2 ** max(attempts - 1, 0)  # int ** int is typed Any: a negative power is a float
    return min(cfg.retry_base * factor, cfg.retry_max)


def _last_slot(route: Route, now: datetime) -> datetime:
    """The latest digest time at or before ``now``."""
    slots = [
        datetime.combine(now.date() - timedelta(days=back), t) for back in (0, 1) for t in route.digest_at
    ]
    return max(s for s in slots if s <= now)


def _fault(point: str, message: Message | None = None) -> None:
    fault = settings.load().alerts_fault
    if fault == point:
        logger.error("fault injection %s=%s: exiting now", FAULT_ENV, point)
        os._exit(137)
    # pause_after_send:<kind>:<file> (for crash_after_send): announce in <file> and wait to be killed (kill -9 from the test), once a
    # message carrying an alert of <kind> (story, reminder, conflict, revision) got that far
    name, _, rest = fault.partition(":")
    kind, _, marker = rest.partition(":")
    if (
        name == point.replace("crash_", "pause_", 1)
        and message is not None
        and marker
        and any((intel.kind_of(item.alert.story_cluster_id) or "story") == kind for item in message.items)
    ):
        logger.error("fault injection %s=%s: waiting to be killed", FAULT_ENV, fault)
        Path(marker).write_text(str(os.getpid()))
        time.sleep(3600)


def _plan(
    route: Route,
    stories: dict[tuple[str, str], Alert],
    ledger: dict[tuple[str, str], LedgerRow],
    now: datetime,
    last_digest: datetime | None,
) -> list[Message]:
    """The messages a route sends this run: unconfirmed ones again, then new stories and updates."""
    resend: dict[str, list[Item]] = {}
    resend_delivery: dict[str, str] = {}
    fresh: list[Item] = []
    for (cluster, topic), alert in stories.items():
        if topic not in route.topics:
            continue
        row = ledger.get((cluster, topic))
        kind = intel.kind_of(cluster)
        if row is None:
            if kind in intel.UPDATE_ONLY and not route.updates:
                continue
            # New for this route: never delivered to it, whenever it was published.
            if alert.score >= route.min_score and (
                route.since is None or alert.first_seen_at is None or alert.first_seen_at >= route.since
            ):
                fresh.append(Item(alert, kind or "new"))
            continue
        gained = (
            () if row.facts_sent is None else alert.fact_lines(set(alert.fact_keys) - set(row.facts_sent))
        )
        if row.status == "sent":
            if route.updates and gained:
                fresh.append(Item(alert, "update", gained))
            continue
        if row.status == "failed" and row.next_attempt_at is not None and row.next_attempt_at > now:
            continue  # backing off
        item = Item(alert, row.kind or "new", gained if row.kind == "update" else ())
        if row.status == "pending" or row.channels_done:
            # Outcome unknown (a crash) or partly delivered: the very same message again, same key.
            key = row.message_key or ""
            resend.setdefault(key, []).append(item)
            resend_delivery[key] = row.delivery or "immediate"
        else:
            fresh.append(item)
    messages = [Message(route.name, resend_delivery[key], tuple(items), key) for key, items in resend.items()]
    if route.mode == "digest":
        slot = _last_slot(route, now)
        digest_due = last_digest is None or last_digest < slot
        # Updates and intelligence alerts (reminders, disputes, revisions) wait for the next digest slot.
        slotted = ("update", *intel.KINDS)
        due = [
            i
            for i in fresh
            if (i.kind in slotted and digest_due)
            or (i.kind not in slotted and (i.alert.first_seen_at is None or i.alert.first_seen_at < slot))
        ]
        if due:
            messages.append(new_message(route.name, "digest", due))
        return messages
    groups: dict[str, list[Item]] = {}
    for item in fresh:  # a story that matches both topics is one message
        groups.setdefault(item.alert.story_cluster_id, []).append(item)
    story_items = list(groups.values())
    # Resent immediate messages count against this run's flood limit.
    budget = max(0, route.max_immediate - sum(1 for m in messages if m.delivery == "immediate"))
    immediate, rest = story_items[:budget], story_items[budget:]
    messages += [new_message(route.name, "immediate", items) for items in immediate]
    if rest:  # flood control: the rest in one message
        messages.append(new_message(route.name, "digest", [item for items in rest for item in items]))
    return messages


def _stories(con: Any) -> dict[tuple[str, str], Alert]:
    rows = con.execute(
        STORIES.replace("from fct_alert_candidates as stories", "from fct_matching_stories as stories")
    ).fetchall()
    return {(row[0], row[1]): alert_from_row(row) for row in rows}


def _ledger(con: Any, route: str) -> dict[tuple[str, str], LedgerRow]:
    rows = con.execute(LEDGER + " where route = ?", [route]).fetchall()
    return {
        (r[0], r[1]): LedgerRow(
            status=r[3],
            attempts=r[4],
            kind=r[5],
            delivery=r[6],
            message_key=r[7],
            next_attempt_at=r[8],
            channels_done=tuple(r[9]),
            facts_sent=None if r[10] is None else tuple(r[10]),
            sent_at=r[11],
        )
        for r in rows
    }


def _commit(con: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    con.begin()
    try:
        for params in rows:
            con.execute(sql, list(params))
        con.commit()
    except Exception:
        con.rollback()
        raise


def _deliver(
    con: Any,
    cfg: AlertsConfig,
    route: Route,
    targets: Sequence[Channel],
    message: Message,
    done: set[str],
    now: datetime,
) -> Delivery:
    """Claim, send, record: the ledger write order of the module docstring."""
    # (1) claim: pending, attempts + 1, the idempotency key; committed before anything is sent.
    _commit(
        con,
        CLAIM,
        [
            (
                i.alert.story_cluster_id,
                i.alert.topic,
                route.name,
                now,
                i.kind,
                message.delivery,
                message.key,
                now,
                list(i.alert.fact_keys),
            )
            for i in message.items
        ],
    )
    (attempts,) = con.execute(
        "select max(attempts) from alerts where route = ? and message_key = ?", [route.name, message.key]
    ).fetchone()
    delivery = Delivery(route.name, message.kind, message.key, message.title(), len(message.stories))
    errors = []
    # (2) send to each channel that has not confirmed this key; record each acceptance at once.
    for channel in targets:
        if channel.id in done:
            continue
        try:
            channel.send(message)
        except ChannelError as exc:
            errors.append(str(exc))
            continue
        _fault("crash_after_send", message)
        _commit(con, CHANNEL_DONE, [(channel.id, route.name, message.key)])
    # (3) record the outcome.
    if errors:
        delivery.error = "; ".join(errors)[:1000]
        retry_at = now + _backoff(cfg, int(attempts or 1))
        _commit(con, MARK_FAILED, [(delivery.error, retry_at, route.name, message.key)])
        logger.warning(
            "route %s: %s failed (attempt %s, next at %s): %s",
            route.name,
            message.key,
            attempts,
            retry_at.isoformat(),
            delivery.error,
        )
    else:
        _commit(con, MARK_SENT, [(datetime.now(UTC), route.name, message.key)])
        logger.info(
            "route %s: sent %s %s (%d stories)", route.name, message.kind, message.key, len(message.stories)
        )
    return delivery


def send_alerts(
    *,
    config: AlertsConfig | None = None,
    now: datetime | None = None,
    db_path: Path | None = None,
    snapshot_path: Path | None = None,
    resolve_connection: ConnectionResolver | None = None,
    publish: bool = True,
) -> DeliveryReport:
    """Deliver every due alert on every route, as the one writer of the live warehouse.

    A channel that is down does not fail the call: its rows are ``failed`` with the error and a
    ``next_attempt_at``, ``fct_alert_route_health`` shows the route as failing, and a later run
    retries. After any ledger write the snapshot is published, so views and the UI see it.

    Args:
        config: the routes (default: ``load_config()``).
        now: the time to plan with (digest slots, backoff); defaults to the clock.
        db_path: the live warehouse (default ``NEWS_DUCKDB_PATH``).
        snapshot_path: where to publish the snapshot (default ``NEWS_SNAPSHOT_PATH``).
        resolve_connection: conn_id -> Apprise URLs (the DAG passes Airflow connections).
        publish: publish the snapshot after writing the ledger.

    Returns:
        What was sent and what failed.

    Raises:
        ConfigError: the routes file is wrong.
        LoadError: the live warehouse could not be opened.
    """
    cfg = config or load_config(resolve_connection=resolve_connection)
    now = now or datetime.now(UTC)
    now = now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
    report = DeliveryReport(count_routes=len(cfg.routes))
    con = db.connect_live(db_path)
    try:
        migrate.apply(con)
        stories = {**_stories(con), **intel.alerts(con, now)}
        for route in cfg.routes:
            ledger = _ledger(con, route.name)
            digest_row = con.execute(LAST_DIGEST, [route.name]).fetchone()
            assert digest_row is not None  # an aggregate without group by always returns one row
            (last_digest,) = digest_row
            done_by_key: dict[str, set[str]] = {}
            for row in ledger.values():
                if row.message_key and row.status != "sent":
                    done_by_key.setdefault(row.message_key, set()).update(row.channels_done)
            targets = channels(route, cfg.outbox_path)
            for message in _plan(route, stories, ledger, now, last_digest):
                delivery = _deliver(
                    con, cfg, route, targets, message, done_by_key.get(message.key, set()), now
                )
                (report.failed if delivery.error else report.sent).append(delivery)
        con.execute("checkpoint")
    finally:
        con.close()
    if publish and (report.sent or report.failed):
        db.publish_snapshot(db_path=db_path, snapshot_path=snapshot_path)
    return report


def pending_alerts(snapshot_path: Path | None = None) -> list[Alert]:
    """Matching stories no route has sent yet, one per story cluster and topic, oldest first (snapshot)."""
    return [alert_from_row(row) for row in db.query_snapshot(STORIES, snapshot_path=snapshot_path)]


@dataclass(frozen=True)
class RoutePreview:
    route: str
    messages: tuple[Message, ...]

    @property
    def count_alerts(self) -> int:
        """Stories × topics the route's messages carry."""
        return sum(len(m.items) for m in self.messages)


def preview(config: AlertsConfig | None = None, *, now: datetime | None = None,
            snapshot_path: Path | None = None) -> list[RoutePreview]:
    """What each route of the routes file would send now, planned as ``send_alerts`` plans it; nothing is sent.

    Reads the snapshot only (the ledger as last published), so it never waits for or blocks the writer.

    Args:
        config: the routes (default: ``NEWS_ALERTS_FILE``, its channel URLs not resolved).
        now: the time to plan with (digest slots, backoff); defaults to the clock.
        snapshot_path: the snapshot to read (default ``NEWS_SNAPSHOT_PATH``).

    Returns:
        One entry per enabled route, in the file's order; empty without a snapshot.

    Raises:
        ConfigError: the routes file is wrong.
    """
    cfg = config or load_config(resolve_urls=False)
    now = now or datetime.now(UTC)
    now = now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
    with db.snapshot(snapshot_path) as con:
        if con is None:
            return []
        stories = {**_stories(con), **intel.alerts(con, now)}
        planned = []
        for route in cfg.routes:
            digest_row = con.execute(LAST_DIGEST, [route.name]).fetchone()
            last_digest = digest_row[0] if digest_row else None
            messages = _plan(route, stories, _ledger(con, route.name), now, last_digest)
            planned.append(RoutePreview(route.name, tuple(messages)))
    return planned

