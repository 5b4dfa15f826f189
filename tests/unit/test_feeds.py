"""Feed configuration, URL identity, parsing real-world quirks, and the fetch stage on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import feeds, paths, sample_site, staging
from pipeline.errors import ConfigError

FEEDS_DIR = sample_site.SITE_DIR / "feeds"
BASE = "http://127.0.0.1:9/feeds/x.xml"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("HTTP://News.Example.COM:80/a/b?utm_source=rss&id=3#top", "http://news.example.com/a/b?id=3",
                     id="case-port-fragment-tracker"),
        pytest.param("  https://example.com/x\n  ", "https://example.com/x", id="whitespace-around-link"),
        pytest.param("/articles/a.html", "http://127.0.0.1:9/articles/a.html", id="relative-link"),
        pytest.param("https://e.com/p?b=2&a=1&fbclid=zz", "https://e.com/p?a=1&b=2", id="sorted-query"),
    ],
)
def test_canonical_url(raw, expected):
    assert feeds.canonical_url(raw, BASE) == expected


def test_article_id_is_the_same_for_tracked_and_clean_links():
    assert feeds.article_id("https://e.com/a?utm_medium=feed") == feeds.article_id("https://e.com/a")


def test_rss_items_resolve_relative_links():
    parsed = feeds.parse_entries((FEEDS_DIR / "world.xml").read_bytes(), BASE, "application/rss+xml")
    assert parsed.error is None and parsed.warning is None
    assert len(parsed.rows) >= 10
    assert all(r["url"].startswith("http://127.0.0.1:9/") for r in parsed.rows)
    assert all(r["published_at"] is not None for r in parsed.rows)


def test_atom_feed_parses():
    parsed = feeds.parse_entries((FEEDS_DIR / "minerals.atom").read_bytes(), BASE, "application/atom+xml")
    assert parsed.error is None and len(parsed.rows) >= 10
    assert all(r["title"] for r in parsed.rows)


def test_latin1_feed_with_whitespace_in_links_and_tracking_params():
    parsed = feeds.parse_entries((FEEDS_DIR / "briefings.xml").read_bytes(), BASE, "application/rss+xml")
    assert parsed.error is None
    urls = [r["url"] for r in parsed.rows]
    assert all(" " not in u and "\n" not in u and "utm_" not in u for u in urls)
    assert any(r["published_at"] is None for r in parsed.rows)  # one item has no pubDate
    text = " ".join((r["title"] or "") + (r["summary"] or "") for r in parsed.rows)
    assert "\ufffd" not in text and "Ã" not in text  # decoded as Latin-1, not mojibake


def test_merge_conflicted_feed_recovers_entries_with_a_warning():
    parsed = feeds.parse_entries((FEEDS_DIR / "broken.xml").read_bytes(), BASE, "application/rss+xml")
    assert parsed.rows and parsed.warning and "SAX" in parsed.warning


def test_html_served_as_a_feed_is_an_error():
    parsed = feeds.parse_entries(b"<!doctype html><html><body><p>moved</p></body></html>", BASE, "text/html")
    assert parsed.rows == [] and parsed.error


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(text)
    return path


def test_feeds_file_joins_base_url_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SITE", "http://127.0.0.1:5000")
    path = write(tmp_path, "base_url: ${SITE}\nfeeds:\n  - {name: a, url: /a.xml, topics: [us_japan]}\n")
    (source,) = feeds.load_sources(path)
    assert source.url == "http://127.0.0.1:5000/a.xml" and source.topics == ("us_japan",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("base_url: ${NOPE_UNSET}\nfeeds:\n  - {name: a, url: /a.xml}\n", "NOPE_UNSET", id="unset-variable"),
        pytest.param("feeds: []\n", "feeds", id="empty-list"),
        pytest.param("feeds:\n  - {name: a}\n", "feeds[0]", id="missing-url"),
        pytest.param("feeds:\n  - {name: a, url: /relative.xml}\n", "base_url", id="relative-without-base"),
        pytest.param("feeds:\n  - {name: a, url: 'http://x/a', interval_minutes: 0}\n", "interval_minutes",
                     id="bad-interval"),
        pytest.param("feeds: [\n", "not valid YAML", id="bad-yaml"),
    ],
)
def test_bad_feeds_file_names_what_to_fix(tmp_path, monkeypatch, text, message):
    monkeypatch.delenv("NOPE_UNSET", raising=False)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        feeds.load_sources(write(tmp_path, text))


def test_production_feeds_file_is_valid():
    sources = feeds.load_sources(feeds.settings.CONFIG_DIR / "feeds.yaml")
    assert len(sources) >= 8
    assert all(s.url.startswith("https://") for s in sources)
    topics = {t for s in sources for t in s.topics}
    assert topics == {"us_japan", "rare_earths"}


def test_shards_keep_each_host_together():
    hosts = [f"host{i}.example" for i in range(50)]
    assert all(feeds.shard_of(h, 4) == feeds.shard_of(h, 4) for h in hosts)
    assert {feeds.shard_of(h, 4) for h in hosts} == {0, 1, 2, 3}


def test_fetch_stage_records_failures_and_goes_on(sample_env):
    run = paths.run_dir("t-feeds")
    items = staging.read_rows(feeds.fetch_feeds(run, force=True))
    assert len({i["article_id"] for i in items}) >= 30
    log = staging.read_rows(run / "fetch_log" / "feeds-000.parquet")
    by_url = {}
    for row in log:
        by_url.setdefault(row["url"].rsplit("/", 1)[-1], []).append(row)
    assert {r["error_class"] for r in by_url["down.xml"]} == {"http_500"}
    assert by_url["not-a-feed.xml"][-1]["error_class"] == "parse_error"
    assert by_url["broken.xml"][-1]["error_class"] == "malformed_xml"
    states = {s["feed_url"].rsplit("/", 1)[-1]: s for s in staging.read_rows(run / "feed_state" / "000.parquet")}
    assert states["down.xml"]["status"] == "error" and states["down.xml"]["consecutive_failures"] == 1
    assert states["world.xml"]["status"] == "ok" and states["world.xml"]["last_modified"]
    counts = staging.read_counts(run)
    assert counts["feeds_failed"] == 2 and counts["feeds_ok"] == 4
