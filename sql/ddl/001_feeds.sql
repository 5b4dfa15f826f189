-- One row per configured feed: its HTTP validators and its health.
create table if not exists feeds (
    feed_url varchar primary key,
    name varchar not null,
    topics_hint varchar[],
    etag varchar,
    last_modified varchar,
    body_hash varchar,
    last_status varchar,                 -- ok | not_modified | unchanged | error
    last_http_status integer,
    last_error_class varchar,
    last_error varchar,
    last_fetched_at timestamptz,
    last_success_at timestamptz,
    last_new_item_at timestamptz,
    consecutive_failures integer not null default 0,
    next_due_at timestamptz,
    count_entries integer
);
