-- Relevant articles and stories per month and topic, for the volume-over-time chart.
with daily as (
    select * from fct_topic_volume_daily
),

monthly as (
    select
        cast(date_trunc('month', day) as date) as month,
        topic,
        sum(count_articles) as count_articles,
        sum(count_stories) as count_stories
    from daily
    group by 1, 2
)

select * from monthly
order by month, topic;
