-- Money in the facts ledger, in US dollars, by event type and reported status: each distinct
-- commitment once (fct_commitments), however many articles and copies reported it.
with totals as (
    select
        event_type,
        status,
        sum(amount_usd) as amount_usd,
        count(*) as count_facts
    from fct_commitments
    group by event_type, status
)

select * from totals
order by event_type, status;
