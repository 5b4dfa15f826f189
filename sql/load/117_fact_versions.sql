-- Fact history (sql/ddl/038): the state of every fact this load touched, compared with its open
-- version; a change (status, date, amount, participants, or the extractor version behind it) closes
-- the open version and appends the new one, and a fact no article reports any more is closed.
-- A fact recorded before history was kept starts its history at its first_seen_at.
create or replace temp table load_fact_states as
with touched as (
    select fact_id from incoming_fact_mentions
    union
    select fact_id from load_stale_facts
),

causes as (
    select
        incoming_fact_mentions.fact_id,
        arg_max(
            incoming_fact_mentions.article_id,
            (incoming_fact_mentions.status = facts.status, incoming_fact_mentions.seen_at)
        ) as article_id
    from incoming_fact_mentions
    inner join facts using (fact_id)
    group by incoming_fact_mentions.fact_id
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
    coalesce(causes.article_id, facts.first_article_id) as article_id,
    articles.extractor_version,
    exists(select 1 from fact_versions where fact_versions.fact_id = facts.fact_id) as has_history
from facts
left join causes using (fact_id)
left join articles on coalesce(causes.article_id, facts.first_article_id) = articles.article_id
where facts.fact_id in (select fact_id from touched);

create or replace temp table load_fact_changes as
select states.*
from load_fact_states as states
left join fact_versions as open_version
    on states.fact_id = open_version.fact_id and open_version.valid_to is null
where
    open_version.fact_id is null
    or states.status is distinct from open_version.status
    or states.event_date is distinct from open_version.event_date
    or states.participants is distinct from open_version.participants
    or states.amount_value is distinct from open_version.amount_value
    or states.amount_currency is distinct from open_version.amount_currency
    or states.percent is distinct from open_version.percent
    or states.extractor_version is distinct from open_version.extractor_version;

update fact_versions
set valid_to = (select loaded_at from load_context)
where
    valid_to is null
    and (
        fact_id in (select fact_id from load_fact_changes)
        or fact_id not in (select fact_id from facts)
    );

insert into fact_versions (
    fact_id, valid_from, valid_to, event_type, status, event_date, participants, amount_value,
    amount_currency, percent, subject, article_id, extractor_version, run_id
)
select
    changes.fact_id,
    case
        when changes.has_history then load_context.loaded_at
        else least(facts.first_seen_at, load_context.loaded_at)
    end as valid_from,
    null as valid_to,
    changes.event_type,
    changes.status,
    changes.event_date,
    changes.participants,
    changes.amount_value,
    changes.amount_currency,
    changes.percent,
    changes.subject,
    changes.article_id,
    changes.extractor_version,
    load_context.run_id
from load_fact_changes as changes
inner join facts using (fact_id)
cross join load_context
on conflict do nothing;
