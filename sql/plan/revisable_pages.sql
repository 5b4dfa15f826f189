-- Stored articles with a fetched page and a feed summary, among the ids $1: the plan fetches one
-- again when its feed entry's summary changed (an edited story; sql/load/035 keeps both texts).
select
    article_id,
    summary
from articles
where
    page_status = 'ok'
    and summary is not null
    and article_id in (select unnest($1::varchar[]))
