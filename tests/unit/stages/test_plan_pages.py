"""The re-shard: every feed shard's new items, split by page host into one plan file per shard."""

from __future__ import annotations

from pipeline import staging
from pipeline.ingest.feeds import shard_of
from pipeline.stages import plan_pages, schemas


def test_pages_are_resharded_by_page_host_across_feed_shards(tmp_path):
    hosts = [f"publisher{i}.example" for i in range(12)]
    items = []
    for feed_shard in range(3):  # every feed shard lists a page of every publisher
        rows = [{"article_id": f"{feed_shard}-{h}", "url": f"https://{h}/story-{feed_shard}"} for h in hosts]
        items.append(staging.write_rows(tmp_path / "items" / f"{feed_shard:03d}.parquet", rows, schemas.ITEMS))
    plans = plan_pages.plan_pages(items, snapshot=tmp_path / "no-snapshot.duckdb")
    assert [p.name for p in plans] == ["000.parquet", "001.parquet", "002.parquet"]
    seen: dict[str, int] = {}
    for shard, plan in enumerate(plans):
        for item in staging.read_rows(plan):
            host = item["url"].split("/")[2]
            assert seen.setdefault(host, shard) == shard  # one host, one scrape shard
            assert shard_of(host, 3) == shard
    assert set(seen) == set(hosts)
    assert sum(len(staging.read_rows(p)) for p in plans) == 36
    assert staging.read_counts(tmp_path) == {"items_known": 0}


def test_an_article_listed_twice_is_planned_once(tmp_path):
    row = {"article_id": "a", "url": "https://news.example/a"}
    items = [staging.write_rows(tmp_path / "items" / f"{s:03d}.parquet", [row], schemas.ITEMS) for s in range(2)]
    plans = plan_pages.plan_pages(items, snapshot=tmp_path / "no-snapshot.duckdb")
    assert sum(len(staging.read_rows(p)) for p in plans) == 1
    assert staging.read_counts(tmp_path) == {"items_known": 1}
