-- The last run that did work (not a scheduled no-op whose every count is 0), for the News monitor
-- page's status line; is_pages_down: new items came in but not one page could be fetched.
with runs_loaded as (
    select * exclude (counts) from runs
),

topic_counts as (
    select
        run_id,
        list({ 'topic': topic, 'count_relevant': count_relevant } order by topic) as relevant
    from run_topic_counts
    group by run_id
),

worked as (
    select
        runs_loaded.*,
        coalesce(topic_counts.relevant, []) as relevant,
        coalesce(runs_loaded.count_pages_fetched, 0) = 0
        and coalesce(runs_loaded.count_articles_new, 0) > 0 as is_pages_down
    from runs_loaded
    left join topic_counts on runs_loaded.run_id = topic_counts.run_id
    where
        greatest(
            coalesce(runs_loaded.count_feeds_ok, 0), coalesce(runs_loaded.count_feeds_not_modified, 0),
            coalesce(runs_loaded.count_feeds_failed, 0), coalesce(runs_loaded.count_items_seen, 0),
            coalesce(runs_loaded.count_pages_fetched, 0), coalesce(runs_loaded.count_pages_failed, 0),
            coalesce(runs_loaded.count_articles_new, 0), coalesce(runs_loaded.count_facts_new, 0)
        ) > 0
)

select * from worked
order by loaded_at desc
limit 1;
