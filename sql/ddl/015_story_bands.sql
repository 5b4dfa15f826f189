-- Lookup keys of stored articles, with the story cluster each article joined, so that a new copy
-- of a story finds its cluster by an index probe, whatever the size of the history:
--   '<band>:<hex>'      an LSH band key of the text (pipeline/dedup.py): near-copies;
--   'text:<text_hash>'  the normalised text (30 words or more): exact copies;
--   'url:<url>'         the article's canonical URL, and the rel=canonical URL its page declares.
create table if not exists story_bands (
    band_key varchar not null,
    article_id varchar not null,
    story_cluster_id varchar not null,
    primary key (band_key, article_id)
);

-- DuckDB serves a lookup from an ART index only when the filter covers all of the index's
-- columns: the primary key alone leaves a lookup by band_key a full scan (measured on 2.0.1).
create index if not exists story_bands_band_key on story_bands (band_key);

-- Articles stored before this table existed: their exact-copy and URL keys. Their band keys
-- need the Python shingling; `newswatch reprocess --extract` stages them again.
insert into story_bands (band_key, article_id, story_cluster_id)
select 'text:' || text_hash as band_key, article_id, story_cluster_id
from articles
where text_hash is not null and count_words >= 30 and story_cluster_id is not null
union
select 'url:' || canonical_url as band_key, article_id, story_cluster_id
from articles
where story_cluster_id is not null
on conflict do nothing;
