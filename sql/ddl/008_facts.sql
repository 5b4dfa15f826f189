-- One fact (event) however many articles report it.
create table if not exists facts (
    fact_id varchar primary key,         -- hash of type, date, participants, amount/percent (or subject)
    -- meeting | agreement | investment | trade_measure | defense | other_commitment
    event_type varchar not null,
    -- latest reported: happened | announced | planned | expected | proposed | cancelled | denied
    status varchar not null,
    event_date date,
    participants varchar[],
    amount_value double,
    amount_currency varchar,
    percent double,
    subject varchar,
    first_article_id varchar not null,
    first_seen_at timestamptz not null,
    last_seen_at timestamptz not null,
    count_mentions integer not null
);
