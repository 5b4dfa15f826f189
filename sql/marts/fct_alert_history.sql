-- The alert ledger made readable: every delivery attempt record per alert, topic and route, with
-- what the alert was about, its headline and link, and how long delivery took. `kind` is what the
-- ledger key names (pipeline/alerts/intel.py): story (a story cluster), or one of the follow-up
-- intelligence alerts: reminder (reminder:<fact>:<stage>), conflict (conflict:<hash>, the
-- alert_key of fct_fact_conflicts) or revision (revision:<article>:<text hash>).
create or replace view fct_alert_history as
with ledger as (
    select
        story_cluster_id as alert_key,
        topic,
        route,
        status,
        attempts,
        queued_at,
        sent_at,
        last_error,
        case split_part(story_cluster_id, ':', 1)
            when 'reminder' then 'reminder'
            when 'conflict' then 'conflict'
            when 'revision' then 'revision'
            else 'story'
        end as kind
    from alerts
),

stories as (
    select
        story_clusters.story_cluster_id as alert_key,
        story_clusters.title,
        representative.canonical_url as url,
        story_clusters.count_articles
    from story_clusters
    left join articles as representative
        on story_clusters.representative_article_id = representative.article_id
),

-- The follow-up a reminder is about, named as its alert names it, linked to its opening article.
reminders as (
    select
        ledger.alert_key,
        case split_part(ledger.alert_key, ':', 3)
            when 'due_soon' then format('Reminder: due {}: {}', followups.due_date, facts.subject)
            else format('Past due since {}, no report of it happening: {}', followups.due_date, facts.subject)
        end as title,
        opened.canonical_url as url,
        opened.story_cluster_id
    from ledger
    inner join facts on split_part(ledger.alert_key, ':', 2) = facts.fact_id
    left join followups using (fact_id)
    left join articles as opened on facts.first_article_id = opened.article_id
    where ledger.kind = 'reminder'
),

conflicts as (
    select distinct on (conflicts.alert_key)
        conflicts.alert_key,
        format('Sources disagree: {}', coalesce(later.title, conflicts.subject)) as title,
        conflicts.url_b as url,
        conflicts.story_cluster_id,
        conflicts.line as detail
    from fct_fact_conflicts as conflicts
    left join articles as later on conflicts.article_id_b = later.article_id
    order by conflicts.alert_key, conflicts.first_seen_at
),

revisions as (
    select distinct on (ledger.alert_key)
        ledger.alert_key,
        format('Story revised: {}', revised.title) as title,
        revised.canonical_url as url,
        revised.story_cluster_id
    from ledger
    inner join articles as revised on split_part(ledger.alert_key, ':', 2) = revised.article_id
    where ledger.kind = 'revision'
),

intel as (
    select
        alert_key,
        title,
        url,
        story_cluster_id,
        null as detail
    from reminders
    union all
    select
        alert_key,
        title,
        url,
        story_cluster_id,
        detail
    from conflicts
    union all
    select
        alert_key,
        title,
        url,
        story_cluster_id,
        null as detail
    from revisions
),

final as (
    select
        -- the story the alert is about: the alert key itself for a story alert
        case when ledger.kind = 'story' then ledger.alert_key else intel.story_cluster_id end as story_cluster_id,
        ledger.alert_key,
        ledger.kind,
        ledger.topic,
        ledger.route,
        ledger.status,
        ledger.status = 'sent' as is_sent,
        ledger.attempts,
        ledger.queued_at,
        ledger.sent_at,
        date_diff('second', ledger.queued_at, ledger.sent_at) as seconds_to_send,
        ledger.last_error,
        coalesce(stories.title, intel.title) as title,
        coalesce(stories.url, intel.url) as url,
        intel.detail,
        stories.count_articles,
        cast(timezone('UTC', ledger.queued_at) as date) as queued_day
    from ledger
    left join stories on ledger.kind = 'story' and ledger.alert_key = stories.alert_key
    left join intel on ledger.kind <> 'story' and ledger.alert_key = intel.alert_key
)

select * from final;
