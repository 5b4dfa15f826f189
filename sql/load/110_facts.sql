-- One fact per identity; its status moves towards the most final one reported
-- (happened / cancelled / denied beat announced, which beats planned / expected / proposed).
insert into facts (
    fact_id, event_type, status, event_date, participants, amount_value, amount_currency, amount_is_part,
    percent, subject, first_article_id, first_seen_at, last_seen_at, count_mentions
)
with incoming as (
    select
        *,
        case status
            when 'happened' then 3 when 'cancelled' then 3 when 'denied' then 3
            when 'announced' then 2
            else 1
        end as status_rank
    from incoming_fact_mentions
)

select
    fact_id,
    any_value(event_type) as event_type,
    arg_max(status, status_rank) as status,
    any_value(event_date) as event_date,
    any_value(participants) as participants,
    any_value(amount_value) as amount_value,
    any_value(amount_currency) as amount_currency,
    coalesce(bool_or(amount_is_part), false) as amount_is_part,
    any_value(percent) as percent,
    arg_min(subject, article_id) as subject,
    min(article_id) as first_article_id,
    min(seen_at) as first_seen_at,
    max(seen_at) as last_seen_at,
    0 as count_mentions
from incoming
group by fact_id
on conflict (fact_id) do update set
    status = case
        when excluded.status in ('happened', 'cancelled', 'denied') then excluded.status
        when excluded.status = 'announced' and facts.status not in ('happened', 'cancelled', 'denied')
            then excluded.status
        else facts.status
    end,
    amount_is_part = facts.amount_is_part or excluded.amount_is_part,
    last_seen_at = greatest(facts.last_seen_at, excluded.last_seen_at);

update facts
set count_mentions = counted.n
from (
    select fact_id, count(*) as n
    from fact_mentions
    where fact_id in (select fact_id from incoming_fact_mentions)
    group by fact_id
) as counted
where facts.fact_id = counted.fact_id and facts.count_mentions <> counted.n;
