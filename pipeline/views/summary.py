"""What a run left in the warehouse, read from the snapshot, for the demo and ``newswatch status``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import settings, sqlfiles
from pipeline.classify import config
from pipeline.views import evidence
from pipeline.warehouse import db

# One score column per topic of the topic config, in its order: "0.91 ✓" when relevant.
TOPIC_COLUMN = """
    max(format('{{:.2f}}{{}}', c.score, case when c.is_relevant then ' ✓' else '' end))
        filter (where c.topic = ?) as "{column}","""
STORIES = """
with matching as (
    select distinct article_id from fct_matching_stories
)

select
    articles.title,
    strftime(articles.published_at, '%Y-%m-%d') as published,
    articles.source_domain as source,{topic_columns}
    arg_max(c.evidence, c.score) filter (where c.is_relevant) as evidence
from matching
inner join articles using (article_id)
inner join classifications as c using (article_id)
group by articles.article_id, articles.title, articles.published_at, articles.source_domain
order by max(c.score) desc, published desc
"""
FACTS = """
select event_type, status, event_date, array_to_string(participants, ', ') as participants,
       case when amount_value is not null then format('{:,.0f} {}', amount_value, amount_currency) end as amount,
       percent, subject, count_mentions as mentions
from fct_facts
order by count_mentions desc, amount_value desc nulls last, event_date desc nulls last
limit ?
"""
FOLLOWUPS = """
select due_date, event_type, fact_status, array_to_string(participants, ', ') as participants, subject,
       case when amount_value is not null then format('{:,.0f} {}', amount_value, amount_currency) end as amount,
       is_overdue
from fct_followups
where status in ('open', 'overdue')
order by due_date nulls last
"""
# The latest run, with its new relevant articles per topic (run_topic_counts) where the runs table
# had them before migration 027: the summary reads the same for any topics.yaml.
TOPIC_COUNT = """
    (select t.count_relevant from run_topic_counts as t where t.run_id = runs.run_id and t.topic = ?)
        as "count_relevant_{column}","""
LAST_RUN = """
select runs.* exclude (counts, count_facts_new, count_alerts_queued),{topic_counts}
    runs.count_facts_new,
    runs.count_alerts_queued
from runs
order by loaded_at desc
limit 1
"""


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[tuple[Any, ...]]


@dataclass(frozen=True)
class Summary:
    snapshot_path: Path
    last_run: Table
    stories: Table
    facts: Table
    followups: Table
    alerts: Table


def why(evidence_json: str | None, width: int = 110) -> str:
    """The best evidence from the body (the title is already shown), with the terms that fired."""
    sentences = evidence.decode(evidence_json)
    body = evidence.from_text(sentences) or sentences
    if not body:
        return ""
    best = body[0]
    text = evidence.one_line(best.text, width)
    return f"{text} [{', '.join(best.terms)}]" if best.terms else text


def _columns(column: str, topics: Sequence[str]) -> str:
    """One select column per topic, named after it (a quoted identifier)."""
    return "".join(column.format(column=t.replace('"', '""')) for t in topics)


def stories_sql(topics: Sequence[str]) -> str:
    """The stories query with one score column per topic; its parameters are the topic names, in order."""
    return STORIES.format(topic_columns=_columns(TOPIC_COLUMN, topics))


def last_run_sql(topics: Sequence[str]) -> str:
    """The latest run with one count column per topic; its parameters are the topic names, in order."""
    return LAST_RUN.format(topic_counts=_columns(TOPIC_COUNT, topics))


def _table(con: Any, sql: str, params: Sequence[Any] = ()) -> Table:
    columns, rows = sqlfiles.fetch(con.execute(sql, list(params)))
    return Table(columns, rows)


def _with_why(table: Table) -> Table:
    index = table.columns.index("evidence")
    rows = [(*row[:index], why(row[index]), *row[index + 1:]) for row in table.rows]
    return Table(table.columns, rows)


def _alerts(snapshot_path: Path) -> Table:
    from pipeline.alerts import ledger

    rows = [(a.topic, round(a.score, 2), a.title, a.evidence[0][:100] if a.evidence else "", len(a.facts))
            for a in ledger.pending_alerts(snapshot_path)]
    return Table(["topic", "score", "title", "why", "facts"], rows)


def _database_file(con: Any) -> Path:
    """The file of the open snapshot connection."""
    row = con.execute("select path from duckdb_databases() where database_name = current_database()").fetchone()
    assert row is not None  # the open database is always listed
    return Path(row[0])


def read(snapshot_path: Path | None = None, top_facts: int = 12) -> Summary | None:
    """Read the summary tables from the snapshot, or ``None`` when nothing was loaded yet."""
    topics = config.load_topics(settings.load().topics_file).names
    with db.snapshot(snapshot_path) as con:
        if con is None:
            return None
        path = _database_file(con)
        return Summary(
            snapshot_path=path,
            last_run=_table(con, last_run_sql(topics), topics),
            stories=_with_why(_table(con, stories_sql(topics), topics)),
            facts=_table(con, FACTS, [top_facts]),
            followups=_table(con, FOLLOWUPS),
            alerts=_alerts(path),
        )


SUMMARY_STORIES = sqlfiles.text("monitor/summary_stories")
SUMMARY_FOLLOWUPS = sqlfiles.text("monitor/summary_followups")
RUN_FAILURES = sqlfiles.text("monitor/run_failures")


@dataclass(frozen=True)
class Brief:
    """The few lines the demo prints: the latest run's counts, its failures, the best stories, open follow-ups."""

    snapshot_path: Path
    run: dict[str, Any]
    relevant: dict[str, int]
    failures: list[dict[str, Any]]
    stories: list[dict[str, Any]]
    count_stories: int
    followups: list[dict[str, Any]]
    count_followups: int


def _dicts(con: Any, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    return sqlfiles.dicts(con.execute(sql, list(params)))


def read_brief(snapshot_path: Path | None = None, top_stories: int = 8, top_followups: int = 5) -> Brief | None:
    """Read the demo's short summary from the snapshot, or ``None`` when nothing was loaded yet.

    Args:
        snapshot_path: the snapshot to read (default ``NEWS_SNAPSHOT_PATH``).
        top_stories: how many of the best-scored stories to list.
        top_followups: how many of the soonest open follow-ups to list.

    Returns:
        The summary, or ``None`` without a snapshot or a run.
    """
    topics = config.load_topics(settings.load().topics_file).names
    with db.snapshot(snapshot_path) as con:
        if con is None:
            return None
        path = _database_file(con)
        runs = _dicts(con, last_run_sql(topics), topics)
        if not runs:
            return None
        run = runs[0]
        relevant = {t: int(run.pop(f"count_relevant_{t}") or 0) for t in topics}
        stories = _dicts(con, SUMMARY_STORIES, [top_stories])
        followups = _dicts(con, SUMMARY_FOLLOWUPS, [top_followups])
        return Brief(
            snapshot_path=path,
            run=run,
            relevant=relevant,
            failures=_dicts(con, RUN_FAILURES, [run["run_id"]]),
            stories=stories,
            count_stories=int(stories[0]["count_total"]) if stories else 0,
            followups=followups,
            count_followups=int(followups[0]["count_total"]) if followups else 0,
        )


def _n(run: dict[str, Any], key: str) -> int:
    return int(run.get(key) or 0)


def brief_lines(brief: Brief, width: int = 100) -> list[str]:
    """The short summary as plain lines: counts per stage, failures by class, top stories, open follow-ups."""
    run = brief.run
    lines = [
        f"Run {run['run_id']}: {run['status']}{' (DEGRADED: no page could be fetched)' if run.get('degraded') else ''}",
        f"  feeds     {_n(run, 'count_feeds_due')} due: {_n(run, 'count_feeds_ok')} ok, "
        f"{_n(run, 'count_feeds_not_modified')} unchanged, {_n(run, 'count_feeds_failed')} failed",
        f"  pages     {_n(run, 'count_pages_fetched')} fetched, {_n(run, 'count_pages_failed')} failed "
        f"(of {_n(run, 'count_items_seen')} feed items seen)",
        f"  articles  {_n(run, 'count_articles_new')} new, {_n(run, 'count_duplicates')} duplicate copies",
        "  relevant  " + (", ".join(f"{t} {n}" for t, n in brief.relevant.items()) or "-"),
        f"  facts     {_n(run, 'count_facts_new')} new; alerts queued {_n(run, 'count_alerts_queued')}",
    ]
    if brief.failures:
        classes = ", ".join(f"{f['kind']} {f['error_class']} ×{f['count_requests']}" for f in brief.failures)
        lines.append("  failures  " + evidence.one_line(classes, width - 12))
    else:
        lines.append("  failures  none")
    lines.append(f"Top stories ({len(brief.stories)} of {brief.count_stories} matching):")
    for s in brief.stories:
        tail = f" — {s['source']} [{', '.join(s['topics'])}]"
        title = evidence.at_word(s["title"] or "(untitled)", max(20, width - 8 - len(tail)))
        lines.append(f"  {s['score']:.2f}  {title}{tail}")
    lines.append(f"Open follow-ups ({len(brief.followups)} of {brief.count_followups}, soonest first):")
    for f in brief.followups:
        due = f["due_date"].isoformat() if f["due_date"] else "no date"
        what = " · ".join(x for x in (f["event_type"], f["participants"], f["subject"]) if x)
        when = f"{due}{' OVERDUE' if f['is_overdue'] else ''}"
        lines.append(f"  {when}  " + evidence.at_word(what, max(20, width - 4 - len(when))))
    return lines
