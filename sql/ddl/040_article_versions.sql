-- Revisions of a story (issue 19): when a stored article's text changes on a later fetch, every
-- version of its text is kept (sql/load/035), and the material changes of what its facts say
-- against the version before (an amount, a date, a status, a new party) are listed on the new
-- version (sql/load/097). fct_fact_revisions has one row per change.
create table if not exists article_versions (
    article_id varchar not null,         -- articles.article_id
    text_hash varchar not null,
    title varchar,
    text varchar,
    extractor_version varchar,
    seen_at timestamptz not null,        -- the load that stored this text
    run_id varchar not null,
    previous_text_hash varchar,          -- the version it replaced (null: the first kept)
    fact_changes struct(
        event_type varchar,
        kind varchar,                    -- amount | date | status | party
        old_value varchar,               -- null for a new party
        new_value varchar,
        old_evidence varchar,
        new_evidence varchar
    )[],                                 -- empty: the facts did not change (a reworded sentence)
    primary key (article_id, text_hash)
);
