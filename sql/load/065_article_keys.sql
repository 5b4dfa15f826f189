-- Remember the loaded articles' lookup keys with their cluster, for the copies of later runs.
-- A page fetched on retry adds the keys of its full text to the keys it already has.
insert into article_keys (article_id, story_cluster_id, band_keys)
select
    load_keys.article_id,
    min(load_articles.story_cluster_id) as story_cluster_id,
    list_sort(list(distinct load_keys.band_key)) as band_keys
from load_keys
inner join load_articles using (article_id)
group by load_keys.article_id
on conflict (article_id) do update set
    band_keys = list_sort(list_distinct(list_concat(article_keys.band_keys, excluded.band_keys)));
