-- Delivery ledger: one row per (story cluster, topic, route); what makes alerts exactly-once.
create table if not exists alerts (
    story_cluster_id varchar not null,
    topic varchar not null,
    route varchar not null,
    status varchar not null,             -- pending | sent | failed
    attempts integer not null default 0,
    queued_at timestamptz not null,
    sent_at timestamptz,
    last_error varchar,
    primary key (story_cluster_id, topic, route)
);
