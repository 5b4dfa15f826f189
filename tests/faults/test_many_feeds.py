"""200 feeds fetched concurrently, 10% of them failing in random (seeded) ways.

The site is generated from the sample site's page templates (benchmarks/generator.py) and served
on eight loopback hosts (benchmarks/server.py). The feed shards are fetched and scraped in
parallel threads, as the DAG's mapped tasks run; then the shards are processed and loaded once.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest
import yaml

from benchmarks import generator, server
from pipeline import settings, staging
from pipeline.ingest import feeds
from pipeline.stages import load, runner, scrape
from pipeline.stages.feeds import fetch_feeds
from pipeline.stages.plan_pages import plan_pages
from tests.faults.conftest import PER_RUN_TABLES, contents, fast_options

SPEC = generator.SiteSpec(feeds=200, hosts=8, articles_per_feed=1, fault_share=0.1, seed=20251028)
SHARDS = 4
# The slow fault answers after 3 s; production timeouts would make the case cost a minute.
FAST_OPTIONS = fast_options(read_timeout_s=1.0, total_timeout_s=2.0)


def run_concurrently(run_id: str) -> dict:
    run = staging.run_dir(run_id)
    snapshot = settings.load().snapshot_path
    with ThreadPoolExecutor(SHARDS) as pool:
        items = list(pool.map(lambda s: fetch_feeds(run, s, SHARDS, snapshot=snapshot, run_id=run_id, force=True),
                              range(SHARDS)))
        plans = plan_pages(items, snapshot=snapshot)
        pages = list(pool.map(lambda p: scrape.scrape_articles(p, run_id=run_id), plans))
    for shard_pages in pages:
        runner.process_pages(shard_pages)
    return load.load_warehouse(run, run_id=run_id)


@pytest.fixture(scope="module")
def many_feeds(tmp_path_factory):
    root = tmp_path_factory.mktemp("many-feeds")
    site = generator.build_site(root / "site", SPEC)
    with server.serve(site.root, SPEC.hosts) as served, pytest.MonkeyPatch.context() as mp:
        listing = [{"name": f.name, "url": served.base(f.host) + f.path} for f in site.feeds]
        feeds_file = root / "feeds.yaml"
        feeds_file.write_text(yaml.safe_dump({"feeds": listing}))
        mp.setenv("NEWS_DATA_DIR", str(root / "data"))
        mp.setenv("NEWS_FEEDS_FILE", str(feeds_file))
        mp.setenv("NEWS_ALLOW_HOSTS", ",".join(served.addresses))
        mp.setenv("NEWS_MIN_INTERVAL_S", "0")
        mp.setenv("NEWS_MAX_PAGE_BYTES", "1000000")
        mp.setenv("NEWS_SHARDS", str(SHARDS))
        mp.setattr(feeds, "client_options", FAST_OPTIONS)
        first = run_concurrently("many-1")
        db = settings.load().duckdb_path
        after_first = contents(db)
        second = run_concurrently("many-2")
        yield {"site": site, "served": served, "urls": {f.name: served.base(f.host) + f.path for f in site.feeds},
               "first": first, "second": second, "after_first": after_first, "db": db}


def test_the_seeded_fault_mix_is_ten_percent_of_varied_faults(many_feeds):
    faults = Counter(f.fault for f in many_feeds["site"].feeds if f.fault)
    assert sum(faults.values()) == 20
    assert len(faults) >= 6


def test_every_failure_is_recorded_with_its_reason(many_feeds):
    with duckdb.connect(str(many_feeds["db"]), read_only=True) as con:
        state = {url: rest for url, *rest in con.execute(
            "select feed_url, last_status, last_error_class, last_error, consecutive_failures from feeds").fetchall()}
        logged = {url: cls for url, cls in con.execute(
            "select url, last(error_class order by fetched_at, attempt) from fetch_log "
            "where kind = 'feed' and run_id = 'many-1' group by url").fetchall()}
    assert len(state) == SPEC.feeds
    for feed in many_feeds["site"].feeds:
        url = many_feeds["urls"][feed.name]
        status, error_class, error, failures = state[url]
        if feed.fault:
            expected = generator.FAULTS[feed.fault]
            assert (status, error_class, logged[url]) == ("error", expected, expected), feed
            assert error and failures == 2, feed  # both runs failed; the feed is backed off, not dropped
        else:
            assert (status, error_class) == ("not_modified", None), feed
    first = many_feeds["first"]
    assert (first["count_feeds_ok"], first["count_feeds_failed"]) == (180, 20)


def test_the_good_feeds_articles_land_exactly_once(many_feeds):
    site, served = many_feeds["site"], many_feeds["served"]
    expected = sorted(served.base(host).replace("http://", "") + path for host, path in site.good_articles)
    with duckdb.connect(str(many_feeds["db"]), read_only=True) as con:
        loaded = sorted(u.removeprefix("http://") for (u,) in con.execute("select canonical_url from articles").fetchall())
        statuses = Counter(s for (s,) in con.execute("select page_status from articles").fetchall())
    assert loaded == expected
    assert statuses == {"ok": len(expected)}
    assert many_feeds["first"]["count_articles_new"] == len(expected)


def test_a_rerun_fetches_no_page_again_and_duplicates_nothing(many_feeds):
    second = many_feeds["second"]
    assert second["count_articles_new"] == 0 and second["count_pages_fetched"] == 0
    assert second["count_feeds_not_modified"] == 180
    assert contents(many_feeds["db"], skip=PER_RUN_TABLES) == {
        t: rows for t, rows in many_feeds["after_first"].items() if t not in PER_RUN_TABLES}
    with duckdb.connect(str(many_feeds["db"]), read_only=True) as con:
        pages = con.execute("select count(*) from fetch_log where run_id = 'many-2' and kind = 'page'").fetchone()
    assert pages == (0,)


def test_the_site_served_each_page_once(many_feeds):
    hits = Counter()
    for s in many_feeds["served"].servers:
        hits.update({p: n for p, n in s.hits.items() if p.startswith("/articles/")})
    assert hits and set(hits.values()) == {1}
    assert Path(many_feeds["db"]).exists()
