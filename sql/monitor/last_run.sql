-- The last loaded run and its counts, for the News monitor page and the report; relevant: new relevant
-- articles per topic, by topic name.
with runs_loaded as (
    select * from runs
),

topic_counts as (
    select
        run_id,
        list({ 'topic': topic, 'count_relevant': count_relevant } order by topic) as relevant
    from run_topic_counts
    group by run_id
),

latest as (
    select
        runs_loaded.run_id,
        runs_loaded.status,
        runs_loaded.loaded_at,
        runs_loaded.count_feeds_due,
        runs_loaded.count_feeds_ok,
        runs_loaded.count_feeds_failed,
        runs_loaded.count_articles_new,
        coalesce(topic_counts.relevant, []) as relevant,
        runs_loaded.count_facts_new,
        runs_loaded.count_alerts_queued
    from runs_loaded
    left join topic_counts on runs_loaded.run_id = topic_counts.run_id
)

select * from latest
order by loaded_at desc
limit 1;
