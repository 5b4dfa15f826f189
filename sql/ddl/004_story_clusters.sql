-- Copies of one story (same text, syndicated) grouped together; alerts go per cluster.
create table if not exists story_clusters (
    story_cluster_id varchar primary key,
    representative_article_id varchar not null,
    title varchar,
    first_seen_at timestamptz not null,
    last_seen_at timestamptz not null,
    count_articles integer not null,
    count_sources integer not null
);
