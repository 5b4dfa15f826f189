-- Remember the loaded articles' lookup keys with their cluster, for the copies of later runs.
-- A page fetched on retry adds the keys of its full text to the cluster it already has.
insert into story_bands (band_key, article_id, story_cluster_id)
select load_keys.band_key, load_keys.article_id, load_articles.story_cluster_id
from load_keys
inner join load_articles using (article_id)
on conflict do nothing;
