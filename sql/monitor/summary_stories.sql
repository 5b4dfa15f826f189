-- The best-scored matching stories for the demo's summary: one row per story, with the publication
-- (the page's own name, else the feed's, else the host), its relevant topics and its best score;
-- each row carries how many stories match in all.
with stories as (
    select * from fct_matching_stories
),

per_story as (
    select
        stories.story_cluster_id,
        arg_max(stories.title, stories.score) as title,
        arg_max(stories.article_id, stories.score) as article_id,
        list(stories.topic order by stories.score desc, stories.topic) as topics,
        max(stories.score) as score
    from stories
    group by stories.story_cluster_id
),

named as (
    select
        per_story.title,
        coalesce(articles.site_name, articles.feed_name, articles.source_domain) as source,
        per_story.topics,
        per_story.score,
        count(*) over () as count_total
    from per_story
    left join articles on per_story.article_id = articles.article_id
)

select * from named
order by score desc, len(topics) desc, title
limit ?;  -- noqa: PRS
