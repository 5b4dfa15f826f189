-- The ten entities mentioned in the most relevant articles of each topic.
with relevant as (
    select
        article_id,
        topic
    from classifications
    where is_relevant
),

per_topic as (
    select
        relevant.topic,
        entities.name as entity_name,
        entities.type as entity_type,
        count(distinct mentions.article_id) as count_articles,
        count(*) as count_mentions
    from mentions
    inner join relevant using (article_id)
    inner join entities using (entity_id)
    group by relevant.topic, entities.name, entities.type
),

ranked as (
    select
        *,
        row_number() over (
            partition by topic order by count_articles desc, count_mentions desc, entity_name
        ) as rank
    from per_topic
)

select * from ranked
where rank <= 10
order by topic, rank;
