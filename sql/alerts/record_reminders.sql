-- Reminders: the stage each open follow-up has reached today ($1), recorded once per follow-up and
-- stage at $2 with the window ($3 days). due_soon: due between today and today + window; past_due:
-- its date has passed with no report of it happening, and it was not already past when opened (a
-- follow-up learnt of after its date is overdue in fct_followups, but there is nothing to remind).
insert into followup_reminders (fact_id, stage, due_date, reached_at, window_days)
select
    fact_id,
    case when due_date < $1 then 'past_due' else 'due_soon' end as stage,
    due_date,
    $2 as reached_at,
    $3 as window_days
from followups
where
    status in ('open', 'overdue')
    and due_date is not null
    and due_date <= $1 + $3
    and (due_date >= $1 or due_date >= cast(timezone('UTC', opened_at) as date))
on conflict do nothing
