-- How many follow-ups are open, due today and overdue, for the task log.
with context as (
    select today from maintenance_context
),

counted as (
    select
        count(*) filter (where followups.status = 'open') as count_open,
        count(*) filter (
            where followups.status = 'open' and followups.due_date = context.today
        ) as count_due_today,
        count(*) filter (where followups.status = 'overdue') as count_overdue
    from followups, context
)

select * from counted;
