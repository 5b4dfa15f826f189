-- Follow-ups with a due date, for the calendar chart; undated ones are listed under it.
with followups as (
    select * from fct_followups
),

final as (
    select
        due_date,
        bucket,
        event_type,
        fact_status,
        array_to_string(participants, ', ') as participants,
        subject,
        amount_usd
    from followups
)

select * from final
order by due_date nulls last, subject;
