-- Which incoming articles are new, and which story cluster each joins. In order: the cluster it
-- already has (a re-load); else a stored copy found through article_keys: the same normalised
-- text, else the same canonical URL (its own or the one its page declares), else the cluster
-- sharing most LSH band keys (a near-copy; ties go to the earliest cluster); else a copy in this
-- batch, linked through the same keys; else its own id.
--
-- getvariable() is folded into a constant when a statement is planned, so
-- `list_contains(getvariable(...), key)` is a filter on constants: an index scan where the
-- filter covers an index (articles' primary key), else a vectorised filter that DuckDB runs at
-- about 40 M keys a second (article_keys; see the note in sql/ddl/025).
set variable load_article_ids = (
    select coalesce(list(article_id), []) from incoming_articles
);

create or replace temp table load_keys as
with incoming as (
    select * from incoming_articles
),

text_keys as (
    select article_id, 'text:' || text_hash as band_key, 1 as key_rank
    from incoming
    where text_hash is not null and count_words >= 30
),

url_keys as (
    select article_id, 'url:' || url as band_key, 2 as key_rank
    from incoming
    union
    select article_id, 'url:' || page_canonical_url as band_key, 2 as key_rank
    from incoming
    where page_canonical_url is not null
),

lsh_keys as (
    select article_id, unnest(band_keys) as band_key, 3 as key_rank
    from incoming
)

select * from text_keys
union
select * from url_keys
union
select * from lsh_keys;

set variable load_lookup_keys = (
    select coalesce(list(distinct band_key), []) from load_keys
);

-- Each stored cluster that shares a key with an incoming article: the best kind of key they
-- share, and how many keys.
create or replace temp table load_story_matches as
with incoming_keys as (
    select * from load_keys
),

stored_keys as (
    select band_key, article_id, story_cluster_id
    from (
        select article_id, story_cluster_id, unnest(band_keys) as band_key
        from article_keys
    ) as stored_bands
    where list_contains(getvariable('load_lookup_keys'), band_key)
)

select
    incoming_keys.article_id,
    stored_keys.story_cluster_id,
    min(incoming_keys.key_rank) as key_rank,
    count(distinct incoming_keys.band_key) as count_shared
from incoming_keys
inner join stored_keys
    on
        incoming_keys.band_key = stored_keys.band_key
        and incoming_keys.article_id <> stored_keys.article_id
group by incoming_keys.article_id, stored_keys.story_cluster_id;

set variable load_match_clusters = (
    select coalesce(list(distinct story_cluster_id), []) from load_story_matches
);

create or replace temp table load_articles as
with recursive incoming as (
    select * from incoming_articles
),

incoming_keys as (
    select * from load_keys
),

matches as (
    select * from load_story_matches
),

stored_articles as (
    select article_id, story_cluster_id
    from articles
    where list_contains(getvariable('load_article_ids'), article_id)
),

matched_clusters as (
    select story_cluster_id, first_seen_at
    from story_clusters
    where list_contains(getvariable('load_match_clusters'), story_cluster_id)
),

candidates as (
    -- a re-loaded article keeps its cluster: rank 0 beats every key
    select article_id, story_cluster_id, 0 as key_rank, 0 as count_shared, null::timestamptz as first_seen_at
    from stored_articles
    union all
    select
        matches.article_id,
        matches.story_cluster_id,
        matches.key_rank,
        matches.count_shared,
        matched_clusters.first_seen_at
    from matches
    left join matched_clusters using (story_cluster_id)
),

batch_links as (
    select distinct
        incoming_keys.article_id,
        linked.article_id as linked_article_id
    from incoming_keys
    inner join incoming_keys as linked
        on
            incoming_keys.band_key = linked.band_key
            and incoming_keys.article_id <> linked.article_id
),

reach (article_id, root_article_id) as (
    select article_id, article_id as root_article_id
    from incoming
    union
    select batch_links.linked_article_id, reach.root_article_id
    from reach
    inner join batch_links on reach.article_id = batch_links.article_id
),

batch_components as (
    -- copies within the batch, each component named after its smallest article id
    select article_id, min(root_article_id) as component_id
    from reach
    group by article_id
),

own_choice as (
    select article_id, story_cluster_id
    from candidates
    qualify row_number() over (
        partition by article_id
        order by key_rank, count_shared desc, first_seen_at nulls last, story_cluster_id
    ) = 1
),

component_choice as (
    select batch_components.component_id, candidates.story_cluster_id
    from candidates
    inner join batch_components using (article_id)
    qualify row_number() over (
        partition by batch_components.component_id
        order by
            candidates.key_rank,
            candidates.count_shared desc,
            candidates.first_seen_at nulls last,
            candidates.story_cluster_id
    ) = 1
)

select
    incoming.*,
    stored_articles.article_id is null as is_new,
    coalesce(
        own_choice.story_cluster_id,
        component_choice.story_cluster_id,
        batch_components.component_id,
        incoming.article_id
    ) as story_cluster_id
from incoming
left join stored_articles using (article_id)
left join own_choice using (article_id)
left join batch_components using (article_id)
left join component_choice using (component_id);
