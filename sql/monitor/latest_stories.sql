-- The latest matching stories, one row per story and topic, with the evidence that made them match;
-- one page of them (limit, offset), each row carrying how many there are in all.
with stories as (
    select * from fct_matching_stories
),

latest as (
    select
        topic,
        score,
        title,
        source_domain,
        url,
        coalesce(published_at, first_seen_at) as published_at,
        count_articles,
        evidence,
        article_id,                      -- the story's best-scoring article: the one a feedback mark names
        count(*) over () as count_total
    from stories
)

select * from latest
order by published_at desc nulls last, score desc, title
limit ? offset ?;  -- noqa: PRS
