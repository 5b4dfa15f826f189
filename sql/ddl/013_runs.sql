-- One row per pipeline run, with what each stage did.
create table if not exists runs (
    run_id varchar primary key,
    loaded_at timestamptz not null,
    status varchar not null,             -- success | no_feed_succeeded
    count_feeds_due integer,
    count_feeds_ok integer,
    count_feeds_not_modified integer,
    count_feeds_failed integer,
    count_items_seen integer,
    count_pages_fetched integer,
    count_pages_failed integer,
    count_articles_new integer,
    count_duplicates integer,
    count_relevant_us_japan integer,
    count_relevant_rare_earths integer,
    count_facts_new integer,
    count_alerts_queued integer,
    counts json                          -- every stage counter, for detail
);
