-- New articles are inserted; a known one is updated only by a later run (a page retried).
insert into articles (
    article_id, canonical_url, original_url, final_url, source_domain, feed_url, feed_name, guid,
    title, author, published_at, published_source, language, summary, text, text_source, text_hash,
    count_words, is_truncated, page_status, page_attempts, http_status, error_class, raw_path,
    story_cluster_id, first_seen_at, first_run_id, last_run_id, updated_at, extractor_version, site_name
)
select
    article_id, url, original_url, final_url, source_domain, feed_url, feed_name, guid,
    title, author, published_at, published_source, language, summary, text, text_source, text_hash,
    count_words, is_truncated, page_status, page_attempts, http_status, error_class, raw_path,
    story_cluster_id,
    seen_at as first_seen_at,
    load_context.run_id as first_run_id,
    load_context.run_id as last_run_id,
    load_context.loaded_at as updated_at,
    extractor_version,
    site_name
from load_articles, load_context
on conflict (article_id) do update set
    final_url = excluded.final_url,
    title = coalesce(excluded.title, articles.title),
    author = coalesce(excluded.author, articles.author),
    published_at = coalesce(articles.published_at, excluded.published_at),
    published_source = case
        when articles.published_at is null then excluded.published_source
        else articles.published_source
    end,
    language = excluded.language,
    summary = coalesce(excluded.summary, articles.summary),
    text = excluded.text,
    text_source = excluded.text_source,
    text_hash = excluded.text_hash,
    count_words = excluded.count_words,
    is_truncated = excluded.is_truncated,
    page_status = excluded.page_status,
    page_attempts = excluded.page_attempts,
    http_status = excluded.http_status,
    error_class = excluded.error_class,
    raw_path = excluded.raw_path,
    extractor_version = excluded.extractor_version,
    site_name = coalesce(excluded.site_name, articles.site_name),
    last_run_id = excluded.last_run_id,
    updated_at = excluded.updated_at
where articles.last_run_id <> excluded.last_run_id;
