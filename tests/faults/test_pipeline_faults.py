"""The fault suite: the real stages against a loopback site that misbehaves on purpose.

For each fault the stage returns normally, the item is recorded with a clear reason (``fetch_log``,
feed state, the article's ``page_status``) and every good item lands exactly once. The slow faults
stay quick because the client's timeouts are shrunk for the test (``fast_options`` in conftest).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipeline import settings, staging
from pipeline.ingest import feeds
from pipeline.ingest.feeds import FeedSource
from pipeline.ingest.http import MAX_RETRY_AFTER_S
from pipeline.stages import extract, runner, scrape
from pipeline.stages.feeds import fetch_feeds
from pipeline.stages.plan_pages import plan_pages
from tests.e2e import checks
from tests.faults.conftest import fast_options
from tests.fixtures import faulty_site

MAX_BYTES = 1_000_000


# The read timeout (1.5 s) outlasts the drip's one byte per second, so the drip is ended by the
# total timeout (2.5 s), not by the per-read one.
FAST_OPTIONS = fast_options(read_timeout_s=1.5, total_timeout_s=2.5)


@contextmanager
def faulty_env(data_dir: Path, **extra: str) -> Iterator[pytest.MonkeyPatch]:
    """Settings for a run against the faulty site; undone on exit, so module fixtures can use it."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEWS_DATA_DIR", str(data_dir))
        for name in ("NEWS_DUCKDB_PATH", "NEWS_SNAPSHOT_PATH", "NEWS_FEEDS_FILE"):
            mp.delenv(name, raising=False)
        mp.setenv("NEWS_ALLOW_HOSTS", "127.0.0.1")
        mp.setenv("NEWS_MIN_INTERVAL_S", "0")
        mp.setenv("NEWS_MAX_PAGE_BYTES", str(MAX_BYTES))
        mp.setenv("NEWS_SHARDS", "1")
        # Every fault shares the one loopback host: host-down skipping (tests/faults/test_dead_hosts.py) would
        # defer the faults after the third in a row, so this file, which checks each fault alone, turns it off.
        mp.setenv("NEWS_HOST_DOWN_AFTER", "0")
        for name, value in extra.items():
            mp.setenv(name, value)
        mp.setattr(feeds, "client_options", FAST_OPTIONS)
        yield mp


@pytest.fixture(scope="module")
def site(shared_dir) -> Iterator[faulty_site.FaultyServer]:
    with faulty_site.serve(shared_dir / "corpus" / "feeds") as server:
        yield server


def by_slug(rows: list[dict[str, Any]], key: str = "url") -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        slug = row[key].split("/", 3)[-1].split("?")[0].rsplit(".", 1)[0]
        slug = slug.removeprefix("articles/").removeprefix("feeds/").removeprefix("corpus/")
        out.setdefault(slug, []).append(row)
    return out


# -- page-level faults: feeds -> scrape -> extract, once for the module -----------------------------


@pytest.fixture(scope="module")
def page_run(site, tmp_path_factory) -> dict[str, Any]:
    data = tmp_path_factory.mktemp("pages") / "data"
    with faulty_env(data):
        run = staging.run_dir("faults-pages")
        sources = [FeedSource(name, f"{site.url}/feeds/{name}.xml") for name in ("good", "quirks", "malformed")]
        snapshot = settings.load().snapshot_path
        items_path = fetch_feeds(run, snapshot=snapshot, run_id="faults-pages", sources=sources, force=True)
        (plan_path,) = plan_pages([items_path], snapshot=snapshot)
        pages_path = scrape.scrape_articles(plan_path, run_id="faults-pages")
        articles_path = extract.extract_articles(pages_path)
    log = staging.read_rows(run / "fetch_log" / "pages-000.parquet")
    return {
        "items": staging.read_rows(items_path),
        "pages": staging.read_rows(pages_path),
        "articles": staging.read_rows(articles_path),
        "page_log": by_slug(log),
        "counts": staging.read_counts(run),
    }


@pytest.mark.parametrize(
    ("slug", "page_status", "error_class", "requests"),
    [
        pytest.param("gone-404", "gave_up", "http_404", 1, id="404"),
        pytest.param("gone-410", "gave_up", "http_410", 1, id="410"),
        pytest.param("error-500", "failed", "http_500", 2, id="500"),
        pytest.param("error-503", "failed", "http_503", 2, id="503"),
        pytest.param("retry-later", "failed", "http_429", 1, id="429-retry-after-too-long"),
        pytest.param("slow", "failed", "timeout", 2, id="timeout"),
        pytest.param("reset", "failed", "network", 2, id="connection-reset-mid-body"),
        pytest.param("drip", "failed", "timeout", 2, id="drip-one-byte-per-second"),
        pytest.param("loop", "gave_up", "too_many_redirects", 1, id="redirect-loop"),
        pytest.param("metadata", "blocked", "blocked_address", 1, id="redirect-to-metadata-address"),
        pytest.param("huge", "gave_up", "too_large", 1, id="oversized-body"),
        pytest.param("bomb", "gave_up", "too_large", 1, id="gzip-bomb"),
        pytest.param("private/disallowed", "blocked", "robots_disallowed", 1, id="robots-disallowed"),
    ],
)
def test_page_fault_is_recorded_and_the_article_kept_once(page_run, slug, page_status, error_class, requests):
    articles = by_slug(page_run["articles"])[slug]
    assert len(articles) == 1
    (article,) = articles
    assert (article["page_status"], article["error_class"]) == (page_status, error_class)
    # The article is not lost: the feed's summary stands in, flagged as truncated.
    assert article["text_source"] == "summary" and article["is_truncated"]
    log = page_run["page_log"][slug]
    assert log[-1]["error_class"] == error_class
    # Retryable faults are tried again within the run (then left for the next run); a Retry-After
    # longer than a run should wait, and permanent faults, are not.
    assert [r["attempt"] for r in log] == list(range(1, requests + 1))


def test_a_short_retry_after_is_waited_out_and_the_page_lands(page_run):
    log = page_run["page_log"]["busy-once"]
    assert [(r["status"], r["error_class"]) for r in log] == [(429, "http_429"), (200, None)]
    (article,) = by_slug(page_run["articles"])["busy-once"]
    assert article["page_status"] == "ok" and article["text_source"] == "page"


def test_drip_and_timeout_end_within_the_total_timeout(page_run):
    for slug in ("drip", "slow"):
        assert all(r["duration_ms"] < 4000 for r in page_run["page_log"][slug]), slug
    # every read of the drip gets a byte in time: only the total deadline can stop it
    assert "took longer than" in page_run["page_log"]["drip"][-1]["error"]


@pytest.mark.parametrize(
    ("slug", "language", "phrase"),
    [
        pytest.param("sjis", "ja", "横浜港の管理組合", id="shift-jis-declared-in-header"),
        pytest.param("gb2312", "zh", "上海港务部门", id="gb2312-declared-in-meta-only"),
    ],
)
def test_legacy_encodings_are_decoded(page_run, slug, language, phrase):
    (article,) = by_slug(page_run["articles"])[slug]
    assert article["page_status"] == "ok" and article["text_source"] == "page"
    assert phrase in article["text"] and "\ufffd" not in article["text"]
    assert article["language"] == language


def test_good_pages_land_exactly_once(page_run):
    good = ["good-1", "good-2", "busy-once", "sjis", "gb2312", "recovered", "quirk-guid-a", "quirk-guid-b",
            "quirk-undated", "quirk-nodate", "quirk-future"]
    articles = by_slug(page_run["articles"])
    for slug in good:
        assert len(articles[slug]) == 1, slug
        assert articles[slug][0]["page_status"] == "ok" and articles[slug][0]["text_source"] == "page", slug
    for stage in ("items", "pages", "articles"):
        ids = [r["article_id"] for r in page_run[stage]]
        assert len(ids) == len(set(ids)), stage
    assert page_run["counts"]["pages_ok"] == len(good)


def test_duplicate_guids_and_repeated_links_stage_each_article_once(page_run):
    quirks = by_slug([r for r in page_run["items"] if r["feed_url"].endswith("/quirks.xml")])
    # The same GUID with another link is another article; the same link again (verbatim, or with a
    # tracker) is not.
    assert {slug: len(rows) for slug, rows in quirks.items()} == {
        "quirk-guid-a": 1, "quirk-guid-b": 1, "quirk-undated": 1, "quirk-nodate": 1, "quirk-future": 1}
    assert quirks["quirk-guid-a"][0]["title"] == "Shared GUID, first link"  # the first entry wins


def test_missing_and_future_dates(page_run):
    articles = {k: v[0] for k, v in by_slug(page_run["articles"]).items()}
    assert articles["good-1"]["published_source"] == "feed"
    undated = articles["quirk-undated"]
    assert undated["published_source"] == "page"
    assert undated["published_at"] == datetime(2025, 10, 20, 8, tzinfo=UTC)
    nodate = articles["quirk-nodate"]
    assert nodate["published_source"] == "none" and nodate["published_at"] is None
    future = articles["quirk-future"]
    assert future["published_source"] == "feed"
    assert future["published_at"] == future["seen_at"]  # clamped to the time the feed was read
    assert future["published_at"] < datetime.now(UTC) + timedelta(days=1)


# -- feed-level faults: fetch_feeds over one feed per fault -----------------------------------------

FEED_FAULTS = ["gone-404", "gone-410", "error-500", "error-503", "retry-later", "busy-once", "slow", "reset",
               "drip", "loop", "metadata", "huge", "bomb", "entities", "malformed", "html"]
CORPUS = ["BROKEN_ft_merge-conflict_2025-04-18.rss.xml", "rssparser_unrecognized.rss",
          "rssparser_qq_news_gb2312.xml", "rssparser_encoding.rss", "rssparser_uolNoticias.rss",
          "rssparser_heise.atom", "rssparser_guardian.rss", "whitehouse_briefing_room_2026-08-21.rss.xml",
          "wsj_world_2025-06-28.rss.xml", "wsj_world_2025-07-23.rss.xml"]


@pytest.fixture(scope="module")
def feed_run(site, tmp_path_factory) -> dict[str, Any]:
    data = tmp_path_factory.mktemp("feeds") / "data"
    sources = [FeedSource(name, f"{site.url}/feeds/{name}.xml") for name in FEED_FAULTS]
    sources += [FeedSource(name, f"{site.url}/corpus/{name}") for name in CORPUS]
    with faulty_env(data):
        run = staging.run_dir("faults-feeds")
        items_path = fetch_feeds(run, snapshot=settings.load().snapshot_path, run_id="faults-feeds",
                                 sources=sources, force=True)
    states = staging.read_rows(run / "feed_state" / "000.parquet")
    return {
        "items": staging.read_rows(items_path),
        "states": {s["feed_url"].rsplit("/", 1)[-1].removesuffix(".xml"): s for s in states},
        "n_states": len(states),
        "log": by_slug(staging.read_rows(run / "fetch_log" / "feeds-000.parquet")),
        "counts": staging.read_counts(run),
    }


@pytest.mark.parametrize(
    ("feed", "status", "error_class"),
    [
        pytest.param("gone-404", "error", "http_404", id="404"),
        pytest.param("gone-410", "error", "http_410", id="410"),
        pytest.param("error-500", "error", "http_500", id="500"),
        pytest.param("error-503", "error", "http_503", id="503"),
        pytest.param("retry-later", "error", "http_429", id="429-retry-after-too-long"),
        pytest.param("busy-once", "ok", None, id="429-retry-after-honoured"),
        pytest.param("slow", "error", "timeout", id="timeout"),
        pytest.param("reset", "error", "network", id="connection-reset-mid-body"),
        pytest.param("drip", "error", "timeout", id="drip-one-byte-per-second"),
        pytest.param("loop", "error", "too_many_redirects", id="redirect-loop"),
        pytest.param("metadata", "error", "blocked_address", id="redirect-to-metadata-address"),
        pytest.param("huge", "error", "too_large", id="oversized-body"),
        pytest.param("bomb", "error", "too_large", id="gzip-bomb"),
        pytest.param("entities", "error", "xml_entities", id="xml-entity-bomb"),
        pytest.param("malformed", "ok", "malformed_xml", id="malformed-xml-recovered"),
        pytest.param("html", "error", "parse_error", id="html-page-served-as-feed"),
    ],
)
def test_feed_fault_is_recorded_and_backed_off(feed_run, feed, status, error_class):
    state = feed_run["states"][feed]
    assert (state["status"], state["error_class"]) == (status, error_class)
    assert feed_run["log"][feed][-1]["error_class"] == error_class
    if status == "error":
        assert state["consecutive_failures"] == 1
        assert state["next_due_at"] > state["fetched_at"] + timedelta(minutes=30)  # backed off, not dropped


def test_a_long_retry_after_is_not_waited_out_but_respected(feed_run):
    state = feed_run["states"]["retry-later"]
    assert len(feed_run["log"]["retry-later"]) == 1  # no retry within the run
    assert faulty_site.RETRY_LATER_S > MAX_RETRY_AFTER_S
    assert state["next_due_at"] >= state["fetched_at"] + timedelta(seconds=faulty_site.RETRY_LATER_S)


def test_the_entity_bomb_is_refused_before_parsing(feed_run):
    state = feed_run["states"]["entities"]
    assert "entities" in state["error"]
    assert not [i for i in feed_run["items"] if i["feed_url"].endswith("/entities.xml")]


@pytest.mark.parametrize(
    ("name", "status", "error_class"),
    [
        pytest.param("BROKEN_ft_merge-conflict_2025-04-18.rss.xml", "ok", "malformed_xml", id="merge-conflict"),
        pytest.param("rssparser_unrecognized.rss", "error", "parse_error", id="html-moved-page"),
        pytest.param("rssparser_qq_news_gb2312.xml", "ok", None, id="gb2312"),
        pytest.param("rssparser_encoding.rss", "ok", None, id="iso-8859-1-declared"),
        pytest.param("rssparser_uolNoticias.rss", "ok", None, id="iso-8859-1-undeclared-no-dates"),
        pytest.param("rssparser_heise.atom", "ok", None, id="atom"),
        pytest.param("whitehouse_briefing_room_2026-08-21.rss.xml", "ok", None, id="whitehouse"),
    ],
)
def test_quirky_corpus_feeds(feed_run, name, status, error_class):
    state = feed_run["states"][name.removesuffix(".xml")]
    assert (state["status"], state["error_class"]) == (status, error_class)
    items = [i for i in feed_run["items"] if i["feed_url"].endswith(f"/{name}")]
    if status == "error":
        assert items == [] and state["count_entries"] == 0
        return
    assert items
    text = " ".join(f"{i['title'] or ''} {i['summary'] or ''}" for i in items)
    assert "\ufffd" not in text and "Ã" not in text
    assert all(" " not in i["url"] for i in items)


def test_corpus_feed_encodings_and_dates(feed_run):
    def items(name):
        return [i for i in feed_run["items"] if i["feed_url"].endswith(f"/{name}")]

    assert any("\u4e00" <= ch <= "\u9fff" for i in items("rssparser_qq_news_gb2312.xml") for ch in i["title"])
    uol = " ".join(f"{i['title']} {i['summary'] or ''}" for i in items("rssparser_uolNoticias.rss"))
    assert "ç" in uol and "\ufffd" not in uol  # undeclared ISO-8859-1, decoded as such
    assert all(i["published_at"] is None for i in items("rssparser_uolNoticias.rss"))  # the feed has no dates
    # the merge-conflicted feed repeats entries; each article is staged once
    assert feed_run["counts"]["items_listed_twice"] > 0


def test_every_feed_recorded_once_and_every_item_staged_once(feed_run):
    assert feed_run["n_states"] == len(FEED_FAULTS) + len(CORPUS)
    ids = [i["article_id"] for i in feed_run["items"]]
    assert len(ids) == len(set(ids))


# -- the whole pipeline, twice: nothing lost, nothing duplicated -------------------------------------

FEEDS_YAML = """\
base_url: ${FAULTY_SITE_URL}
feeds:
  - {name: Good, url: /feeds/good.xml}
  - {name: Quirks, url: /feeds/quirks.xml}
  - {name: Conflicted, url: /feeds/malformed.xml}
  - {name: Entity bomb, url: /feeds/entities.xml}
  - {name: HTML as feed, url: /feeds/html.xml}
  - {name: Rate limited, url: /feeds/retry-later.xml}
  - {name: Unavailable, url: /feeds/error-503.xml}
"""


def test_two_runs_over_the_faulty_site_lose_and_duplicate_nothing(tmp_path, isolated_settings, shared_dir):
    feeds_file = tmp_path / "feeds.yaml"
    feeds_file.write_text(FEEDS_YAML)
    # A fresh server: its "busy-once" page must answer 429 on its first request in this test.
    with faulty_site.serve(shared_dir / "corpus" / "feeds") as server, faulty_env(isolated_settings, FAULTY_SITE_URL=server.url,
                                                              NEWS_FEEDS_FILE=str(feeds_file)):
        cfg = settings.load()
        first = runner.run_pipeline("faults-1", force=True)
        assert first["status"] == "success"
        assert first["count_feeds_failed"] == 4
        before = checks.table_counts(cfg.snapshot_path)
        ok_before = ok_articles(cfg.snapshot_path)

        second = runner.run_pipeline("faults-2", force=True)
        assert second["status"] == "success"
        assert second["count_articles_new"] == 0
        assert checks.table_counts(cfg.snapshot_path) == before
        assert ok_articles(cfg.snapshot_path) == ok_before  # nothing that succeeded is lost

    with duckdb.connect(str(cfg.snapshot_path), read_only=True) as con:
        pages = dict(con.execute("select regexp_extract(canonical_url, 'articles/(.+)\\.html', 1), "
                                 "page_status || ':' || coalesce(error_class, '') from articles").fetchall())
        feed_errors = dict(con.execute("select regexp_extract(feed_url, '[^/]+$'), last_error_class "
                                       "from feeds").fetchall())
        retry_later_due = con.execute("select next_due_at - last_fetched_at from feeds "
                                      "where feed_url like '%retry-later.xml'").fetchone()[0]
        attempts = dict(con.execute("select regexp_extract(canonical_url, 'articles/(.+)\\.html', 1), page_attempts "
                                    "from articles").fetchall())
    assert len(pages) == len(faulty_site.GOOD_PAGES) + len(faulty_site.PAGE_FAULTS) + 6  # 5 quirks + recovered
    assert pages["good-1"] == "ok:" and pages["busy-once"] == "ok:" and pages["gb2312"] == "ok:"
    assert pages["reset"] == "failed:network" and pages["drip"] == "failed:timeout"
    assert pages["metadata"] == "blocked:blocked_address" and pages["private/disallowed"] == "blocked:robots_disallowed"
    assert attempts["error-500"] == 2 and attempts["gone-404"] == 1  # retryable pages were tried again
    assert feed_errors == {"good.xml": None, "quirks.xml": None, "malformed.xml": "malformed_xml",
                           "entities.xml": "xml_entities", "html.xml": "parse_error",
                           "retry-later.xml": "http_429", "error-503.xml": "http_503"}
    assert retry_later_due >= timedelta(seconds=faulty_site.RETRY_LATER_S)


def ok_articles(snapshot: Path) -> dict[str, tuple[Any, ...]]:
    with duckdb.connect(str(snapshot), read_only=True) as con:
        rows = con.execute("select article_id, text_hash, published_at, story_cluster_id from articles "
                           "where page_status = 'ok'").fetchall()
    return {r[0]: r[1:] for r in rows}
