-- Follow-ups with their fact, and whether an open one is past its due date.
create or replace view fct_followups as
select
    followups.fact_id,
    followups.status,
    followups.due_date,
    followups.status = 'open' and followups.due_date < current_date as is_overdue,
    facts.event_type,
    facts.status as fact_status,
    facts.participants,
    facts.subject,
    facts.amount_value,
    facts.amount_currency,
    followups.opened_at,
    followups.opened_article_id,
    followups.resolved_article_id,
    followups.resolved_at
from followups
inner join facts using (fact_id);
