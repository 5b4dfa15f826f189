-- Fact and follow-up history (issue 19): every state a fact or follow-up had, with when newswatch
-- learned it (valid_from, the load's time), when a later load replaced it (valid_to, null while
-- current) and the article whose report caused it. Rows are only ever closed, never rewritten:
-- a load that changes a fact (status, date, amount, participants) or reprocesses it with a new
-- extractor version closes the open row and appends a new one (sql/load/112, 117, 125).
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
    article_id varchar,                  -- the report that caused this state
    extractor_version varchar,           -- articles.extractor_version of that report
    run_id varchar not null,
    primary key (fact_id, valid_from)
);

create table if not exists followup_versions (
    fact_id varchar not null,            -- followups.fact_id
    valid_from timestamptz not null,
    valid_to timestamptz,
    status varchar not null,             -- open | done | overdue | cancelled
    due_date date,
    article_id varchar,                  -- opening or resolving article
    run_id varchar not null,
    primary key (fact_id, valid_from)
);
