-- The last loaded run and its counts.
with runs_loaded as (
    select * from runs
),

latest as (
    select
        run_id,
        status,
        loaded_at,
        count_feeds_due,
        count_feeds_ok,
        count_feeds_failed,
        count_articles_new,
        count_relevant_us_japan,
        count_relevant_rare_earths,
        count_facts_new,
        count_alerts_queued
    from runs_loaded
)

select * from latest
order by loaded_at desc
limit 1;
