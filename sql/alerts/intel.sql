-- Follow-up intelligence alerts (pipeline/alerts/intel.py), one row per (alert key, topic): a
-- reminder per follow-up and stage, a dispute per pair of reports and line, a material revision
-- per article and text version. The topic and score are those of the story the alert is about.
with stories as (
    select
        story_cluster_id,
        topic,
        score
    from fct_matching_stories
),

-- A follow-up due between today ($1) and today + NEWS_REMINDER_DAYS ($2) is at stage due_soon; one
-- whose date has passed with no report of it happening, past_due (not one already past when it was
-- opened: it is overdue in fct_followups, but it never passed while watched). The ledger key holds
-- the stage, so each stage is sent once per route.
staged_followups as (
    select
        fact_id,
        due_date,
        opened_at,
        case when due_date < cast($1 as date) then 'past_due' else 'due_soon' end as stage
    from followups
    where
        status in ('open', 'overdue')
        and due_date is not null
        and due_date <= cast($1 as date) + cast($2 as integer)
        and (due_date >= cast($1 as date) or due_date >= cast(timezone('UTC', opened_at) as date))
),

reminders as (
    select
        'reminder:' || staged.fact_id || ':' || staged.stage as alert_key,
        'reminder' as kind,
        opened.story_cluster_id,
        case staged.stage
            when 'due_soon' then format('Reminder: due {}: {}', staged.due_date, facts.subject)
            else format('Past due since {}, no report of it happening: {}', staged.due_date, facts.subject)
        end as title,
        opened.source_domain as source,
        opened.canonical_url as url,
        opened.published_at,
        staged.opened_at as first_seen_at,
        [facts.evidence_text] as evidence,
        [format('opened by: {}', coalesce(opened.title, opened.canonical_url))] as lines
    from staged_followups as staged
    inner join fct_facts as facts using (fact_id)
    inner join articles as opened on facts.first_article_id = opened.article_id
),

conflicts as (
    select distinct on (alert_key)
        c.alert_key,
        'conflict' as kind,
        c.story_cluster_id,
        format('Sources disagree: {}', coalesce(later.title, c.subject)) as title,
        c.source_b as source,
        c.url_b as url,
        later.published_at,
        c.first_seen_at,
        [c.evidence_a, c.evidence_b] as evidence,
        [c.line] as lines
    from fct_fact_conflicts as c
    left join articles as later on c.article_id_b = later.article_id
    where not c.is_resolved
    order by c.alert_key, c.first_seen_at
),

revisions as (
    select
        'revision:' || article_id || ':' || new_text_hash as alert_key,
        'revision' as kind,
        any_value(story_cluster_id) as story_cluster_id,
        format('Story revised: {}', any_value(title)) as title,
        any_value(source) as source,
        any_value(url) as url,
        any_value(published_at) as published_at,
        min(detected_at) as first_seen_at,
        list(distinct new_evidence order by new_evidence) filter (where new_evidence is not null) as evidence,
        list(
            format('{} {}: {} → {}', event_type, kind, coalesce(old_value, '(none)'), new_value)
            order by event_type, kind, new_value
        ) as lines
    from fct_fact_revisions
    group by article_id, new_text_hash
),

intel as (
    select * from reminders
    union all
    select * from conflicts
    union all
    select * from revisions
)

select
    intel.alert_key,
    intel.kind,
    stories.topic,
    stories.score,
    intel.title,
    intel.source,
    intel.url,
    intel.published_at,
    intel.first_seen_at,
    intel.evidence,
    intel.lines
from intel
inner join stories using (story_cluster_id)
order by intel.first_seen_at, intel.alert_key, stories.topic
