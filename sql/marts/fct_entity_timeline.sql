-- Mentions per day per entity, with the topics the mentioning articles are relevant to: who is in
-- the news, and when. The day is the article's publication date (UTC), else the day first seen.
-- wikidata_qid (config/entities.yaml, null when not curated) joins outside data.
create or replace view fct_entity_timeline as
with article_days as (
    select
        article_id,
        cast(timezone('UTC', coalesce(published_at, first_seen_at)) as date) as day
    from articles
),

article_topics as (
    select
        article_id,
        list_sort(list(topic)) as topics
    from classifications
    where is_relevant
    group by article_id
),

daily as (
    select
        mentions.entity_id,
        article_days.day,
        count(*) as count_mentions,
        count(distinct mentions.article_id) as count_articles,
        list_sort(list_distinct(flatten(list(coalesce(article_topics.topics, []))))) as topics
    from mentions
    inner join article_days using (article_id)
    left join article_topics using (article_id)
    group by mentions.entity_id, article_days.day
),

final as (
    select
        daily.day,
        daily.entity_id,
        entities.name as entity_name,
        entities.type as entity_type,
        entities.wikidata_qid,
        daily.count_mentions,
        daily.count_articles,
        daily.topics
    from daily
    inner join entities using (entity_id)
)

select * from final;
