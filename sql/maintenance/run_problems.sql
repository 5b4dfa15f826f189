-- The last run that wanted pages, when it fetched none of them (runs.degraded): every article host
-- down, or every page failed. Later runs with nothing to fetch do not hide it.
with runs_with_pages as (
    select
        run_id,
        loaded_at,
        degraded,
        coalesce(cast(json_extract(counts, '$.pages_wanted') as integer), 0) as count_pages_wanted,
        coalesce(cast(json_extract(counts, '$.pages_failed') as integer), 0) as count_pages_failed,
        coalesce(cast(json_extract(counts, '$.pages_deferred') as integer), 0) as count_pages_deferred
    from runs
    where coalesce(cast(json_extract(counts, '$.pages_wanted') as integer), 0) > 0
),

last_run as (
    select * from runs_with_pages
    order by loaded_at desc
    limit 1
),

problems as (
    select
        'run' as kind,
        run_id as name,
        'degraded' as health,
        'none of its ' || count_pages_wanted || ' pages was fetched ('
        || count_pages_failed || ' failed, ' || count_pages_deferred
        || ' deferred: see fetch_log for the hosts)' as detail
    from last_run
    where degraded
)

select * from problems;
