-- Feeds the operator must hear about: failing now, or silent for far longer than usual.
with feed_health as (
    select * from fct_feed_health
),

problems as (
    select
        'feed' as kind,
        coalesce(name, feed_url) as name,
        health,
        coalesce(last_error, last_error_class, cast(last_http_status as varchar)) as detail,
        consecutive_failures as count_failures,
        last_success_at,
        last_new_item_at
    from feed_health
    where health in ('failing', 'stalled')
)

select * from problems
order by health, count_failures desc, name;
