-- Follow-ups that reached a reminder stage, latest first (pipeline/alerts/intel.py reminder_state).
select
    fact_id,
    subject,
    due_date,
    bucket,
    reminder_stage,
    reminder_reached_at,
    reminder_sent_at,
    count_reminder_routes,
    opened_title,
    opened_url
from fct_followups
where reminder_stage is not null
order by reminder_reached_at desc, due_date, fact_id
