-- Follow-ups as they stood at timestamp `ts` (sql/ddl/038 fact_versions, the states with a
-- follow-up): select * from followups_as_of(timestamp '2025-11-01');
create or replace macro followups_as_of(ts) as table
    select
        fact_id,
        followup_status as status,
        due_date,
        article_id,
        valid_from,
        valid_to
    from fact_versions
    where
        followup_status is not null
        and valid_from <= cast(ts as timestamptz)
        and (valid_to is null or valid_to > cast(ts as timestamptz));
