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


def read(snapshot_path: Path | None = None, top_facts: int = 12) -> Summary | None:
    """Read the summary tables from the snapshot, or ``None`` when nothing was loaded yet."""
    topics = config.load_topics(settings.load().topics_file).names
    with db.snapshot(snapshot_path) as con:
        if con is None:
            return None
        row = con.execute(
            "select path from duckdb_databases() where database_name = current_database()"
        ).fetchone()
        assert row is not None  # the open database is always listed
        path = Path(row[0])
        return Summary(
            snapshot_path=path,
            last_run=_table(con, last_run_sql(topics), topics),
            stories=_with_why(_table(con, stories_sql(topics), topics)),
            facts=_table(con, FACTS, [top_facts]),
            followups=_table(con, FOLLOWUPS),
            alerts=_alerts(path),
        )
