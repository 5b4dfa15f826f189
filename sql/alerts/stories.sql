-- Matching stories not yet alerted, with their cluster's key facts and the publication's name. The
-- sender reads all matching stories by swapping in fct_matching_stories (pipeline/alerts/ledger.py).
with cluster_facts as (
    select
        articles.story_cluster_id,
        -- the fact's fields: pipeline/alerts/wording.py makes the clause, or drops a fragment
        list(distinct {
            'key': facts.fact_id || ':' || facts.status,
            'subject': facts.subject,
            'event_type': facts.event_type,
            'status': facts.status,
            'event_date': facts.event_date,
            'amount_value': facts.amount_value,
            'amount_currency': facts.amount_currency,
            'due_date': case
                when followups.status in ('open', 'overdue') then followups.due_date
            end
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
    -- the publication: the page's own name, else the feed's, else the host
    coalesce(best.site_name, best.feed_name, stories.source_domain) as source,
    stories.url,
    stories.published_at,
    stories.first_seen_at,
    stories.evidence,
    coalesce(cluster_facts.facts, []) as facts,
    best.text_source = 'summary' as is_from_summary  -- the page failed: the alert is the feed's summary
from fct_alert_candidates as stories
left join cluster_facts using (story_cluster_id)
left join articles as best on stories.article_id = best.article_id
order by stories.first_seen_at, stories.score desc, stories.story_cluster_id, stories.topic
