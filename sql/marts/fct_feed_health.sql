-- Feeds an operator should look at: failing now, or silent for much longer than usual.
create or replace view fct_feed_health as
select
    feed_url,
    name,
    last_status,
    last_http_status,
    last_error_class,
    last_error,
    consecutive_failures,
    last_fetched_at,
    last_success_at,
    last_new_item_at,
    next_due_at,
    median_gap_minutes,
    case
        when consecutive_failures > 0 or last_status = 'error' then 'failing'
        when last_error_class is not null then 'degraded'
        -- Silent for ten of its own usual gaps, and at least a week: a feed's rhythm decides.
        when
            last_new_item_at is null
            or last_new_item_at < now() - greatest(
                interval 7 days, to_minutes(cast(coalesce(median_gap_minutes, 0) * 10 as bigint))
            ) then 'stalled'
        else 'ok'
    end as health
from feeds;
