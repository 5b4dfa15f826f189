-- A run's failed requests by kind and error class, the most frequent first, with the hosts they hit.
with failed as (
    select * from fetch_log
    where run_id = ? and error_class is not null  -- noqa: PRS
),

by_class as (
    select
        kind,
        error_class,
        count(*) as count_requests,
        list(distinct host order by host) as hosts
    from failed
    group by kind, error_class
)

select * from by_class
order by count_requests desc, kind, error_class;
