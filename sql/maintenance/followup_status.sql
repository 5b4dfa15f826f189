-- Follow-up status as of maintenance_context.today: a later report may have moved the planned
-- date, an open follow-up past its due date is overdue, and a moved one no longer past due is
-- open again. Done and cancelled follow-ups are final.
update followups
set
    due_date = facts.event_date,
    updated_at = maintenance_context.run_at
from facts, maintenance_context
where
    followups.fact_id = facts.fact_id
    and followups.status in ('open', 'overdue')
    and facts.event_date is not null
    and followups.due_date is distinct from facts.event_date;

update followups
set
    status = 'overdue',
    updated_at = maintenance_context.run_at
from maintenance_context
where
    followups.status = 'open'
    and followups.due_date < maintenance_context.today;

update followups
set
    status = 'open',
    updated_at = maintenance_context.run_at
from maintenance_context
where
    followups.status = 'overdue'
    and (followups.due_date is null or followups.due_date >= maintenance_context.today);
