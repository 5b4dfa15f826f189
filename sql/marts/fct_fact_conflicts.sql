-- Disagreements across sources (sql/ddl/039): each dispute with both values, their sources and
-- evidence sentences, when it was first seen, whether a later report resolved it, the one line
-- alerts carry ("Kyodo: $550 billion; Reuters: $500 billion"), the story of the later report, and
-- alert_key: the alerts ledger key of the dispute's alert (alerts.story_cluster_id, fct_alert_history)
-- for analysts to join; several disputes with the same two reports and line share one alert.
create or replace view fct_fact_conflicts as
with conflicts as (
    select
        *,
        format(
            '{}: {}; {}: {}',
            coalesce(source_a, 'unknown source'), value_a,
            coalesce(source_b, 'unknown source'), value_b
        ) as line
    from fact_conflicts
)

select
    conflicts.conflict_id,
    conflicts.kind,
    facts.event_type,
    coalesce(facts.subject, facts_b.subject) as subject,
    coalesce(facts.participants, facts_b.participants) as participants,
    conflicts.fact_id_a,
    conflicts.value_a,
    conflicts.source_a,
    conflicts.evidence_a,
    conflicts.article_id_a,
    article_a.canonical_url as url_a,
    conflicts.reported_at_a,
    conflicts.fact_id_b,
    conflicts.value_b,
    conflicts.source_b,
    conflicts.evidence_b,
    conflicts.article_id_b,
    article_b.canonical_url as url_b,
    conflicts.reported_at_b,
    article_b.story_cluster_id,
    conflicts.first_seen_at,
    conflicts.resolved_at is not null as is_resolved,
    conflicts.resolved_at,
    conflicts.resolved_value,
    conflicts.resolved_article_id,
    conflicts.line,
    'conflict:' || substr(sha256(concat_ws('|', conflicts.article_id_a, conflicts.article_id_b, conflicts.line)), 1, 16)
        as alert_key
from conflicts
left join facts on conflicts.fact_id_a = facts.fact_id
left join facts as facts_b on conflicts.fact_id_b = facts_b.fact_id
left join articles as article_a on conflicts.article_id_a = article_a.article_id
left join articles as article_b on conflicts.article_id_b = article_b.article_id;
