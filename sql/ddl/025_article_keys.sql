-- Lookup keys of stored articles, one row per article, with the story cluster it joined, so that
-- a new copy of a story finds its cluster whatever the size of the history (sql/load/030):
--   '<band>:<hex>'      LSH band keys of the text (pipeline/dedup.py): near-copies;
--   'text:<text_hash>'  the normalised text (30 words or more): exact copies;
--   'url:<url>'         the article's canonical URL, and the rel=canonical URL its page declares.
--
-- It replaces story_bands (sql/ddl/015), which kept one row per key under a (band_key, article_id)
-- primary key. Measured with benchmarks/history.py at 1,000,000 stored articles (~10 M keys): that
-- key's index made story_bands 820 MB of a 1.1 GB file, and every load paid for it twice, in the
-- checkpoint and in the snapshot copy. One row per article keyed by article_id holds the same keys
-- in 170 MB, and the lookup (unnest, then a vectorised filter on the key list) costs the same.
create table if not exists article_keys (
    article_id varchar primary key,
    story_cluster_id varchar not null,
    band_keys varchar[] not null
);

insert into article_keys (article_id, story_cluster_id, band_keys)
select article_id, min(story_cluster_id) as story_cluster_id, list_sort(list(distinct band_key)) as band_keys
from story_bands
group by article_id
on conflict do nothing;

drop table story_bands;
