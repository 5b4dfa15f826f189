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
    case
        when consecutive_failures > 0 or last_status = 'error' then 'failing'
        when last_error_class is not null then 'degraded'
        when last_new_item_at is null or last_new_item_at < now() - interval 7 days then 'stalled'
        else 'ok'
    end as health
from feeds;
