-- Relevant articles per day, topic and source: the time series behind "how much is being
-- written about this". The day is the publication date (UTC), or the day first seen when the
-- article carries no date.
create or replace view fct_topic_volume_daily as
with relevant as (
    select
        classifications.article_id,
        classifications.topic,
        classifications.score,
        articles.story_cluster_id,
        articles.source_domain,
        articles.feed_name,
        cast(timezone('UTC', coalesce(articles.published_at, articles.first_seen_at)) as date) as day
    from classifications
    inner join articles using (article_id)
    where classifications.is_relevant
),

daily as (
    select
        day,
        topic,
        source_domain,
        feed_name,
        count(*) as count_articles,
        count(distinct story_cluster_id) as count_stories,
        avg(score) as avg_score
    from relevant
    group by day, topic, source_domain, feed_name
)

select * from daily;
