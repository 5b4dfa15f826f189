"""The "News monitor" page: what the snapshot holds, for operators, as data and as escaped HTML.

Airflow-free: ``plugins/news_monitor.py`` mounts it in the Airflow API server behind Airflow's own
authentication. It opens the snapshot only, read-only, so the page never blocks the loader.
Every value from the data (titles, evidence, feed errors, URLs) is HTML-escaped, and only
http(s) URLs become links: the text comes from the web.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

import duckdb

from pipeline import settings, sqlfiles
from pipeline.views import evidence
from pipeline.warehouse import db

logger = logging.getLogger(__name__)

STORY_LIMIT = 50
FOLLOWUP_LIMIT = 100
EVIDENCE_PER_STORY = 3
EVIDENCE_CHARS = 400


@dataclass(frozen=True)
class Monitor:
    """Everything the page shows; each section is a list of plain dicts."""

    snapshot_path: Path
    snapshot_at: datetime | None
    last_run: dict[str, Any] | None = None
    stories: list[dict[str, Any]] = field(default_factory=list)
    followups: list[dict[str, Any]] = field(default_factory=list)
    feeds: list[dict[str, Any]] = field(default_factory=list)
    alert_routes: list[dict[str, Any]] | None = None  # None: no fct_alert_route_health in this snapshot

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form of the page's data."""
        data: dict[str, Any] = json.loads(json.dumps({
            "snapshot_path": str(self.snapshot_path), "snapshot_at": self.snapshot_at,
            "last_run": self.last_run, "stories": self.stories, "followups": self.followups,
            "feeds": self.feeds, "alert_routes": self.alert_routes,
        }, default=str))
        return data


def _rows(con: duckdb.DuckDBPyConnection, name: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    return sqlfiles.rows(con, f"monitor/{name}", params or [])


def evidence_list(raw: Any, limit: int = EVIDENCE_PER_STORY) -> list[dict[str, Any]]:
    """The first evidence sentences of a classification (stored as JSON) other than the headline, as ``{text, terms}``."""
    sentences = evidence.decode(raw)
    # The headline is shown already; the page spends its lines on sentences from the text.
    shown = [s for s in sentences if s.field != evidence.FIELD_TITLE] if len(sentences) > 1 else sentences
    return [{"text": _clip(s.text), "terms": list(s.terms)} for s in shown[:limit]]


def _clip(text: str) -> str:
    # Some "sentences" of official documents are whole paragraphs; the page shows their start.
    text = " ".join(text.split())
    return text if len(text) <= EVIDENCE_CHARS else text[:EVIDENCE_CHARS - 1].rsplit(" ", 1)[0] + " …"


def read(snapshot_path: Path | None = None, *, story_limit: int = STORY_LIMIT) -> Monitor:
    """Read the page's data from the snapshot (an absent snapshot gives empty sections).

    Args:
        snapshot_path: the snapshot (default ``NEWS_SNAPSHOT_PATH``).
        story_limit: how many of the latest matching stories to show.

    Returns:
        The page's data.
    """
    path = snapshot_path or settings.load().snapshot_path
    with db.snapshot(path) as con:
        if con is None:
            return Monitor(snapshot_path=path, snapshot_at=None)
        snapshot_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        stories = _rows(con, "latest_stories", [story_limit])
        for story in stories:
            story["evidence"] = evidence_list(story["evidence"])
        runs = _rows(con, "last_run")
        try:
            routes: list[dict[str, Any]] | None = _rows(con, "alert_routes")
        except duckdb.CatalogException:
            routes = None
        return Monitor(snapshot_path=path, snapshot_at=snapshot_at, last_run=runs[0] if runs else None,
                       stories=stories, followups=_rows(con, "followups_due", [FOLLOWUP_LIMIT]),
                       feeds=_rows(con, "feed_health"), alert_routes=routes)


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
    return _e(f"{value:,.0f} {currency or ''}".strip() if isinstance(value, int | float) else f"{value} {currency}")


def _stories(stories: list[dict[str, Any]]) -> str:
    rows = []
    for s in stories:
        evidence = "".join(
            f'<li>{_e(ev["text"])}{" <span class=terms>[" + _e(", ".join(ev["terms"])) + "]</span>" if ev["terms"] else ""}</li>'
            for ev in s["evidence"])
        score = f"{s['score']:.2f}" if s["score"] is not None else ""
        rows.append(_row(_when(s["published_at"]), _badge(s["topic"], "topic"), _e(score),
                         f"<strong>{_link(s['url'], s['title'] or s['url'])}</strong><ul class=evidence>{evidence}</ul>",
                         _e(s["source_domain"]), _e(s["count_articles"]), num=(2, 5)))
    return _table(["published", "topic", "score", "story and evidence", "source", "copies"], rows,
                  "No matching stories in the snapshot yet.")


def _row(*cells: str, num: tuple[int, ...] = ()) -> str:
    """One table row of already escaped cells; the cells at the ``num`` positions align right."""
    return "<tr>" + "".join(f"<td{' class=num' if i in num else ''}>{c}</td>" for i, c in enumerate(cells)) + "</tr>"


def _followups(followups: list[dict[str, Any]]) -> str:
    rows = [_row(_badge(f["bucket"]), _e(f["due_date"]), f"{_e(f['event_type'])} ({_e(f['fact_status'])})",
                 _e(f["participants"]), _e(f["subject"]), _amount(f["amount_value"], f["amount_currency"]),
                 _link(f["opened_url"], f["opened_title"] or f["opened_url"]), num=(5,))
            for f in followups]
    return _table(["", "due", "event", "participants", "subject", "amount", "reported in"], rows,
                  "Nothing is due or overdue.")


def _feeds(feeds: list[dict[str, Any]]) -> str:
    rows = [_row(_link(f["feed_url"], f["name"] or f["feed_url"]), _badge(f["health"]),
                 _e(f["last_status"]) + (f" (HTTP {_e(f['last_http_status'])})" if f["last_http_status"] else ""),
                 _e(f["consecutive_failures"]), _e(f["last_error"]), _when(f["last_success_at"]),
                 _when(f["last_new_item_at"]), num=(3,))
            for f in feeds]
    return _table(["feed", "health", "last fetch", "failures in a row", "last error", "last success", "last new item"],
                  rows, "No feeds in the snapshot yet.")


def _routes(routes: list[dict[str, Any]] | None) -> str:
    if routes is None:
        return ""
    rows = [_row(_e(r["route"]), _badge("failing"), _e(r["last_error"])) for r in routes]
    return "<h2>Failing alert routes</h2>" + _table(["route", "health", "last error"], rows,
                                                     "Every alert route delivers.")


def _run_counts(run: dict[str, Any]) -> list[str]:
    # The run's count_* columns in query order; its per-topic counts (relevant) where they stand.
    counts = []
    for key, value in run.items():
        if key == "relevant":
            counts += [f"relevant_{_e(t['topic'])} {_e(t['count_relevant'])}" for t in value]
        elif key.startswith("count_"):
            counts.append(f"{_e(key.removeprefix('count_'))} {_e(value)}")
    return counts


def _last_run(run: dict[str, Any] | None) -> str:
    if not run:
        return ""
    counts = ", ".join(_run_counts(run))
    return (f'<p class="meta">Last run <strong>{_e(run["run_id"])}</strong> ({_e(run["status"])}), loaded '
            f"{_when(run['loaded_at'])}: {counts}</p>")


def render_html(monitor: Monitor) -> str:
    """The page as one self-contained, escaped HTML document."""
    if monitor.snapshot_at is None:
        body = (f'<p class="empty">No snapshot at {_e(monitor.snapshot_path)} yet: run the news_ingest DAG '
                "(or <code>newswatch run</code>) first.</p>")
    else:
        body = (f'<p class="meta">Snapshot {_e(monitor.snapshot_path)}, published {_when(monitor.snapshot_at)}. '
                "Read-only; refresh after the next run.</p>"
                f"{_last_run(monitor.last_run)}"
                f"<h2>Latest matching stories</h2>{_stories(monitor.stories)}"
                f"<h2>Follow-ups due and overdue</h2>{_followups(monitor.followups)}"
                f"<h2>Feed health</h2>{_feeds(monitor.feeds)}{_routes(monitor.alert_routes)}")
    return ("<!doctype html><html lang=en><head><meta charset=utf-8>"
            "<meta name=viewport content='width=device-width, initial-scale=1'>"
            f"<title>News monitor</title><style>{STYLE}</style></head>"
            f"<body><h1>News monitor</h1>{body}</body></html>")
