-- Which incoming articles are new, and which story cluster each joins: an earlier article with
-- the same normalised text (a syndicated copy), else the first of its copies in this batch.
create or replace temp table load_articles as
with incoming as (
    select * from incoming_articles
),

stored_clusters as (
    select text_hash, min(story_cluster_id) as story_cluster_id
    from articles
    where text_hash is not null and count_words >= 30
    group by text_hash
),

batch_clusters as (
    select text_hash, min(article_id) as story_cluster_id
    from incoming
    where text_hash is not null and count_words >= 30
    group by text_hash
)

select
    incoming.*,
    articles.article_id is null as is_new,
    coalesce(
        articles.story_cluster_id,
        stored_clusters.story_cluster_id,
        batch_clusters.story_cluster_id,
        incoming.article_id
    ) as story_cluster_id
from incoming
left join articles using (article_id)
left join stored_clusters
    on incoming.text_hash = stored_clusters.text_hash and incoming.count_words >= 30
left join batch_clusters
    on incoming.text_hash = batch_clusters.text_hash and incoming.count_words >= 30;
