-- One row per article, identified by the hash of its canonical URL.
create table if not exists articles (
    article_id varchar primary key,      -- sha256(canonical_url)[:16]
    canonical_url varchar not null,
    original_url varchar,
    final_url varchar,
    source_domain varchar,
    feed_url varchar,
    feed_name varchar,
    guid varchar,
    title varchar,
    author varchar,
    published_at timestamptz,
    published_source varchar,            -- feed | page | none
    language varchar,
    summary varchar,
    text varchar,
    text_source varchar,                 -- page | summary
    text_hash varchar,
    count_words integer,
    is_truncated boolean,                -- summary only, paywalled or very short text
    page_status varchar,                 -- ok | failed (retried later) | gave_up | blocked
    page_attempts integer,
    http_status integer,
    error_class varchar,
    raw_path varchar,                    -- gzipped raw HTML under the data folder
    story_cluster_id varchar,
    first_seen_at timestamptz not null,
    first_run_id varchar not null,
    last_run_id varchar not null,
    updated_at timestamptz not null
);
