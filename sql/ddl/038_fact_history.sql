-- Fact history (issue 19): every state a fact had, its follow-up included, with when newswatch
-- learned it (valid_from, the load's time), when a later load replaced it (valid_to, null while
-- current) and the article whose report caused it. Rows are only ever closed, never rewritten:
-- a load that changes a fact (status, date, amount, participants, its follow-up's status or due
-- date) or reprocesses it with a new extractor version closes the open row and appends a new one
-- (sql/load/127). facts_as_of() and followups_as_of() read it.
create table if not exists fact_versions (
    fact_id varchar not null,            -- facts.fact_id
    valid_from timestamptz not null,     -- the load that recorded this state
    valid_to timestamptz,                -- the load that replaced it (null: current)
    event_type varchar not null,
    status varchar not null,
    event_date date,
    participants varchar[],
    amount_value double,
    amount_currency varchar,
    percent double,
    subject varchar,
    followup_status varchar,             -- open | done | overdue | cancelled; null: not followed up
    due_date date,                       -- the follow-up's due date
    article_id varchar,                  -- the report that caused this state
    extractor_version varchar,           -- articles.extractor_version of that report
    run_id varchar not null,
    primary key (fact_id, valid_from)
);
