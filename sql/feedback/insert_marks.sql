-- The queued marks of one load (temp table incoming_feedback) into relevance_feedback, each with the
-- classification it corrected as the warehouse holds it before this load's own classifications.
-- Keyed on mark_id: a queue file loaded twice is inserted once.
insert into relevance_feedback by name
select
    f.mark_id,
    f.article_id,
    f.topic,
    f.is_relevant,
    f.marked_by,
    f.marked_at,
    f.note,
    f.source,
    coalesce(f.classifier_version, c.classifier_version) as classifier_version,
    coalesce(f.classifier_score, c.score) as classifier_score,
    coalesce(f.classifier_relevant, c.is_relevant) as classifier_relevant,
    ctx.loaded_at,
    ctx.run_id
from incoming_feedback as f
cross join load_context as ctx
left join classifications as c on f.article_id = c.article_id and f.topic = c.topic
where f.article_id in (select article_id from articles)
on conflict (mark_id) do nothing;
