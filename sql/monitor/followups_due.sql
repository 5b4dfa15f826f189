-- Follow-ups that are overdue or due this week, the most urgent first.
with followups as (
    select * from fct_followups
),

due as (
    select
        bucket,
        due_date,
        days_until_due,
        event_type,
        fact_status,
        array_to_string(participants, ', ') as participants,
        subject,
        amount_value,
        amount_currency,
        opened_title,
        opened_url
    from followups
    where bucket in ('overdue', 'due_this_week')
)

select * from due
order by due_date, event_type, subject
limit ?;  -- noqa: PRS
