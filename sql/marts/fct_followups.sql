-- Follow-ups with their fact, sorted into the buckets an analyst works from: overdue, due this
-- week (from today to Sunday), open (later or undated), resolved and cancelled.
create or replace view fct_followups as
with followups_with_facts as (
    select
        followups.*,
        facts.event_type,
        facts.status as fact_status,
        facts.participants,
        facts.subject,
        facts.amount_value,
        facts.amount_currency,
        facts.amount_usd,
        facts.percent,
        facts.evidence_text
    from followups
    inner join fct_facts as facts using (fact_id)
),

-- Reminder state: the latest reminder stage the alerts ledger holds for the follow-up (key
-- reminder:<fact_id>:<stage>, pipeline/alerts/intel.py), and its delivery on the routes.
reminder_deliveries as (
    select
        split_part(story_cluster_id, ':', 2) as fact_id,
        split_part(story_cluster_id, ':', 3) as stage,
        min(queued_at) as reached_at,
        max(sent_at) as sent_at,
        count(distinct route) filter (where status = 'sent') as count_routes
    from alerts
    where story_cluster_id like 'reminder:%'
    group by all
),

reminders as (
    select distinct on (fact_id)
        fact_id,
        stage as reminder_stage,
        reached_at as reminder_reached_at,
        sent_at as reminder_sent_at,
        count_routes as count_reminder_routes
    from reminder_deliveries
    order by fact_id, stage = 'past_due' desc
),

bucketed as (
    select
        *,
        status = 'overdue' or (status = 'open' and due_date < current_date) as is_overdue,
        (
            status = 'open' and due_date >= current_date
            and due_date < cast(date_trunc('week', current_date) as date) + 7
        ) as is_due_this_week,
        due_date - current_date as days_until_due
    from followups_with_facts
),

final as (
    select
        bucketed.fact_id,
        bucketed.status,
        bucketed.due_date,
        bucketed.is_overdue,
        bucketed.event_type,
        bucketed.fact_status,
        bucketed.participants,
        bucketed.subject,
        bucketed.amount_value,
        bucketed.amount_currency,
        bucketed.opened_at,
        bucketed.opened_article_id,
        bucketed.resolved_article_id,
        bucketed.resolved_at,
        case
            when bucketed.status = 'done' then 'resolved'
            when bucketed.status = 'cancelled' then 'cancelled'
            when bucketed.is_overdue then 'overdue'
            when bucketed.is_due_this_week then 'due_this_week'
            else 'open'
        end as bucket,
        bucketed.is_due_this_week,
        bucketed.days_until_due,
        bucketed.amount_usd,
        bucketed.percent,
        bucketed.evidence_text,
        opened.title as opened_title,
        opened.canonical_url as opened_url,
        resolved.canonical_url as resolved_url,
        reminders.reminder_stage,
        reminders.reminder_reached_at,
        reminders.reminder_sent_at,
        coalesce(reminders.count_reminder_routes, 0) as count_reminder_routes
    from bucketed
    left join articles as opened on bucketed.opened_article_id = opened.article_id
    left join articles as resolved on bucketed.resolved_article_id = resolved.article_id
    left join reminders on bucketed.fact_id = reminders.fact_id
)

select * from final;
