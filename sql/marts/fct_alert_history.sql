-- The alert ledger made readable: every delivery attempt record per story, topic and route, with
-- the story's headline and link, and how long delivery took.
create or replace view fct_alert_history as
with ledger as (
    select
        story_cluster_id,
        topic,
        route,
        status,
        attempts,
        queued_at,
        sent_at,
        last_error
    from alerts
),

final as (
    select
        ledger.story_cluster_id,
        ledger.topic,
        ledger.route,
        ledger.status,
        ledger.status = 'sent' as is_sent,
        ledger.attempts,
        ledger.queued_at,
        ledger.sent_at,
        date_diff('second', ledger.queued_at, ledger.sent_at) as seconds_to_send,
        ledger.last_error,
        story_clusters.title,
        representative.canonical_url as url,
        story_clusters.count_articles,
        cast(timezone('UTC', ledger.queued_at) as date) as queued_day
    from ledger
    left join story_clusters using (story_cluster_id)
    left join articles as representative
        on story_clusters.representative_article_id = representative.article_id
)

select * from final;
