-- Open follow-ups for the demo's summary, the soonest due first (undated ones last); each row
-- carries how many are open in all.
with followups as (
    select * from fct_followups
    where status in ('open', 'overdue')
),

listed as (
    select
        due_date,
        event_type,
        array_to_string(participants, ', ') as participants,
        subject,
        is_overdue,
        count(*) over () as count_total
    from followups
)

select * from listed
order by due_date nulls last, event_type, subject
limit ?;  -- noqa: PRS
