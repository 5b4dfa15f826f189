-- Follow-up history (sql/ddl/038): every follow-up whose status or due date differs from its open
-- version gets a new version, the old one closed; a follow-up that is gone (its fact no longer
-- reported) is closed. All follow-ups are compared, so a change made between loads (maintenance
-- marking one overdue) is recorded by the next load.
create or replace temp table load_followup_changes as
select
    followups.fact_id,
    followups.status,
    followups.due_date,
    coalesce(followups.resolved_article_id, followups.opened_article_id) as article_id,
    open_version.fact_id is not null as has_history,
    followups.opened_at
from followups
left join followup_versions as open_version
    on followups.fact_id = open_version.fact_id and open_version.valid_to is null
where
    open_version.fact_id is null
    or followups.status is distinct from open_version.status
    or followups.due_date is distinct from open_version.due_date;

update followup_versions
set valid_to = (select loaded_at from load_context)
where
    valid_to is null
    and (
        fact_id in (select fact_id from load_followup_changes)
        or fact_id not in (select fact_id from followups)
    );

insert into followup_versions (fact_id, valid_from, valid_to, status, due_date, article_id, run_id)
select
    changes.fact_id,
    case
        when
            changes.has_history
            or exists (select 1 from followup_versions as v where v.fact_id = changes.fact_id)
            then load_context.loaded_at
        else least(changes.opened_at, load_context.loaded_at)
    end as valid_from,
    null as valid_to,
    changes.status,
    changes.due_date,
    changes.article_id,
    load_context.run_id
from load_followup_changes as changes
cross join load_context
on conflict do nothing;
