-- Money in the facts ledger, in US dollars, by event type and reported status.
with facts as (
    select * from fct_facts
    where amount_usd is not null
),

totals as (
    select
        event_type,
        status,
        sum(amount_usd) as amount_usd,
        count(*) as count_facts
    from facts
    group by event_type, status
)

select * from totals
order by event_type, status;
