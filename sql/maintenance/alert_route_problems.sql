-- Alert routes whose last deliveries failed (the view exists once alert delivery is built).
with route_health as (
    select * from fct_alert_route_health
),

problems as (
    select
        'alert route' as kind,
        route as name,
        'failing' as health,
        last_error as detail
    from route_health
    where is_failing
)

select * from problems
order by name;
