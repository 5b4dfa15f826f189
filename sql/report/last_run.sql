-- The latest pipeline run, for the report's header.
with runs_by_time as (
    select
        run_id,
        loaded_at,
        status,
        count_articles_new,
        count_feeds_failed
    from runs
)

select * from runs_by_time
order by loaded_at desc
limit 1;
