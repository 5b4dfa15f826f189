-- One row per HTTP request (feed, page, robots.txt), successful or not.
create table if not exists fetch_log (
    request_id varchar primary key,
    run_id varchar not null,
    kind varchar not null,               -- feed | page | robots
    url varchar not null,
    host varchar,
    feed_url varchar,
    status integer,                      -- HTTP status; null when no response arrived
    count_bytes bigint,
    duration_ms double,
    error_class varchar,                 -- null on success; e.g. http_500, timeout, parse_error
    error varchar,
    attempt integer,
    fetched_at timestamptz not null
);
