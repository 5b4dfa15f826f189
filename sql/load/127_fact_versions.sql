-- Fact history (sql/ddl/038): the state of every fact, its follow-up included, compared with its
-- open version; a change (status, date, amount, participants, the follow-up's status or due date,
-- or the extractor version behind this load's report) closes the open version and appends the new
-- one, and a fact no article reports any more is closed. All facts are compared, so a follow-up
-- marked overdue between loads (maintenance) is recorded by the next load. A fact recorded before
-- history was kept starts its history at its first_seen_at.
create or replace temp table load_fact_changes as
with causes as (
    select
        incoming_fact_mentions.fact_id,
        arg_max(
            incoming_fact_mentions.article_id,
            (incoming_fact_mentions.status = facts.status, incoming_fact_mentions.seen_at)
        ) as article_id
    from incoming_fact_mentions
    inner join facts using (fact_id)
    group by incoming_fact_mentions.fact_id
),

states as (
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
        facts.first_seen_at,
        followups.status as followup_status,
        followups.due_date,
        open_version.fact_id is not null as has_open_version,
        coalesce(
            causes.article_id,
            case
                when followups.status is distinct from open_version.followup_status
                    then coalesce(followups.resolved_article_id, followups.opened_article_id)
            end,
            open_version.article_id,
            facts.first_article_id
        ) as article_id,
        case
            when causes.article_id is null and open_version.fact_id is not null then open_version.extractor_version
        end as kept_extractor_version,
        causes.article_id is null and open_version.fact_id is not null as keeps_extractor_version,
        open_version.status as open_status,
        open_version.event_date as open_event_date,
        open_version.participants as open_participants,
        open_version.amount_value as open_amount_value,
        open_version.amount_currency as open_amount_currency,
        open_version.percent as open_percent,
        open_version.followup_status as open_followup_status,
        open_version.due_date as open_due_date,
        open_version.extractor_version as open_extractor_version
    from facts
    left join causes using (fact_id)
    left join followups using (fact_id)
    left join fact_versions as open_version
        on facts.fact_id = open_version.fact_id and open_version.valid_to is null
),

versioned as (
    select
        states.*,
        case
            when states.keeps_extractor_version then states.kept_extractor_version
            else articles.extractor_version
        end as extractor_version
    from states
    left join articles using (article_id)
)

select
    fact_id,
    event_type,
    status,
    event_date,
    participants,
    amount_value,
    amount_currency,
    percent,
    subject,
    first_seen_at,
    followup_status,
    due_date,
    article_id,
    extractor_version,
    versioned.fact_id in (select fact_versions.fact_id from fact_versions) as has_history
from versioned
where
    not has_open_version
    or status is distinct from open_status
    or event_date is distinct from open_event_date
    or participants is distinct from open_participants
    or amount_value is distinct from open_amount_value
    or amount_currency is distinct from open_amount_currency
    or percent is distinct from open_percent
    or followup_status is distinct from open_followup_status
    or due_date is distinct from open_due_date
    or extractor_version is distinct from open_extractor_version;

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
    amount_currency, percent, subject, followup_status, due_date, article_id, extractor_version, run_id
)
select
    changes.fact_id,
    case
        when changes.has_history then load_context.loaded_at
        else least(changes.first_seen_at, load_context.loaded_at)
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
    changes.followup_status,
    changes.due_date,
    changes.article_id,
    changes.extractor_version,
    load_context.run_id
from load_fact_changes as changes
cross join load_context
on conflict do nothing;
