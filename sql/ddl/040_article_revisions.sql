-- Revisions of a story (issue 19): when a stored article's text changes on a later fetch, every
-- version of its text is kept, and a material change of what its facts say (an amount, a date, a
-- status, a new party) is recorded (sql/load/036, 101).
create table if not exists article_versions (
    article_id varchar not null,         -- articles.article_id
    text_hash varchar not null,
    title varchar,
    text varchar,
    extractor_version varchar,
    seen_at timestamptz not null,        -- the load that stored this text
    run_id varchar not null,
    primary key (article_id, text_hash)
);

create table if not exists fact_revisions (
    revision_id varchar primary key,     -- sha256(article, old and new text hash, kind, values)[:16]
    article_id varchar not null,
    old_text_hash varchar not null,
    new_text_hash varchar not null,
    event_type varchar not null,
    kind varchar not null,               -- amount | date | status | party
    old_value varchar,                   -- null for a new party
    new_value varchar not null,
    old_evidence varchar,
    new_evidence varchar,
    detected_at timestamptz not null,
    run_id varchar not null
);
