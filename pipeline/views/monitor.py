"""The "News monitor" page: what the snapshot holds, for operators, as data and as escaped HTML.

Airflow-free: ``plugins/news_monitor.py`` mounts it in the Airflow API server behind Airflow's own
authentication. It opens the snapshot only, read-only, so the page never blocks the loader.
Every value from the data (titles, evidence, feed errors, URLs) is HTML-escaped, and only
http(s) URLs become links: the text comes from the web.

Given a :class:`FeedbackForm`, each story carries "relevant / not relevant" buttons: a POST form
with a CSRF token bound to the user (:func:`csrf_token`, checked by :func:`csrf_ok`); the plugin
also checks the request's Origin (:func:`same_origin`) and queues the mark like ``newswatch feedback``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import duckdb

from pipeline import settings, sqlfiles
from pipeline.views import evidence
from pipeline.warehouse import db

logger = logging.getLogger(__name__)

STORY_LIMIT = 50
FOLLOWUP_LIMIT = 100
EVIDENCE_PER_STORY = 3
EVIDENCE_CHARS = 400
CSRF_MAX_AGE_S = 12 * 3600


@dataclass(frozen=True)
class Monitor:
    """Everything the page shows; each section is a list of plain dicts."""

    snapshot_path: Path
    snapshot_at: datetime | None
    last_run: dict[str, Any] | None = None
    last_work_run: dict[str, Any] | None = None  # the last run that did work (not a no-op with every count 0)
    stories: list[dict[str, Any]] = field(default_factory=list)
    story_offset: int = 0
    count_stories: int = 0  # matching stories in all (the page shows ``stories``, from ``story_offset``)
    followups: list[dict[str, Any]] = field(default_factory=list)
    reminders: list[dict[str, Any]] = field(
        default_factory=list
    )  # follow-ups with a reminder stage (issue 19)
    feeds: list[dict[str, Any]] = field(default_factory=list)
    alert_routes: list[dict[str, Any]] | None = None  # None: no fct_alert_route_health in this snapshot
    alerts_next: dict[str, Any] | None = None  # None: no fct_alert_candidates in this snapshot

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form of the page's data."""
        data: dict[str, Any] = json.loads(
            json.dumps(
                {
                    "snapshot_path": str(self.snapshot_path),
                    "snapshot_at": self.snapshot_at,
                    "last_run": self.last_run,
                    "last_work_run": self.last_work_run,
                    "health": self.health().to_json(),
                    "stories": self.stories,
                    "story_offset": self.story_offset,
                    "count_stories": self.count_stories,
                    "followups": self.followups,
                    "reminders": self.reminders,
                    "feeds": self.feeds,
                    "alert_routes": self.alert_routes,
                    "alerts_next": self.alerts_next,
                },
                default=str,
            )
        )
        return data

    def health(self) -> Health:
        """The page's status line, as data."""
        return health(self)


@dataclass(frozen=True)
class FeedbackForm:
    """Where the page's feedback buttons post, and the CSRF token they carry."""

    action: str
    csrf_token: str


def csrf_token(key: bytes, user_id: str, now: float | None = None) -> str:
    """A token for the feedback form, bound to one user and signed with ``key``: ``<issued>.<hmac>``.

    A page from another site cannot read it (the same-origin policy), so it cannot forge a POST that
    carries it. It expires after :data:`CSRF_MAX_AGE_S`; bound to the user, not to the login's JWT,
    it survives Airflow refreshing that token.
    """
    issued = str(int(now if now is not None else time.time()))
    return f"{issued}.{_sign(key, user_id, issued)}"


def csrf_ok(key: bytes, user_id: str, token: str | None, now: float | None = None) -> bool:
    """Whether ``token`` is one :func:`csrf_token` made for this user with this key, and is not expired."""
    issued, _, signature = (token or "").partition(".")
    if not issued.isdigit() or not signature:
        return False
    age = (now if now is not None else time.time()) - int(issued)
    return 0 <= age <= CSRF_MAX_AGE_S and hmac.compare_digest(signature, _sign(key, user_id, issued))


def _sign(key: bytes, user_id: str, issued: str) -> str:
    return hmac.new(key, f"news-monitor-feedback\0{user_id}\0{issued}".encode(), hashlib.sha256).hexdigest()


def same_origin(origin: str | None, referer: str | None, host: str | None) -> bool | None:
    """Whether a request came from a page of this server: its Origin (else Referer) names the ``Host`` it was sent to.

    Returns:
        True or False, or None when the request says neither (a script, not a browser form).
    """
    claimed = origin if origin and origin != "null" else referer
    if origin == "null":
        return False  # a sandboxed frame or a data: page
    if not claimed:
        return None
    netloc = urlsplit(claimed).netloc.lower()
    return bool(host) and netloc == (host or "").lower()


def _rows(con: duckdb.DuckDBPyConnection, name: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    return sqlfiles.rows(con, f"monitor/{name}", params or [])


def evidence_list(raw: Any, limit: int = EVIDENCE_PER_STORY) -> list[dict[str, Any]]:
    """The first evidence sentences of a classification (stored as JSON) other than the headline, as ``{text, terms}``."""
    sentences = evidence.decode(raw)
    # The headline is shown already; the page spends its lines on sentences from the text.
    shown = [s for s in sentences if s.field != evidence.FIELD_TITLE] if len(sentences) > 1 else sentences
    # Some "sentences" of official documents are whole paragraphs; the page shows their start.
    return [{"text": evidence.at_word(s.text, EVIDENCE_CHARS), "terms": list(s.terms)} for s in shown[:limit]]


def _optional_rows(con: duckdb.DuckDBPyConnection, name: str) -> list[dict[str, Any]] | None:
    # A snapshot from before alert delivery has no alerts views: None, not an error.
    try:
        return _rows(con, name)
    except duckdb.CatalogException:
        return None


def read(
    snapshot_path: Path | None = None, *, story_limit: int = STORY_LIMIT, story_offset: int = 0
) -> Monitor:
    """Read the page's data from the snapshot (an absent snapshot gives empty sections).

    Args:
        snapshot_path: the snapshot (default ``NEWS_SNAPSHOT_PATH``).
        story_limit: how many of the latest matching stories to show (one page).
        story_offset: how many of the latest to skip (the page's "older stories" link).

    Returns:
        The page's data.
    """
    path = snapshot_path or settings.load().snapshot_path
    with db.snapshot(path) as con:
        if con is None:
            return Monitor(snapshot_path=path, snapshot_at=None)
        snapshot_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        stories = _rows(con, "latest_stories", [story_limit, story_offset])
        total = (
            stories[0]["count_total"]
            if stories
            else int(con.execute("select count(*) from fct_matching_stories").fetchone()[0])  # type: ignore[index]
        )
        for story in stories:
            story["evidence"] = evidence_list(story.pop("evidence"))
            story.pop("count_total")
        runs = _rows(con, "last_run")
        worked = _rows(con, "last_work_run")
        waiting = _optional_rows(con, "alerts_next")
        return Monitor(
            snapshot_path=path,
            snapshot_at=snapshot_at,
            last_run=runs[0] if runs else None,
            last_work_run=worked[0] if worked else None,
            stories=stories,
            story_offset=story_offset,
            count_stories=total,
            followups=_rows(con, "followups_due", [FOLLOWUP_LIMIT]),
            reminders=_rows(con, "reminders")[:FOLLOWUP_LIMIT],
            feeds=_rows(con, "feed_health"),
            alert_routes=_optional_rows(con, "alert_routes"),
            alerts_next=waiting[0] if waiting else None,
        )


# -- Health: the status line at the top of the page ----------------------------------------

HEALTH_NAMES = 4  # feeds or routes named in the status line; the rest are counted


@dataclass(frozen=True)
class Health:
    """The status line: ``level`` is ok, attention (stalled feeds) or failing; ``parts`` its segments in order."""

    level: str
    parts: tuple[tuple[str, str], ...]  # (key, plain text): run, feeds, routes, alerts

    def text(self) -> str:
        return " · ".join(text for _, text in self.parts)

    def to_json(self) -> dict[str, Any]:
        return {"level": self.level, "text": self.text(), "parts": [list(part) for part in self.parts]}


def _names(rows: list[dict[str, Any]], key: str) -> str:
    names = [str(r[key]) for r in rows[:HEALTH_NAMES]]
    more = len(rows) - len(names)
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def is_degraded(run: dict[str, Any]) -> bool:
    """Whether a run fetched no page at all though new items came in (or ``runs`` itself marks it degraded)."""
    for flag in ("is_degraded", "degraded"):  # the loader's own mark, where the snapshot has one
        if run.get(flag) is not None:
            return bool(run[flag])
    return bool(run.get("is_pages_down"))


def _run_part(monitor: Monitor) -> tuple[str, bool]:
    run, latest = monitor.last_work_run, monitor.last_run
    if run is None:
        return "No run has done any work yet", False
    degraded = is_degraded(run)
    counts = ", ".join(_plain_counts(run))
    text = (
        f"Last run that did work: {run['run_id']} ({'DEGRADED: no page could be fetched' if degraded else run['status']}"
        f"), loaded {_plain_when(run['loaded_at'])}: {counts}"
    )
    if latest is not None and latest["run_id"] != run["run_id"]:
        text += f" (latest: {latest['run_id']} at {_plain_when(latest['loaded_at'])}, nothing to do)"
    return text, degraded or run["status"] != "success"


def health(monitor: Monitor) -> Health:
    """The page's status line: the last run that did work, failing and stalled feeds and routes, the next alerts."""
    run_text, run_bad = _run_part(monitor)
    parts = [("run", run_text)]
    failing = [f for f in monitor.feeds if f["health"] == "failing"]
    stalled = [f for f in monitor.feeds if f["health"] == "stalled"]
    feeds = []
    if failing:
        feeds.append(f"{len(failing)} failing ({_names(failing, 'name')})")
    if stalled:
        feeds.append(f"{len(stalled)} stalled ({_names(stalled, 'name')})")
    ok = len(monitor.feeds) - len(failing) - len(stalled)
    parts.append(
        ("feeds", f"Feeds: {'; '.join(feeds + [f'{ok} fine'])}" if monitor.feeds else "Feeds: none yet")
    )
    routes = monitor.alert_routes
    if routes is None:
        parts.append(("routes", "Alert routes: no delivery yet"))
    elif routes:
        parts.append(("routes", f"Alert routes: {len(routes)} failing ({_names(routes, 'route')})"))
    else:
        parts.append(("routes", "Alert routes: none failing"))
    waiting = monitor.alerts_next
    if waiting is not None:
        if waiting["count_stories"]:
            parts.append(
                (
                    "alerts",
                    f"Next alerts run: {waiting['count_stories']} stories not sent yet, the best "
                    f"{inert_title(waiting['top_title'])} ({waiting['top_score']:.2f})",
                )
            )
        else:
            parts.append(("alerts", "Next alerts run: nothing new to send"))
    level = "failing" if run_bad or failing or routes else "attention" if stalled else "ok"
    return Health(level=level, parts=tuple(parts))


def inert_title(title: Any, width: int = 90) -> str:
    """A story title for the status line: quoted, on one line, cut at a word."""
    return f"“{evidence.at_word(str(title or ''), width)}”"


def _plain_when(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


def _plain_counts(run: dict[str, Any]) -> list[str]:
    # The run's non-zero count_* columns in query order, its per-topic counts (relevant) where they stand.
    counts = []
    for key, value in run.items():
        if key == "relevant":
            counts += [f"relevant {t['topic']} {t['count_relevant']}" for t in value if t["count_relevant"]]
        elif key.startswith("count_") and value:
            counts.append(f"{key.removeprefix('count_').replace('_', ' ')} {value}")
    return counts


# -- HTML ---------------------------------------------------------------------------------

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.2rem;color:#1f2933;background:#fff}
h1{font-size:1.4rem;margin:0 0 .3rem}h2{font-size:1.1rem;margin:1.6rem 0 .5rem}
.meta{color:#52606d;font-size:.85rem}table{border-collapse:collapse;width:100%;font-size:.85rem}
th,td{border-bottom:1px solid #e4e7eb;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f5f7fa;font-weight:600}.num{text-align:right;white-space:nowrap}
.badge{display:inline-block;padding:.05rem .45rem;border-radius:.6rem;font-size:.75rem;font-weight:600}
.failing,.overdue{background:#fde2e1;color:#a61b1b}.stalled,.degraded,.due_this_week{background:#fff3c4;color:#8d5b00}
.ok{background:#e3f9e5;color:#1f7a35}.topic{background:#e0e8f9;color:#2d3a8c}
.evidence{margin:.2rem 0 0;padding-left:1rem;color:#3e4c59}.terms{color:#7b8794;font-size:.75rem}
.empty{color:#7b8794;font-style:italic}
.health{display:block;margin:.4rem 0 .6rem;padding:.45rem .7rem;border-radius:.4rem;font-size:.85rem;line-height:1.5;
border-left:.35rem solid #1f7a35;background:#f3fbf4}.health.attention{border-color:#c48b00;background:#fffbea}
.health.failing{border-color:#a61b1b;background:#fff5f5}.health .part{display:inline}
.health .part+.part::before{content:" · ";color:#7b8794}
details summary{cursor:pointer;color:#52606d;font-size:.78rem}
.mark{display:inline;margin:0 .3rem 0 0}.mark button{font-size:.72rem;padding:.05rem .4rem;cursor:pointer}
"""


def _e(value: Any) -> str:
    return "" if value is None else escape(str(value), quote=True)


def _link(url: Any, text: Any) -> str:
    # Only http(s) URLs become links; anything else (javascript:, data:) stays inert text.
    if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
        return f'<a href="{_e(url)}" target="_blank" rel="noopener noreferrer">{_e(text)}</a>'
    return _e(text)


def _when(value: Any) -> str:
    if isinstance(value, datetime):
        return _e(value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    return _e(value)


def _badge(value: Any, kind: str | None = None) -> str:
    return f'<span class="badge {_e(kind or value)}">{_e(value)}</span>'


def _table(headers: list[str], rows: list[str], empty: str) -> str:
    if not rows:
        return f'<p class="empty">{_e(empty)}</p>'
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _amount(value: Any, currency: Any) -> str:
    if value is None:
        return ""
    return _e(
        f"{value:,.0f} {currency or ''}".strip() if isinstance(value, int | float) else f"{value} {currency}"
    )


def _mark_buttons(story: dict[str, Any], form: FeedbackForm | None) -> str:
    """The story's "relevant / not relevant" buttons for its topic (POST, with the CSRF token)."""
    if form is None or not story.get("article_id"):
        return ""
    fields = (
        f'<input type=hidden name=csrf_token value="{_e(form.csrf_token)}">'
        f'<input type=hidden name=article_id value="{_e(story["article_id"])}">'
        f'<input type=hidden name=topic value="{_e(story["topic"])}">'
    )
    return "".join(
        f'<form class=mark method=post action="{_e(form.action)}">{fields}'
        f"<button type=submit name=verdict value={value}>{label}</button></form>"
        for value, label in (("relevant", "relevant"), ("not_relevant", "not relevant"))
    )


def _stories(stories: list[dict[str, Any]], form: FeedbackForm | None = None) -> str:
    rows = []
    for s in stories:
        items = "".join(
            f"<li>{_e(ev['text'])}{' <span class=terms>[' + _e(', '.join(ev['terms'])) + ']</span>' if ev['terms'] else ''}</li>"
            for ev in s["evidence"]
        )
        # Collapsed: a story is one line until its reader opens the evidence.
        evidence = (
            f"<details><summary>evidence ({len(s['evidence'])})</summary><ul class=evidence>{items}</ul>"
            "</details>"
            if items
            else ""
        )
        score = f"{s['score']:.2f}" if s["score"] is not None else ""
        cells = [
            _when(s["published_at"]),
            _badge(s["topic"], "topic"),
            _e(score),
            f"<strong>{_link(s['url'], s['title'] or s['url'])}</strong>{evidence}",
            _e(s["source_domain"]),
            _e(s["count_articles"]),
        ]
        rows.append(_row(*cells, *([_mark_buttons(s, form)] if form else []), num=(2, 5)))
    headers = ["published", "topic", "score", "story and evidence", "source", "copies"]
    return _table(
        headers + (["teach the classifier"] if form else []), rows, "No matching stories in the snapshot yet."
    )


def _row(*cells: str, num: tuple[int, ...] = ()) -> str:
    """One table row of already escaped cells; the cells at the ``num`` positions align right."""
    return (
        "<tr>"
        + "".join(f"<td{' class=num' if i in num else ''}>{c}</td>" for i, c in enumerate(cells))
        + "</tr>"
    )


def _followups(followups: list[dict[str, Any]]) -> str:
    rows = [
        _row(
            _badge(f["bucket"]),
            _e(f["due_date"]),
            f"{_e(f['event_type'])} ({_e(f['fact_status'])})",
            _e(f["participants"]),
            _e(f["subject"]),
            _amount(f["amount_value"], f["amount_currency"]),
            _link(f["opened_url"], f["opened_title"] or f["opened_url"]),
            num=(5,),
        )
        for f in followups
    ]
    return _table(
        ["", "due", "event", "participants", "subject", "amount", "reported in"],
        rows,
        "Nothing is due or overdue.",
    )


def _reminders(reminders: list[dict[str, Any]]) -> str:
    """Reminder state: the stage a follow-up reached, when, and on how many alert routes it was sent."""
    rows = [
        _row(
            _badge(r["reminder_stage"].replace("_", " "), r["reminder_stage"]),
            _e(r["due_date"]),
            _e(r["subject"]),
            _when(r["reminder_reached_at"]),
            _when(r["reminder_sent_at"]) if r["reminder_sent_at"] else "not sent yet",
            _e(r["count_reminder_routes"]),
            _link(r["opened_url"], r["opened_title"] or r["opened_url"]),
            num=(5,),
        )
        for r in reminders
    ]
    return _table(
        ["stage", "due", "subject", "reached", "sent", "routes", "reported in"],
        rows,
        "No follow-up has reached a reminder yet.",
    )


def _feeds(feeds: list[dict[str, Any]]) -> str:
    rows = [
        _row(
            _link(f["feed_url"], f["name"] or f["feed_url"]),
            _badge(f["health"]),
            _e(f["last_status"]) + (f" (HTTP {_e(f['last_http_status'])})" if f["last_http_status"] else ""),
            _e(f["consecutive_failures"]),
            _e(f["last_error"]),
            _when(f["last_success_at"]),
            _when(f["last_new_item_at"]),
            num=(3,),
        )
        for f in feeds
    ]
    return _table(
        ["feed", "health", "last fetch", "failures in a row", "last error", "last success", "last new item"],
        rows,
        "No feeds in the snapshot yet.",
    )


def _routes(routes: list[dict[str, Any]] | None) -> str:
    if routes is None:
        return ""
    rows = [_row(_e(r["route"]), _badge("failing"), _e(r["last_error"])) for r in routes]
    return "<h2>Failing alert routes</h2>" + _table(
        ["route", "health", "last error"], rows, "Every alert route delivers."
    )


def _health(health: Health) -> str:
    """The status line: one block at the top, each segment escaped; its level colours it."""
    parts = "".join(f'<span class="part {_e(key)}">{_e(text)}</span>' for key, text in health.parts)
    return (
        f'<section id=health class="health {_e(health.level)}" aria-label="Health">'
        f"{_badge(health.level)} {parts}</section>"
    )


def _pager(monitor: Monitor) -> str:
    """Where this page of stories stands among them all, with links to the newer and older pages."""
    shown = len(monitor.stories)
    if not monitor.count_stories or not shown:
        return ""
    first, last, size = monitor.story_offset + 1, monitor.story_offset + shown, max(shown, 1)
    links = []
    if monitor.story_offset > 0:
        links.append(f'<a href="?offset={max(0, monitor.story_offset - size)}&amp;limit={size}">newer</a>')
    if last < monitor.count_stories:
        links.append(f'<a href="?offset={last}&amp;limit={size}">older</a>')
    return (
        f'<p class="meta pager">Stories {first}–{last} of {monitor.count_stories}'
        f"{' · ' + ' · '.join(links) if links else ''}</p>"
    )


def render_html(monitor: Monitor, feedback: FeedbackForm | None = None) -> str:
    """The page as one self-contained, escaped HTML document; with ``feedback``, stories have mark buttons."""
    if monitor.snapshot_at is None:
        body = (
            f'<p class="empty">No snapshot at {_e(monitor.snapshot_path)} yet: run the news_ingest DAG '
            "(or <code>newswatch run</code>) first.</p>"
        )
    else:
        body = (
            f'<p class="meta">Snapshot {_e(monitor.snapshot_path)}, published {_when(monitor.snapshot_at)}. '
            "Read-only; refresh after the next run.</p>"
            f"<h2>Follow-ups due and overdue</h2>{_followups(monitor.followups)}"
            f"<h2>Reminders</h2>{_reminders(monitor.reminders)}"
            f"<h2>Latest matching stories</h2>{_pager(monitor)}{_stories(monitor.stories, feedback)}"
            f"{_pager(monitor)}"
            f"<h2>Feed health</h2>{_feeds(monitor.feeds)}{_routes(monitor.alert_routes)}"
        )
        body = _health(monitor.health()) + body
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width, initial-scale=1'>"
        f"<title>News monitor</title><style>{STYLE}</style></head>"
        f"<body><h1>News monitor</h1>{body}</body></html>"
    )


def render_notice(title: str, message: str, back: str = "./") -> str:
    """A short escaped page (after a feedback mark, or why one was refused) with a link back to the monitor."""
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{_e(title)}</title><style>{STYLE}</style></head>"
        f'<body><h1>{_e(title)}</h1><p>{_e(message)}</p><p><a href="{_e(back)}">Back to the News monitor</a></p>'
        "</body></html>"
    )
