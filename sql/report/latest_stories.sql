-- The latest matching stories, with the terms and sentences that made them match.
with stories as (
    select * from fct_matching_stories
),

latest as (
    select
        topic,
        score,
        title,
        url,
        source_domain,
        coalesce(published_at, first_seen_at) as published_at,
        count_articles,
        evidence_terms,
        evidence_sentences
    from stories
    order by coalesce(published_at, first_seen_at) desc, score desc
    limit 25
)

select * from latest;
