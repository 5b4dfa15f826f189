-- The facts ledger: each event once, with how many articles reported it and one evidence sentence.
create or replace view fct_facts as
with evidence as (
    select fact_id, arg_min(evidence_text, seen_at) as evidence_text
    from fact_mentions
    group by fact_id
)

select
    facts.fact_id,
    facts.event_type,
    facts.status,
    facts.event_date,
    facts.participants,
    facts.amount_value,
    facts.amount_currency,
    facts.percent,
    facts.subject,
    facts.count_mentions,
    facts.first_seen_at,
    facts.last_seen_at,
    evidence.evidence_text,
    facts.first_article_id
from facts
left join evidence using (fact_id);
