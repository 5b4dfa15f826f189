-- Alert routes that are failing (the view exists once alert delivery is built).
with route_health as (
    select * from fct_alert_route_health
),

failing as (
    select
        route,
        last_error
    from route_health
    where is_failing
)

select * from failing
order by route;
