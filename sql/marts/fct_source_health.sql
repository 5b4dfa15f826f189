-- One row per source host: how its requests went (from fetch_log, deferrals left out), how many of its feeds are
-- healthy (from fct_feed_health), and what it has given us (articles, relevant ones).
create or replace view fct_source_health as
with requests as (
    select
        host as source_domain,
        count(*) as count_requests,
        count(*) filter (where kind = 'feed') as count_feed_requests,
        count(*) filter (where kind = 'page') as count_page_requests,
        count(*) filter (where error_class is null) as count_ok,
        count(*) filter (where error_class is not null) as count_errors,
        count(*) filter (where error_class = 'robots_disallowed') as count_robots_blocked,
        cast(sum(count_bytes) as bigint) as count_bytes,
        avg(duration_ms) as avg_duration_ms,
        max(fetched_at) as last_request_at,
        max(fetched_at) filter (where error_class is null) as last_ok_at,
        max(fetched_at) filter (where error_class is not null) as last_error_at,
        arg_max(error_class, fetched_at) filter (where error_class is not null) as last_error_class,
        mode(error_class) filter (where error_class is not null) as top_error_class
    from fetch_log
    -- a page or feed a budget deferred was not requested (or not by its own fault)
    where coalesce(error_class, '') not like 'deferred%'
    group by host
),

feeds_by_host as (
    select
        regexp_extract(feed_url, '^[a-zA-Z]+://(?:[^@/]*@)?([^:/?#]+)', 1) as source_domain,
        count(*) as count_feeds,
        count(*) filter (where health = 'ok') as count_feeds_ok,
        count(*) filter (where health = 'failing') as count_feeds_failing,
        count(*) filter (where health = 'stalled') as count_feeds_stalled,
        count(*) filter (where health = 'degraded') as count_feeds_degraded
    from fct_feed_health
    group by 1
),

relevant as (
    select distinct article_id
    from classifications
    where is_relevant
),

articles_by_host as (
    select
        articles.source_domain,
        count(*) as count_articles,
        count(*) filter (where relevant.article_id is not null) as count_relevant_articles,
        max(articles.first_seen_at) as last_article_at
    from articles
    left join relevant using (article_id)
    group by articles.source_domain
),

final as (
    select
        requests.source_domain,
        requests.count_requests,
        requests.count_feed_requests,
        requests.count_page_requests,
        requests.count_ok,
        requests.count_errors,
        round(requests.count_errors / requests.count_requests, 4) as error_rate,
        requests.count_robots_blocked,
        requests.count_bytes,
        requests.avg_duration_ms,
        requests.last_request_at,
        requests.last_ok_at,
        requests.last_error_at,
        requests.last_error_class,
        requests.top_error_class,
        coalesce(feeds_by_host.count_feeds, 0) as count_feeds,
        coalesce(feeds_by_host.count_feeds_ok, 0) as count_feeds_ok,
        coalesce(feeds_by_host.count_feeds_failing, 0) as count_feeds_failing,
        coalesce(feeds_by_host.count_feeds_stalled, 0) as count_feeds_stalled,
        coalesce(feeds_by_host.count_feeds_degraded, 0) as count_feeds_degraded,
        coalesce(articles_by_host.count_articles, 0) as count_articles,
        coalesce(articles_by_host.count_relevant_articles, 0) as count_relevant_articles,
        articles_by_host.last_article_at
    from requests
    left join feeds_by_host using (source_domain)
    left join articles_by_host using (source_domain)
)

select * from final;
