-- One row per (story cluster, topic) that is relevant: the best-scoring article of the story,
-- how many copies it has, and the evidence that made it match (raw JSON, plus the matched terms
-- and sentences as lists for analysts).
create or replace view fct_matching_stories as
with relevant as (
    select
        classifications.article_id,
        classifications.topic,
        classifications.score,
        classifications.evidence,
        articles.story_cluster_id,
        articles.title,
        articles.source_domain,
        articles.canonical_url,
        articles.published_at,
        articles.first_seen_at
    from classifications
    inner join articles using (article_id)
    where classifications.is_relevant
),

best_per_story as (
    select
        story_cluster_id,
        topic,
        arg_max(article_id, score) as article_id,
        max(score) as score,
        arg_max(evidence, score) as evidence,
        arg_max(title, score) as title,
        arg_max(source_domain, score) as source_domain,
        arg_max(canonical_url, score) as url,
        min(published_at) as published_at,
        min(first_seen_at) as first_seen_at,
        count(*) as count_articles
    from relevant
    group by story_cluster_id, topic
),

parsed as (
    select
        *,
        from_json(
            evidence,
            '[{"text": "VARCHAR", "start": "INTEGER", "end": "INTEGER", "field": "VARCHAR", "terms": ["VARCHAR"]}]'
        ) as evidence_items
    from best_per_story
),

final as (
    select
        * exclude (evidence_items),
        list_sort(list_distinct(flatten(list_transform(evidence_items, lambda item: item.terms))))
            as evidence_terms,
        list_transform(
            list_filter(evidence_items, lambda item: item.field = 'text'), lambda item: item.text
        ) as evidence_sentences
    from parsed
)

select * from final;
