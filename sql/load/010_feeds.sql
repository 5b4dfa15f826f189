-- Feed validators and health. A reload of an older run never rolls a feed's state back.
insert into feeds (
    feed_url, name, topics_hint, etag, last_modified, body_hash, last_status, last_http_status,
    last_error_class, last_error, last_fetched_at, last_success_at, consecutive_failures,
    next_due_at, count_entries, median_gap_minutes
)
select
    feed_url,
    name,
    topics_hint,
    etag,
    last_modified,
    body_hash,
    status as last_status,
    http_status as last_http_status,
    error_class as last_error_class,
    error as last_error,
    fetched_at as last_fetched_at,
    case when status <> 'error' then fetched_at end as last_success_at,
    consecutive_failures,
    next_due_at,
    count_entries,
    median_gap_minutes
from incoming_feed_state
on conflict (feed_url) do update set
    name = excluded.name,
    topics_hint = excluded.topics_hint,
    etag = excluded.etag,
    last_modified = excluded.last_modified,
    body_hash = excluded.body_hash,
    -- A 304 or the same bytes again is the same body as last time: a feed that was broken (unparseable, or
    -- malformed with entries recovered) stays shown as broken until a new body parses cleanly.
    last_status = case
        when excluded.last_status in ('not_modified', 'unchanged') and feeds.last_status = 'error' then 'error'
        else excluded.last_status
    end,
    last_http_status = excluded.last_http_status,
    last_error_class = case
        when excluded.last_status in ('not_modified', 'unchanged') then feeds.last_error_class
        else excluded.last_error_class
    end,
    last_error = case
        when excluded.last_status in ('not_modified', 'unchanged') then feeds.last_error
        else excluded.last_error
    end,
    last_fetched_at = excluded.last_fetched_at,
    last_success_at = coalesce(excluded.last_success_at, feeds.last_success_at),
    consecutive_failures = excluded.consecutive_failures,
    next_due_at = excluded.next_due_at,
    count_entries = coalesce(excluded.count_entries, feeds.count_entries),
    median_gap_minutes = coalesce(excluded.median_gap_minutes, feeds.median_gap_minutes)
where excluded.last_fetched_at > feeds.last_fetched_at;
