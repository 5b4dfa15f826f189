-- Disagreements across sources (issue 19): two reports of one real-world fact that differ on the
-- amount (beyond rounding), the date or the status. Kept as a table, not a view, because the
-- reports can go later (an article corrected) while the dispute, when it was first seen and how
-- it was resolved stay on record (sql/load/118_fact_conflicts.sql).
create table if not exists fact_conflicts (
    conflict_id varchar primary key,     -- sha256(kind, the two sides' fact ids and values)[:16]
    kind varchar not null,               -- amount | date | status
    event_type varchar not null,         -- what both reports are of
    parties varchar[] not null,          -- who (sql/load/118 says which participants count)
    currency varchar,                    -- amount disputes: the currency of both figures
    number_a double,                     -- side a as a number: the amount, or the date as days since 1970
    number_b double,
    fact_id_a varchar not null,          -- the side first reported
    value_a varchar not null,            -- as the report wrote it ("$550 billion", "2025-10-29", "happened")
    article_id_a varchar not null,
    source_a varchar,                    -- the outlet (feed name, else domain)
    evidence_a varchar,
    reported_at_a timestamptz not null,  -- when side a was first reported (its mention's seen_at)
    fact_id_b varchar not null,          -- the side reported later
    value_b varchar not null,
    article_id_b varchar not null,
    source_b varchar,
    evidence_b varchar,
    reported_at_b timestamptz not null,
    first_seen_at timestamptz not null,  -- the load that first saw both sides
    resolved_at timestamptz,             -- the load whose reports settled it (null: open)
    resolved_value varchar,              -- the side the later reports agree with
    resolved_article_id varchar,
    run_id varchar not null
);
