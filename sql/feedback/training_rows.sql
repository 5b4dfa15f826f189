-- The analysts' marks as training rows: the latest mark per article and topic wins, with the
-- article's title and text (pipeline.classify.feedback.training_items shapes them).
with marks as (
    select * from relevance_feedback
),

latest as (
    select
        article_id,
        topic,
        is_relevant,
        marked_by,
        marked_at,
        classifier_version
    from marks
    qualify row_number() over (partition by article_id, topic order by marked_at desc, mark_id desc) = 1
),

training as (
    select
        latest.article_id,
        latest.topic,
        latest.is_relevant,
        latest.marked_by,
        latest.marked_at,
        latest.classifier_version,
        articles.title,
        articles.text,
        articles.language
    from latest
    inner join articles using (article_id)
)

select * from training
order by article_id, topic
