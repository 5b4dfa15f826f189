-- Alert routes an operator should look at: per route, what the ledger holds and whether the
-- route is failing now (a failed row waiting for its retry, or the last attempt failed).
create or replace view fct_alert_route_health as
with per_route as (
    select
        route,
        count(*) filter (where status = 'sent') as count_sent,
        count(*) filter (where status = 'pending') as count_pending,
        count(*) filter (where status = 'failed') as count_failed,
        max(sent_at) as last_sent_at,
        max(last_attempt_at) as last_attempt_at,
        min(next_attempt_at) filter (where status = 'failed') as next_attempt_at,
        arg_max(last_error, last_attempt_at) filter (where status = 'failed') as last_error,
        max(attempts) filter (where status <> 'sent') as max_attempts
    from alerts
    group by route
)

select
    route,
    count_sent,
    count_pending,
    count_failed,
    last_sent_at,
    last_attempt_at,
    next_attempt_at,
    last_error,
    coalesce(max_attempts, 0) as max_attempts,
    count_failed > 0 as is_failing
from per_route;
