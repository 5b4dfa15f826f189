"""Raw HTML storage and the choice of which items to fetch."""

from __future__ import annotations

import gzip

from pipeline.stages import scrape


def test_raw_html_is_stored_once_per_content(tmp_path):
    first = scrape.store_raw(tmp_path, b"<html>same</html>")
    again = scrape.store_raw(tmp_path, b"<html>same</html>")
    other = scrape.store_raw(tmp_path, b"<html>other</html>")
    assert first == again and first != other
    assert gzip.decompress(first.read_bytes()) == b"<html>same</html>"
    assert len(list(tmp_path.rglob("*.html.gz"))) == 2


def test_items_are_fetched_once_per_article_id():
    items = [{"article_id": "a", "url": "http://x/a"}, {"article_id": "a", "url": "http://x/a?utm_source=rss"},
             {"article_id": "b", "url": "http://x/b"}]
    todo, skipped = scrape.select_new(items)
    assert [i["article_id"] for i in todo] == ["a", "b"] and skipped == 1


def test_pages_are_resharded_by_page_host_across_feed_shards(tmp_path):
    from pipeline import staging
    from pipeline.ingest import feeds
    from pipeline.stages import schemas

    hosts = [f"publisher{i}.example" for i in range(12)]
    for feed_shard in range(3):  # every feed shard lists a page of every publisher
        rows = [{"article_id": f"{feed_shard}-{h}", "url": f"https://{h}/story-{feed_shard}"} for h in hosts]
        staging.write_rows(tmp_path / "items" / f"{feed_shard:03d}.parquet", rows, schemas.ITEMS)
    seen: dict[str, int] = {}
    for shard in range(3):
        for item in scrape.shard_items(tmp_path / "items" / f"{shard:03d}.parquet"):
            host = item["url"].split("/")[2]
            assert seen.setdefault(host, shard) == shard  # one host, one scrape shard
            assert feeds.shard_of(host, 3) == shard
    assert set(seen) == set(hosts)
    assert sum(len(scrape.shard_items(tmp_path / "items" / f"{s:03d}.parquet")) for s in range(3)) == 36
