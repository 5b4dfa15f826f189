insert into story_clusters (
    story_cluster_id, representative_article_id, title, first_seen_at, last_seen_at,
    count_articles, count_sources
)
select
    story_cluster_id,
    arg_min(article_id, first_seen_at) as representative_article_id,
    arg_min(title, first_seen_at) as title,
    min(first_seen_at) as first_seen_at,
    max(first_seen_at) as last_seen_at,
    count(*) as count_articles,
    count(distinct source_domain) as count_sources
from articles
where story_cluster_id in (select story_cluster_id from load_articles)
group by story_cluster_id
on conflict (story_cluster_id) do update set
    last_seen_at = excluded.last_seen_at,
    count_articles = excluded.count_articles,
    count_sources = excluded.count_sources;
