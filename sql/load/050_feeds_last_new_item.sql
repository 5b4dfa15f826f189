update feeds
set last_new_item_at = load_context.loaded_at
from load_context
where feeds.feed_url in (select feed_url from load_articles where is_new);
