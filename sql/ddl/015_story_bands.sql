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

-- No secondary index on band_key, on purpose. Measured with benchmarks/history.py (1,000 new
-- articles, 1,000,000 stored, ~10 M keys): with one, each load spent 1.7 s inserting into it and
-- 3.0 s more in checkpoint rewriting it, while the lookup in sql/load/030 took 0.33 s; without
-- it, 0.36 s and 1.2 s, and the lookup (a vectorised filter on the key list) 0.26 s.

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
