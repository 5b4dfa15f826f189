-- Who said what, where: each direct quote with its speaker resolved to a canonical entity where
-- possible, the article it is in, its story, and the topics that article is relevant to.
-- Syndicated copies of one story quote the same words: is_first_in_story marks one row per
-- (story, speaker, words), so counts and sums filtered on it count each quote once per story.
create or replace view fct_quotes as
with article_topics as (
    select
        article_id,
        list_sort(list(topic)) as topics
    from classifications
    where is_relevant
    group by article_id
),

resolved as (
    select
        quotes.quote_id,
        coalesce(speakers.name, quotes.speaker) as speaker_name,
        quotes.speaker_entity_id,
        speakers.type as speaker_type,
        speakers.wikidata_qid as speaker_wikidata_qid,
        quotes.text as quote_text,
        quotes.article_id,
        coalesce(articles.story_cluster_id, quotes.article_id) as story_cluster_id,
        articles.title,
        articles.canonical_url as url,
        articles.source_domain,
        articles.published_at,
        coalesce(article_topics.topics, []) as topics,
        quotes.start_char,
        quotes.end_char,
        -- the words without case, spacing or trailing punctuation, so two copies' line breaks do not differ
        lower(trim(regexp_replace(quotes.text, '[\s,.;:!?]+', ' ', 'g'))) as quote_key
    from quotes
    inner join articles using (article_id)
    left join entities as speakers on quotes.speaker_entity_id = speakers.entity_id
    left join article_topics using (article_id)
),

final as (
    select
        quote_id,
        speaker_name,
        speaker_entity_id,
        speaker_type,
        speaker_wikidata_qid,
        quote_text,
        article_id,
        story_cluster_id,
        row_number() over (
            partition by story_cluster_id, coalesce(speaker_name, ''), quote_key
            order by published_at nulls last, article_id, start_char
        ) = 1 as is_first_in_story,
        title,
        url,
        source_domain,
        published_at,
        topics,
        start_char,
        end_char
    from resolved
)

select * from final;
