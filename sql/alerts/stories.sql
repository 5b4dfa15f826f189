-- Matching stories not yet alerted, with their cluster's key facts. The sender reads all matching
-- stories by swapping in fct_matching_stories (pipeline/alerts.py).
with cluster_facts as (
    select
        articles.story_cluster_id,
        list(distinct {
            'key': facts.fact_id || ':' || facts.status,
            'line': format(
                '{} ({}){}{}', facts.subject, facts.status,
                case
                    when facts.amount_value is not null
                        then format(', {:,.0f} {}', facts.amount_value, coalesce(facts.amount_currency, ''))
                    else ''
                end,
                case
                    when followups.status in ('open', 'overdue') and followups.due_date is not null
                        then format(', due {}', followups.due_date)
                    else ''
                end
            )
        }) as facts
    -- fact_mentions is joined through `using`, which the linter does not follow
    from fact_mentions  -- noqa: ST11
    inner join articles using (article_id)
    inner join facts using (fact_id)
    left join followups using (fact_id)
    group by articles.story_cluster_id
)

select
    stories.story_cluster_id,
    stories.topic,
    stories.score,
    stories.title,
    stories.source_domain,
    stories.url,
    stories.published_at,
    stories.first_seen_at,
    stories.evidence,
    coalesce(cluster_facts.facts, []) as facts
from fct_alert_candidates as stories
left join cluster_facts using (story_cluster_id)
order by stories.first_seen_at, stories.score desc, stories.story_cluster_id, stories.topic
