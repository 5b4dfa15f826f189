-- The article an analyst names (by id or by any of its URLs) with its classification for one topic.
-- Parameters: topic, article_id, url (the URL as given), canonical url.
with found as (
    select
        a.article_id,
        a.title,
        a.canonical_url,
        c.classifier_version,
        c.score,
        c.is_relevant
    from articles as a
    left join classifications as c on a.article_id = c.article_id and c.topic = $1
    where a.article_id = $2 or a.original_url = $3 or a.final_url = $3 or a.canonical_url = $4
)

select * from found
order by article_id
