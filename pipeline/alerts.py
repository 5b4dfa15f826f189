"""Alerts: which matching stories are due an alert, and what the alert says.

An alert goes to a *story cluster* and topic, never to each copy of a story, and only while the
``alerts`` ledger has no ``sent`` row for it. This module reads the snapshot (never the live
file) and builds the messages; delivery through Apprise routes, and the ledger writes that make
it exactly-once, belong to the alerts DAG (see the issue "Alerts on new matching stories").
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from pipeline import warehouse

logger = logging.getLogger(__name__)

CANDIDATES = """
select
    candidates.story_cluster_id,
    candidates.topic,
    candidates.score,
    candidates.title,
    candidates.source_domain,
    candidates.url,
    candidates.published_at,
    candidates.evidence,
    coalesce(facts.lines, []) as facts
from fct_alert_candidates as candidates
left join (
    select
        fact_mentions.article_id,
        list(distinct format('{} ({}){}', facts.subject, facts.status,
             case when facts.amount_value is not null
                  then format(', {:,.0f} {}', facts.amount_value, facts.amount_currency) else '' end))
            as lines
    from fact_mentions
    inner join facts using (fact_id)
    group by fact_mentions.article_id
) as facts on facts.article_id = candidates.article_id
order by candidates.first_seen_at, candidates.topic
"""
MAX_FACTS = 5


@dataclass(frozen=True)
class Alert:
    story_cluster_id: str
    topic: str
    score: float
    title: str
    source: str
    url: str
    published: str | None
    evidence: tuple[str, ...]
    facts: tuple[str, ...]

    def text(self) -> str:
        """The plain-text body: headline, source, time, topic and score, why, key facts, link."""
        lines = [self.title, f"{self.source} · {self.published or 'date unknown'} · {self.topic} {self.score:.2f}"]
        lines += [f"why: {e}" for e in self.evidence]
        lines += [f"fact: {f}" for f in self.facts]
        lines.append(self.url)
        return "\n".join(lines)


def pending_alerts(snapshot_path: Path | None = None) -> list[Alert]:
    """Matching stories with no alert sent yet, one per story cluster and topic, oldest first."""
    rows = warehouse.query_snapshot(CANDIDATES, snapshot_path=snapshot_path)
    alerts = []
    for cluster, topic, score, title, source, url, published, evidence, facts in rows:
        why = tuple(" ".join(str(e.get("text", "")).split())[:200]
                    for e in json.loads(evidence or "[]") if e.get("field") == "text")[:2]
        alerts.append(Alert(
            story_cluster_id=cluster, topic=topic, score=float(score), title=title or url, source=source or "",
            url=url, published=published.date().isoformat() if published else None, evidence=why,
            facts=tuple(sorted(facts))[:MAX_FACTS],
        ))
    return alerts
