-- Planned, expected and proposed facts open a follow-up; a later report that the event
-- happened closes it, one that it was cancelled or denied cancels it. Its due date is the fact's date,
-- else the earliest deadline its reports set ("within 90 days", "by the end of March", 年内; staged due_date).
insert into followups (fact_id, due_date, status, opened_at, opened_article_id, updated_at)
with deadlines as (
    select fact_id, min(due_date) as due_date
    from incoming_fact_mentions
    group by fact_id
)

select
    facts.fact_id,
    coalesce(facts.event_date, deadlines.due_date) as due_date,
    'open' as status,
    load_context.loaded_at as opened_at,
    facts.first_article_id as opened_article_id,
    load_context.loaded_at as updated_at
from facts
cross join load_context
left join deadlines using (fact_id)
where
    facts.status in ('planned', 'expected', 'proposed')
    and facts.fact_id in (select fact_id from incoming_fact_mentions)
on conflict (fact_id) do update set
    due_date = coalesce(followups.due_date, excluded.due_date);

update followups
set
    status = case when facts.status = 'happened' then 'done' else 'cancelled' end,
    resolved_article_id = resolving.article_id,
    resolved_at = load_context.loaded_at,
    updated_at = load_context.loaded_at
from facts, load_context, (
    select fact_id, arg_max(article_id, seen_at) as article_id
    from incoming_fact_mentions
    where status in ('happened', 'cancelled', 'denied')
    group by fact_id
) as resolving
where
    followups.fact_id = facts.fact_id
    and resolving.fact_id = facts.fact_id
    and followups.status in ('open', 'overdue')
    and facts.status in ('happened', 'cancelled', 'denied');
