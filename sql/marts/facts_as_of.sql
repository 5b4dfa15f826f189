-- "What did we know on a date": each fact in the state newswatch had recorded at timestamp `ts`
-- (sql/ddl/038 fact_versions), one row per fact that existed then. A table macro, so it is part
-- of the catalog and of every published snapshot:
--   select * from facts_as_of(timestamp '2025-11-01');
create or replace macro facts_as_of(ts) as table
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
        followup_status,
        due_date,
        article_id,
        extractor_version,
        valid_from,
        valid_to
    from fact_versions
    where
        valid_from <= cast(ts as timestamptz)
        and (valid_to is null or valid_to > cast(ts as timestamptz));
