"""A static HTML report for people who would rather look than query: ``newswatch report``.

One self-contained file (Plotly's JavaScript is embedded once, so it opens offline) with four
charts (topic volume over time, top entities per topic, the follow-up calendar, amounts by event
type) and the latest matching stories with their evidence. It reads the snapshot read-only; the
queries live in ``sql/report/``, one per file.
"""

from __future__ import annotations

import html
import logging
import re
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from pipeline import settings, sqlfiles
from pipeline.errors import StorageError
from pipeline.views import evidence
from pipeline.warehouse import db

logger = logging.getLogger(__name__)

CHART_HEIGHT = 420
PLOT_CONFIG = {"displaylogo": False, "responsive": True}
BUCKET_COLOURS = {"overdue": "#d62728", "due_this_week": "#ff7f0e", "open": "#1f77b4",
                  "resolved": "#2ca02c", "cancelled": "#7f7f7f"}
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; color: #222; }
h1 { margin-bottom: 0.2rem; } .meta { color: #666; margin-top: 0; }
section { margin: 2rem 0; } .chart { min-height: 420px; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.4rem; text-align: left; vertical-align: top; }
mark { background: #fff2a8; } .terms { color: #555; font-size: 0.8rem; } ul.evidence { margin: 0.2rem 0 0 1rem; }
"""


def _query(con: duckdb.DuckDBPyConnection, name: str) -> list[dict[str, Any]]:
    return sqlfiles.rows(con, f"report/{name}")


def _layout(fig: go.Figure, title: str, **extra: Any) -> go.Figure:
    fig.update_layout(title=title, height=CHART_HEIGHT, template="plotly_white",
                      margin={"l": 60, "r": 20, "t": 60, "b": 60}, **extra)
    return fig


def _empty(title: str, message: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, title)


def _grouped(rows: list[dict[str, Any]], key: str) -> list[tuple[str, list[dict[str, Any]]]]:
    """The rows grouped by ``row[key]``, groups sorted by that value: one chart series each."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[row[key]].append(row)
    return sorted(groups.items())


def _bars(rows: list[dict[str, Any]], *, by: str, x: str, y: Callable[[dict[str, Any]], Any], count: str,
          hover: str) -> list[go.Bar]:
    """One bar series per value of ``by``; ``count`` is shown in the hover text as ``%{customdata}``."""
    return [go.Bar(name=name, x=[r[x] for r in items], y=[y(r) for r in items], customdata=[r[count] for r in items],
                   hovertemplate=f"{hover}<extra>{name}</extra>")
            for name, items in _grouped(rows, by)]


def topic_volume_chart(rows: list[dict[str, Any]]) -> go.Figure:
    """Relevant articles per month, one bar series per topic."""
    title = "Topic volume: relevant articles per month"
    if not rows:
        return _empty(title, "no relevant articles yet")
    fig = go.Figure(_bars(rows, by="topic", x="month", y=lambda r: r["count_articles"], count="count_stories",
                          hover="%{x|%b %Y}<br>%{y} articles, %{customdata} stories"))
    return _layout(fig, title, barmode="group", xaxis_title="month", yaxis_title="articles")


def top_entities_chart(rows: list[dict[str, Any]]) -> go.Figure:
    """The entities in most relevant articles, one panel per topic."""
    title = "Top entities per topic (relevant articles mentioning them)"
    if not rows:
        return _empty(title, "no entities in relevant articles yet")
    topics = sorted({r["topic"] for r in rows})
    fig = make_subplots(rows=1, cols=len(topics), subplot_titles=topics, horizontal_spacing=0.25)
    for col, topic in enumerate(topics, 1):
        items = [r for r in rows if r["topic"] == topic][::-1]  # largest at the top
        fig.add_trace(go.Bar(
            x=[r["count_articles"] for r in items], y=[r["entity_name"] for r in items], orientation="h",
            name=topic, customdata=[[r["entity_type"], r["count_mentions"]] for r in items],
            hovertemplate="%{y} (%{customdata[0]})<br>%{x} articles, %{customdata[1]} mentions<extra></extra>",
        ), row=1, col=col)
    return _layout(fig, title, showlegend=False)


def followup_calendar_chart(rows: list[dict[str, Any]], today: date) -> go.Figure:
    """Dated follow-ups on a time axis, coloured by bucket (overdue, due this week, open, ...)."""
    title = "Follow-up calendar (dated follow-ups; today marked)"
    dated = [r for r in rows if r["due_date"] is not None]
    if not dated:
        return _empty(title, "no follow-up has a due date yet")
    fig = go.Figure([
        go.Scatter(
            name=bucket, mode="markers", x=[r["due_date"] for r in items],
            y=[evidence.one_line(r["subject"] or r["event_type"], 50) for r in items],
            marker={"size": 14, "color": BUCKET_COLOURS.get(bucket, "#444")},
            customdata=[[r["participants"], r["fact_status"]] for r in items],
            hovertemplate="%{x}: %{y}<br>%{customdata[0]} (%{customdata[1]})<extra>" + bucket + "</extra>",
        )
        for bucket, items in _grouped(dated, "bucket")
    ])
    fig.add_shape(type="line", x0=today, x1=today, y0=0, y1=1, yref="paper", line={"dash": "dot", "color": "#999"})
    return _layout(fig, title, xaxis_title="due date", showlegend=True)


def amounts_chart(rows: list[dict[str, Any]]) -> go.Figure:
    """Money in the facts ledger, in billions of US dollars, stacked by reported status."""
    title = "Amounts by event type (US$ billions, by reported status)"
    if not rows:
        return _empty(title, "no amounts in the facts ledger yet")
    fig = go.Figure(_bars(rows, by="status", x="event_type", y=lambda r: r["amount_usd"] / 1e9, count="count_facts",
                          hover="%{x}: US$%{y:,.1f} bn in %{customdata} facts"))
    return _layout(fig, title, barmode="stack", yaxis_title="US$ billions")


def highlight(sentence: str, terms: list[str]) -> str:
    """Escape ``sentence`` for HTML and wrap each literal occurrence of a term in <mark>."""
    literal = sorted({t for t in terms if t and t.lower() in sentence.lower()}, key=len, reverse=True)
    if not literal:
        return html.escape(sentence)
    pattern = re.compile("|".join(re.escape(t) for t in literal), re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(sentence):
        out.append(html.escape(sentence[last:match.start()]))
        out.append(f"<mark>{html.escape(match.group(0))}</mark>")
        last = match.end()
    out.append(html.escape(sentence[last:]))
    return "".join(out)


def _copies(count: int) -> str:
    return "1 copy" if count == 1 else f"{count} copies"


def _link(url: str | None, text: str) -> str:
    if url and url.lower().startswith(("http://", "https://")):
        return f'<a href="{html.escape(url, quote=True)}" rel="noopener noreferrer">{html.escape(text)}</a>'
    return html.escape(text)


def stories_table(rows: list[dict[str, Any]]) -> str:
    """The latest matching stories as an HTML table; every value from the data is escaped."""
    if not rows:
        return "<p>No matching stories yet.</p>"
    body = []
    for r in rows:
        terms = list(r["evidence_terms"] or [])
        sentences = "".join(f"<li>{highlight(evidence.one_line(s, 400), terms)}</li>" for s in (r["evidence_sentences"] or [])[:3])
        published = r["published_at"].date().isoformat() if r["published_at"] else ""
        body.append(
            "<tr>"
            f"<td>{html.escape(published)}</td><td>{html.escape(r['topic'])}</td><td>{r['score']:.2f}</td>"
            f"<td>{_link(r['url'], r['title'] or r['url'] or '')}<br>"
            f"<span class=\"terms\">{html.escape(r['source_domain'] or '')} · {_copies(r['count_articles'])} · "
            f"terms: {html.escape(', '.join(terms))}</span><ul class=\"evidence\">{sentences}</ul></td>"
            "</tr>"
        )
    return ("<table><thead><tr><th>published</th><th>topic</th><th>score</th><th>story and evidence</th></tr>"
            f"</thead><tbody>{''.join(body)}</tbody></table>")


def undated_followups(rows: list[dict[str, Any]]) -> str:
    undated = [r for r in rows if r["due_date"] is None and r["bucket"] in ("open", "overdue")]
    if not undated:
        return ""
    items = "".join(
        f"<li>{html.escape(r['event_type'])} ({html.escape(r['fact_status'])}): {html.escape(r['subject'] or '')}"
        f" <span class=\"terms\">{html.escape(r['participants'] or '')}</span></li>" for r in undated
    )
    return f"<details><summary>{len(undated)} open follow-ups without a due date</summary><ul>{items}</ul></details>"


def _run_line(run: dict[str, Any]) -> str:
    # The header's run: id, time, status and the new relevant articles of each topic it counted.
    relevant = ", ".join(f"{html.escape(str(t['topic']))} {t['count_relevant']}" for t in run["relevant"])
    return (f"last run {html.escape(str(run['run_id']))} at {run['loaded_at']:%Y-%m-%d %H:%M} UTC "
            f"({html.escape(str(run['status']))})" + (f", new relevant articles: {relevant}" if relevant else ""))


def render(con: duckdb.DuckDBPyConnection, *, source: str, today: date | None = None) -> str:
    """The report's HTML, from a connection to a warehouse (snapshot) with the analyst views."""
    today = today or datetime.now(UTC).date()
    followups = _query(con, "followup_calendar")
    charts = [
        ("topic-volume", topic_volume_chart(_query(con, "topic_volume_monthly")), ""),
        ("top-entities", top_entities_chart(_query(con, "top_entities_per_topic")), ""),
        ("followup-calendar", followup_calendar_chart(followups, today), undated_followups(followups)),
        ("amounts", amounts_chart(_query(con, "amounts_by_event_type")), ""),
    ]
    runs = sqlfiles.rows(con, "monitor/last_run")  # the same latest run the News monitor page shows
    run_line = _run_line(runs[0]) if runs else "no run loaded yet"
    sections = "".join(
        f'<section id="{div_id}">'
        + fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"chart-{div_id}", config=PLOT_CONFIG,
                      default_height=f"{CHART_HEIGHT}px")
        + extra + "</section>"
        for div_id, fig, extra in charts
    )
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>newswatch report</title>"
        f"<style>{STYLE}</style>"
        # Plotly's bundle, once, inline: the file must open offline and be mailed as one attachment.
        f"<script type=\"text/javascript\">{get_plotlyjs()}</script>"
        "</head><body>"
        "<h1>newswatch report</h1>"
        f"<p class=\"meta\">Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC from {html.escape(source)}; {run_line}.</p>"
        f"{sections}"
        f"<section id=\"stories\"><h2>Latest matching stories</h2>{stories_table(_query(con, 'latest_stories'))}</section>"
        "</body></html>\n"
    )


def write_report(out: Path | None = None, db_path: Path | None = None) -> Path:
    """Render the report from the snapshot (or ``db_path``) into one HTML file.

    Args:
        out: the file to write (default ``$NEWS_DATA_DIR/report.html``).
        db_path: the database to read (default: the snapshot).

    Returns:
        The path written.

    Raises:
        StorageError: there is no database at ``db_path`` yet.
    """
    cfg = settings.load()
    path = db_path or cfg.snapshot_path
    if not path.exists():
        raise StorageError(f"{path} does not exist yet: run `newswatch run` or `newswatch demo` first")
    target = out or cfg.data_dir / "report.html"
    with db.snapshot(path) as con:  # an unreadable snapshot is rebuilt from the live warehouse first
        if con is None:
            raise StorageError(f"{path} does not exist yet: run `newswatch run` or `newswatch demo` first")
        page = render(con, source=str(path))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(target)
    logger.info("report written to %s", target)
    return target
