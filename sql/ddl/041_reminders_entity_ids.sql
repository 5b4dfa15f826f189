-- Reminders for commitments (issue 19): the stage a follow-up reached (due_soon: due within
-- NEWS_REMINDER_DAYS; past_due: its date passed with no report of it happening), recorded once per
-- follow-up and stage by the alerts run that saw it; the alerts ledger sends one reminder per route.
create table if not exists followup_reminders (
    fact_id varchar not null,            -- followups.fact_id
    stage varchar not null,              -- due_soon | past_due
    due_date date not null,
    reached_at timestamptz not null,
    window_days integer not null,        -- NEWS_REMINDER_DAYS when it was reached
    primary key (fact_id, stage)
);

-- Entity identifiers, curated offline in config/entities.yaml: a Wikidata QID so analysts can join
-- outside data, and for minerals the element symbol and HS code.
alter table entities add column if not exists wikidata_qid varchar;
alter table entities add column if not exists element_symbol varchar;
alter table entities add column if not exists hs_code varchar;
