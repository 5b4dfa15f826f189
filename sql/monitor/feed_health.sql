-- Every feed with its health; the ones an operator must look at first.
with feed_health as (
    select * from fct_feed_health
),

ranked as (
    select
        name,
        feed_url,
        health,
        last_status,
        last_http_status,
        consecutive_failures,
        coalesce(last_error, last_error_class) as last_error,
        last_fetched_at,
        last_success_at,
        last_new_item_at,
        case health when 'failing' then 0 when 'stalled' then 1 when 'degraded' then 2 else 3 end as health_rank
    from feed_health
)

select * exclude (health_rank) from ranked
order by health_rank, name;
