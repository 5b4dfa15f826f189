"""Feed configuration, parsing real-world quirks, and the fetch stage on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import sample_site, settings, staging
from pipeline.errors import ConfigError
from pipeline.ingest import feeds
from pipeline.stages.boundary import contained
from pipeline.stages.feeds import fetch_feeds

FEEDS_DIR = sample_site.SITE_DIR / "feeds"
BASE = "http://127.0.0.1:9/feeds/x.xml"


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


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        pytest.param("defaults: [30]\nfeeds:\n  - {name: a, url: 'http://x/a'}\n", "defaults:",
                     "a mapping", id="defaults-not-a-mapping"),
        pytest.param("feeds:\n  - {name: a, url: 'http://[::1'}\n", "feeds[0].url:", "http(s) URL",
                     id="unparsable-url"),
        pytest.param("feeds:\n  - {name: a, url: 'http://x/a', topics: us_japan}\n", "feeds[0].topics:",
                     "valid list", id="topics-a-string"),
        pytest.param("feeds:\n  - {name: a, url: 'http://x/a'}\n  - {name: b, url: 'http://x/b', "
                     "interval_minutes: true}\n", "feeds[1].interval_minutes:", "valid integer, got True",
                     id="interval-a-bool"),
        pytest.param("feeds:\n  - {name: a, url: 'http://x/a', intervl_minutes: 5}\n",
                     "feeds[0].intervl_minutes:", "unknown key", id="unknown-feed-key"),
        pytest.param("feed_defaults: {}\nfeeds:\n  - {name: a, url: 'http://x/a'}\n", "feed_defaults:",
                     "unknown key", id="unknown-top-key"),
    ],
)
def test_feeds_file_schema_names_file_key_path_and_what_was_expected(tmp_path, text, key, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        feeds.load_sources(path)
    message = str(raised.value)
    assert str(path) in message and key in message and expected in message


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
    run = staging.run_dir("t-feeds")
    items = staging.read_rows(fetch_feeds(run, snapshot=settings.load().snapshot_path, force=True))
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


def rss(items: str, doctype: str = "") -> bytes:
    return (f'<?xml version="1.0"?>\n{doctype}<rss version="2.0"><channel><title>t</title><link>/</link>'
            f"<description>d</description>{items}</channel></rss>").encode()


def rss_item(link: str, guid: str, date: str | None = "Mon, 20 Oct 2025 08:00:00 GMT", title: str = "t") -> str:
    pub = f"<pubDate>{date}</pubDate>" if date else ""
    return f"<item><title>{title}</title><link>{link}</link><guid>{guid}</guid>{pub}</item>"


def test_a_dtd_declaring_entities_is_refused_before_parsing():
    levels = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    body = rss(rss_item("/a", "a", title="&l9;"), doctype=f'<!DOCTYPE rss [<!ENTITY l0 "lol">{levels}]>\n')
    parsed = feeds.parse_entries(body, BASE)
    assert parsed.rows == [] and parsed.error and parsed.error_class == "xml_entities"


def encoded_rss(items: str, encoding: str, doctype: str = "", declare: str | None = None) -> bytes:
    """An RSS document encoded in ``encoding``, its XML declaration naming ``declare`` (default: the same)."""
    text = rss(items, doctype).decode().replace('<?xml version="1.0"?>',
                                                 f'<?xml version="1.0" encoding="{declare or encoding}"?>')
    body = text.encode(encoding)
    if encoding == "utf-7":  # UTF-7 may spell "<!" in base64, so the raw bytes never hold "<!ENTITY"
        body = body.replace(b"<!", b"+ADwAIQ-")
    return body


ENTITIES = '<!DOCTYPE rss [<!ENTITY e "expanded">]>\n'


@pytest.mark.parametrize(("encoding", "declare", "content_type"), [
    ("utf-16", None, ""),                                     # BOM, little-endian
    ("utf-16-be", "utf-16be", ""),                            # no BOM: sniffed from "<?xml"
    ("utf-16-le", "utf-16le", "application/rss+xml"),
    ("utf-32", None, ""),
    ("utf-32-be", "utf-32be", ""),
    ("utf-8-sig", "utf-8", ""),
    ("utf-7", "utf-7", ""),                                   # named by the declaration only
    ("utf-7", "utf-8", "application/rss+xml; charset=utf-7"),  # named by the HTTP charset only
])
def test_entity_declarations_are_found_in_any_encoding_the_parser_would_read(encoding, declare, content_type):
    body = encoded_rss(rss_item("/a", "a", title="&e;"), encoding, ENTITIES, declare)
    assert b"<!ENTITY" not in body or encoding == "utf-8-sig"
    parsed = feeds.parse_entries(body, BASE, content_type)
    assert parsed.rows == [] and parsed.error_class == "xml_entities"


@pytest.mark.parametrize(("encoding", "declare"), [("utf-16", None), ("utf-16-be", "utf-16be"), ("utf-32", None),
                                                   ("utf-8-sig", "utf-8")])
def test_a_feed_in_utf16_or_utf32_without_entities_still_parses(encoding, declare):
    body = encoded_rss(rss_item("/a", "a", title="Größe – ein Titel"), encoding, declare=declare)
    parsed = feeds.parse_entries(body, BASE, "application/rss+xml")
    assert parsed.error is None
    assert [r["title"] for r in parsed.rows] == ["Größe – ein Titel"]


def test_a_charset_python_does_not_know_is_no_reading_at_all():
    body = rss(rss_item("/a", "a")).replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="rot13"?>')
    assert feeds.parse_entries(body, BASE, "application/rss+xml; charset=no-such-charset").error_class != "xml_entities"


def test_a_doctype_without_entities_is_fine():
    doctype = ('<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
               '"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n')
    parsed = feeds.parse_entries(rss(rss_item("/a", "a"), doctype=doctype), BASE)
    assert parsed.error is None and len(parsed.rows) == 1


def test_each_article_is_listed_once_and_a_shared_guid_does_not_merge_two_links():
    items = (rss_item("/a", "g1", title="first") + rss_item("/b", "g1") + rss_item("/a?utm_source=x", "g2")
             + rss_item("/a", "g1", title="again"))
    rows = feeds.parse_entries(rss(items), BASE).rows
    assert [r["url"].rsplit("/", 1)[-1] for r in rows] == ["a", "b"]
    assert rows[0]["title"] == "first"


def test_a_date_in_the_future_is_clamped_to_the_fetch_time():
    from datetime import UTC, datetime, timedelta

    soon = (datetime.now(UTC) + timedelta(hours=2)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    items = rss_item("/far", "1", date="Sat, 01 Jan 2099 00:00:00 GMT") + rss_item("/soon", "2", date=soon)
    far, near = feeds.parse_entries(rss(items), BASE).rows
    assert far["published_at"] == far["seen_at"]
    assert near["published_at"] > near["seen_at"]  # within a day: clock skew, kept as published


def test_a_long_retry_after_backs_the_feed_off_until_then(tmp_path, monkeypatch):
    import httpx

    monkeypatch.setenv("NEWS_ALLOW_HOSTS", "news.test")

    def handler(request):
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(429, headers={"Retry-After": "86400"})

    run = staging.run_dir("t-429")
    source = feeds.FeedSource("limited", "http://news.test/feed.xml", interval_minutes=30)
    fetch_feeds(run, snapshot=settings.load().snapshot_path, sources=[source],
                transport=httpx.MockTransport(handler))
    (state,) = staging.read_rows(run / "feed_state" / "000.parquet")
    assert state["error_class"] == "http_429"
    assert (state["next_due_at"] - state["fetched_at"]).total_seconds() >= 86400


def _dated(*hours_ago: float) -> list[dict]:
    from datetime import UTC, datetime, timedelta

    now = datetime(2026, 1, 1, tzinfo=UTC)
    return [{"published_at": now - timedelta(hours=h)} for h in hours_ago]


@pytest.mark.parametrize(
    ("items", "expected_minutes"),
    [
        pytest.param(_dated(0, 1, 2, 3, 4), 30, id="hourly-feed-polled-at-the-configured-floor"),
        pytest.param(_dated(0, 6, 12, 18), 180, id="six-hourly-feed-polled-every-three-hours"),
        pytest.param(_dated(0, 72, 144), 720, id="slow-feed-capped-at-twelve-hours"),
        pytest.param([{"published_at": None}], 30, id="undated-feed-uses-the-configured-interval"),
    ],
)
def test_polling_adapts_to_the_feed_rhythm(items, expected_minutes):
    source = feeds.FeedSource("f", "https://example.com/feed", interval_minutes=30)
    interval = feeds.poll_interval(source, feeds.median_gap_minutes(items))
    assert interval.total_seconds() / 60 == expected_minutes


@pytest.mark.parametrize(("date", "kept"), [
    pytest.param("Mon, 20 Oct 2025 08:00:00 GMT", False, id="changed-in-the-second-it-was-served"),
    pytest.param("Mon, 20 Oct 2025 08:00:10 GMT", True, id="ten-seconds-old"),
])
def test_a_last_modified_within_a_second_of_date_is_not_used_for_conditional_get(monkeypatch, date, kept):
    """RFC 9110 8.8.2.2: such a date is weak; a 304 on it would hide a change made in that same second."""
    import httpx

    monkeypatch.setenv("NEWS_ALLOW_HOSTS", "news.test")
    modified = "Mon, 20 Oct 2025 08:00:00 GMT"

    def handler(request):
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(200, headers={"content-type": "application/rss+xml", "last-modified": modified,
                                            "date": date}, content=rss(rss_item("/a.html", "a")))

    run = staging.run_dir("t-weak")
    fetch_feeds(run, snapshot=settings.load().snapshot_path,
                sources=[feeds.FeedSource("f", "http://news.test/feed.xml")], transport=httpx.MockTransport(handler))
    (state,) = staging.read_rows(run / "feed_state" / "000.parquet")
    assert state["last_modified"] == (modified if kept else None)


def _rss(*items: str) -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Hostile</title>'
            + "".join(items) + "</channel></rss>").encode()


def _item(link: str, title: str) -> str:
    return f"<item><title>{title}</title><link>{link}</link><description>About {title}.</description></item>"


@pytest.mark.parametrize("ref", ["&#xD800;", "&#55296;", "&#x110000;", "&#x0;", "&#x" + "0" * 20 + "D800;",
                                 "&#" + "0" * 5000 + "55296;", "&#" + "9" * 25 + ";", "&#x" + "f" * 5000 + ";"])
def test_a_reference_to_no_character_is_replaced_and_flagged(ref):
    body = _rss(_item("/articles/bad.html", f"Bad {ref} title"), _item("/articles/good.html", "Good title"))
    parsed = feeds.parse_entries(body, BASE, "application/rss+xml")
    titles = {r["url"].rsplit("/", 1)[-1]: r["title"] for r in parsed.rows}
    assert titles == {"bad.html": "Bad \ufffd title", "good.html": "Good title"}
    assert [url for url, _ in parsed.replaced] == ["http://127.0.0.1:9/articles/bad.html"]
    assert all(r["title"].encode("utf-8") for r in parsed.rows)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize("ref", ["&#xD800;", "&#x110000;"])
def test_a_reference_to_no_character_in_a_utf16_or_utf32_feed_is_replaced_and_flagged(ref, encoding):
    """Found by tests/fuzz: the references were matched in the raw bytes only, so in a wide encoding
    feedparser raised (UnicodeEncodeError, ValueError) and the whole feed failed."""
    text = _rss(_item("/articles/bad.html", f"Bad {ref} title"), _item("/articles/good.html", "Good title")).decode()
    body = text.replace('encoding="utf-8"', f'encoding="{encoding}"').encode(encoding)
    parsed = feeds.parse_entries(body, BASE, "application/rss+xml")
    titles = {r["url"].rsplit("/", 1)[-1]: r["title"] for r in parsed.rows}
    assert titles == {"bad.html": "Bad \ufffd title", "good.html": "Good title"}
    assert [url for url, _ in parsed.replaced] == ["http://127.0.0.1:9/articles/bad.html"]


def test_a_link_that_names_no_page_fails_only_its_entry_inside_a_guard():
    body = _rss(_item("http://example.com:99999/a", "Port too big"), _item("http://[::1/b", "Broken IPv6"),
                _item("http://[2001:db8::1]/c", "IPv6 literal"), _item("/articles/good.html", "Good"))
    with pytest.raises(ValueError):  # unguarded, the entry's failure is the feed's
        feeds.parse_entries(body, BASE, "application/rss+xml")
    failed: list[tuple[str, str]] = []

    def guard(link: str):
        return contained(link, lambda error_class, reason: failed.append((link, error_class)))

    parsed = feeds.parse_entries(body, BASE, "application/rss+xml", guard)
    assert [r["url"] for r in parsed.rows] == ["http://[2001:db8::1]/c", "http://127.0.0.1:9/articles/good.html"]
    # feedparser itself drops the unparseable ``http://[::1/b`` (it cannot join it to the feed's URL)
    assert failed == [("http://example.com:99999/a", "ValueError")]


# -- the cap on new items per feed per run (issue 16 case 7) -----------------------------------


def _capped_items(n: int) -> list[dict]:
    """``n`` items, the feed's order oldest first, one undated."""
    from datetime import UTC, datetime, timedelta
    start = datetime(2025, 10, 1, tzinfo=UTC)
    items = [{"article_id": f"a{i}", "published_at": start + timedelta(hours=i)} for i in range(n)]
    items[0]["published_at"] = None
    return items


def test_the_cap_keeps_the_newest_new_items_and_stored_ones_do_not_count():
    items = _capped_items(10)
    stored = {"a9", "a8", "a2"}
    cap = feeds.ItemCap(3, lambda ids: {i for i in ids if i in stored})
    kept, waiting = feeds.cap_new_items(items, cap)
    assert [i["article_id"] for i in kept] == ["a2", "a5", "a6", "a7", "a8", "a9"]
    assert waiting == 4  # a0 (undated, last), a1, a3, a4


def test_a_feed_under_the_cap_is_unchanged():
    items = _capped_items(3)
    kept, waiting = feeds.cap_new_items(items, feeds.ItemCap(3, lambda ids: set()))
    assert kept == items and waiting == 0


def test_a_capped_feed_keeps_no_validators_and_stays_due():
    import httpx

    from pipeline.ingest.http import ClientOptions, FetchLog, PoliteClient

    body = rss("".join(rss_item(f"/a/{i}.html", f"g{i}", f"Mon, {i + 1:02d} Sep 2025 08:00:00 GMT")
                       for i in range(20)))

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(200, content=body, headers={"content-type": "application/rss+xml", "etag": '"v1"'})

    client = PoliteClient(ClientOptions(user_agent="t", allow_hosts=frozenset({"news.test"}), min_interval_s=0),
                          FetchLog("r"), transport=httpx.MockTransport(handler))
    result = feeds.ShardResult()
    source = feeds.FeedSource("big", "http://news.test/feed.xml")
    feeds.fetch_one(client, source, feeds.FeedState(), result, cap=feeds.ItemCap(5, lambda ids: set()))
    assert sorted(i["url"].rsplit("/", 1)[1] for i in result.items) == [f"{i}.html" for i in range(15, 20)]
    (state,) = result.states
    assert state["status"] == "ok" and state["etag"] is None and state["body_hash"] is None
    assert state["next_due_at"] <= state["fetched_at"]
    assert result.counts["items_deferred"] == 15 and result.counts["feeds_capped"] == 1
    (note,) = [r for r in client.log.rows if r["error_class"] == "deferred_item_cap"]
    assert "NEWS_MAX_NEW_ITEMS_PER_FEED=5" in note["error"] and "15 wait for the next run" in note["error"]
