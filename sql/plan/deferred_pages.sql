-- Articles whose page a budget of an earlier run left unfetched (page_status 'deferred'), as plan
-- items: they are planned again whether or not their feed lists them in this run (a feed answering
-- 304 stages no items at all).
select
    article_id,
    canonical_url as url,
    original_url,
    feed_url,
    feed_name,
    guid,
    title,
    summary,
    author,
    published_at,
    first_seen_at as seen_at,
    coalesce(page_attempts, 0) as page_attempts
from articles
where page_status = 'deferred'
order by first_seen_at, article_id
