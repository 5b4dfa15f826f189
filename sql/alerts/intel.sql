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

reminders as (
    select
        'reminder:' || reminders.fact_id || ':' || reminders.stage as alert_key,
        'reminder' as kind,
        opened.story_cluster_id,
        case reminders.stage
            when 'due_soon' then format('Reminder: due {}: {}', reminders.due_date, followups.subject)
            else format('Past due since {}, no report of it happening: {}', reminders.due_date, followups.subject)
        end as title,
        opened.source_domain as source,
        opened.canonical_url as url,
        opened.published_at,
        reminders.reached_at as first_seen_at,
        [followups.evidence_text] as evidence,
        [format('opened by: {}', coalesce(opened.title, opened.canonical_url))] as lines
    from followup_reminders as reminders
    inner join fct_facts as followups using (fact_id)
    inner join articles as opened on followups.first_article_id = opened.article_id
    where followups.followup_status in ('open', 'overdue')
),

conflicts as (
    select distinct on (alert_key)
        'conflict:' || substr(sha256(concat_ws('|', c.article_id_a, c.article_id_b, c.line)), 1, 16) as alert_key,
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
    order by alert_key, c.first_seen_at
),

revisions as (
    select
        'revision:' || fact_revisions.article_id || ':' || fact_revisions.new_text_hash as alert_key,
        'revision' as kind,
        any_value(revised.story_cluster_id) as story_cluster_id,
        format('Story revised: {}', any_value(revised.title)) as title,
        any_value(revised.source_domain) as source,
        any_value(revised.canonical_url) as url,
        any_value(revised.published_at) as published_at,
        min(fact_revisions.detected_at) as first_seen_at,
        list(distinct fact_revisions.new_evidence order by fact_revisions.new_evidence)
        filter (where fact_revisions.new_evidence is not null) as evidence,
        list(
            format(
                '{} {}: {} → {}', fact_revisions.event_type, fact_revisions.kind,
                coalesce(fact_revisions.old_value, '(none)'), fact_revisions.new_value
            )
            order by fact_revisions.event_type, fact_revisions.kind, fact_revisions.new_value
        ) as lines
    from fact_revisions
    inner join articles as revised using (article_id)
    group by fact_revisions.article_id, fact_revisions.new_text_hash
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
