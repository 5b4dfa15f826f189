-- Facts that are planned, expected or proposed: a ledger of what to check on later.
create table if not exists followups (
    fact_id varchar primary key,
    due_date date,
    status varchar not null,             -- open | done | overdue | cancelled
    opened_at timestamptz not null,
    opened_article_id varchar not null,
    resolved_article_id varchar,
    resolved_at timestamptz,
    updated_at timestamptz not null
);
