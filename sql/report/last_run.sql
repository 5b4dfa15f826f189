-- The latest pipeline run, for the report's header; relevant: new relevant articles per topic.
with runs_by_time as (
    select
        run_id,
        loaded_at,
        status,
        count_articles_new,
        count_feeds_failed
    from runs
),

topic_counts as (
    select
        run_id,
        list({ 'topic': topic, 'count_relevant': count_relevant } order by topic) as relevant
    from run_topic_counts
    group by run_id
)

select
    runs_by_time.*,
    coalesce(topic_counts.relevant, []) as relevant
from runs_by_time
left join topic_counts on runs_by_time.run_id = topic_counts.run_id
order by runs_by_time.loaded_at desc
limit 1;
