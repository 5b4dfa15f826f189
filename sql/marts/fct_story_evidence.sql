-- The evidence behind every relevant classification, one row per evidence passage: which terms
-- fired, in which field, and the character span of the passage in the title or the text.
create or replace view fct_story_evidence as
with relevant as (
    select
        article_id,
        topic,
        score,
        from_json(
            evidence,
            '[{"text": "VARCHAR", "start": "INTEGER", "end": "INTEGER", "field": "VARCHAR", "terms": ["VARCHAR"]}]'
        ) as evidence_items
    from classifications
    where is_relevant
),

passages as (
    select
        article_id,
        topic,
        score,
        unnest(evidence_items) as item,
        generate_subscripts(evidence_items, 1) as evidence_rank
    from relevant
),

final as (
    select
        passages.article_id,
        articles.story_cluster_id,
        passages.topic,
        passages.score,
        passages.evidence_rank,
        passages.item.field,
        passages.item.text as evidence_text,
        passages.item.terms,
        passages.item.start as start_char,
        passages.item."end" as end_char,
        articles.title,
        articles.canonical_url as url
    from passages
    inner join articles using (article_id)
)

select * from final;
