-- Who said what, where: each direct quote with its speaker resolved to a canonical entity where
-- possible, the article it is in, and the topics that article is relevant to.
create or replace view fct_quotes as
with article_topics as (
    select
        article_id,
        list_sort(list(topic)) as topics
    from classifications
    where is_relevant
    group by article_id
),

final as (
    select
        quotes.quote_id,
        coalesce(speakers.name, quotes.speaker) as speaker_name,
        quotes.speaker_entity_id,
        speakers.type as speaker_type,
        quotes.text as quote_text,
        quotes.article_id,
        articles.title,
        articles.canonical_url as url,
        articles.source_domain,
        articles.published_at,
        coalesce(article_topics.topics, []) as topics,
        quotes.start_char,
        quotes.end_char
    from quotes
    inner join articles using (article_id)
    left join entities as speakers on quotes.speaker_entity_id = speakers.entity_id
    left join article_topics using (article_id)
)

select * from final;
