"""The one writer: idempotent upserts, follow-up resolution, retried pages, atomicity, the lock wait."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from pipeline import sample_site, settings, staging
from pipeline.errors import LoadError
from pipeline.extract import dedup
from pipeline.extract.html import extract_html
from pipeline.stages import extract, load, schemas
from pipeline.warehouse import db

T0 = datetime(2025, 10, 28, 9, 0, tzinfo=UTC)


def article(
    aid: str,
    *,
    text: str = "Trump will meet Xi on Wednesday in South Korea. " * 10,
    status: str = "ok",
    attempts: int = 1,
) -> dict:
    return {
        "article_id": aid,
        "url": f"http://news.test/{aid}",
        "original_url": f"http://news.test/{aid}",
        "final_url": None,
        "source_domain": "news.test",
        "feed_url": "http://news.test/feed",
        "feed_name": "test",
        "guid": aid,
        "title": f"Story {aid}",
        "author": None,
        "published_at": T0,
        "published_source": "feed",
        "language": "en",
        "summary": "s",
        "text": text,
        "text_source": "page" if status == "ok" else "summary",
        "text_hash": extract.text_hash(text),
        "count_words": len(text.split()),
        "is_truncated": status != "ok",
        "page_status": status,
        "page_attempts": attempts,
        "http_status": 200 if status == "ok" else 503,
        "error_class": None,
        "raw_path": None,
        "seen_at": T0,
    }


def meeting(aid: str, status: str) -> dict:
    return {
        "fact_id": "f-meet",
        "article_id": aid,
        "event_type": "meeting",
        "status": status,
        "event_date": date(2025, 10, 29),
        "participants": ["Donald Trump", "Xi Jinping"],
        "amount_value": None,
        "amount_currency": None,
        "amount_text": None,
        "percent": None,
        "subject": "Trump-Xi meeting",
        "evidence_text": "Trump will meet Xi on Wednesday",
        "start_char": 0,
        "end_char": 30,
        "seen_at": T0,
    }


def stage(run_id: str, articles: list[dict], fact_mentions: list[dict] = ()) -> Path:
    run = staging.run_dir(run_id)
    staging.write_rows(staging.stage_file(run, "articles", "000"), articles, schemas.ARTICLES)
    staging.write_rows(
        staging.stage_file(run, "fact_mentions", "000"), list(fact_mentions), schemas.FACT_MENTIONS
    )
    return run


def rows(sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.load().snapshot_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_a_planned_meeting_opens_a_followup_that_a_later_report_closes():
    load.load_warehouse(stage("r1", [article("a1")], [meeting("a1", "planned")]), run_id="r1")
    assert rows("select status, due_date from followups") == [("open", date(2025, 10, 29))]
    load.load_warehouse(stage("r2", [article("a2")], [meeting("a2", "happened")]), run_id="r2")
    assert rows("select status, resolved_article_id from followups") == [("done", "a2")]
    assert rows("select status, count_mentions from facts") == [("happened", 2)]


def test_a_page_that_failed_is_replaced_when_a_later_run_fetches_it():
    load.load_warehouse(stage("r1", [article("a1", text="short summary", status="failed")]), run_id="r1")
    load.load_warehouse(stage("r2", [article("a1", attempts=2)]), run_id="r2")
    assert rows(
        "select count(*), any_value(page_status), any_value(text_source), any_value(first_run_id), "
        "any_value(last_run_id) from articles"
    ) == [(1, "ok", "page", "r1", "r2")]


def test_copies_with_the_same_text_share_a_story_cluster():
    same = "Japan and the United States signed a framework on rare earths and critical minerals. " * 5
    first, copy = article("a1", text=same), article("a2", text=same)
    copy["source_domain"] = "other.test"
    load.load_warehouse(stage("r1", [first, copy]), run_id="r1")
    assert rows("select count(distinct story_cluster_id) from articles") == [(1,)]
    assert rows("select count_articles, count_sources from story_clusters") == [(2, 2)]


def test_a_failing_statement_rolls_the_whole_load_back(monkeypatch, tmp_path):
    load.load_warehouse(stage("r1", [article("a1")]), run_id="r1")
    broken = tmp_path / "sql"
    broken.mkdir()
    for path in sorted(load.LOAD_SQL_DIR.glob("*.sql")):
        (broken / path.name).write_text(path.read_text())
    (broken / "999_boom.sql").write_text("select * from no_such_table;")
    monkeypatch.setattr(load, "LOAD_SQL_DIR", broken)
    with pytest.raises(LoadError, match="999_boom.sql"):
        load.load_warehouse(stage("r2", [article("a2")]), run_id="r2")
    with duckdb.connect(str(settings.load().duckdb_path), read_only=True) as con:
        assert con.execute("select article_id from articles").fetchall() == [("a1",)]
        assert con.execute("select run_id from runs").fetchall() == [("r1",)]


def test_the_loader_waits_for_a_reader_that_opened_the_live_file_by_mistake():
    run = stage("r1", [article("a1")])
    live = settings.load().duckdb_path
    live.parent.mkdir(parents=True, exist_ok=True)
    duckdb.connect(str(live)).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(live)!r}, read_only=True); "
            "print('held', flush=True); time.sleep(2); c.close()",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    started = time.monotonic()
    row = load.load_warehouse(run, run_id="r1")
    holder.wait(timeout=10)
    assert row["count_articles_new"] == 1
    assert time.monotonic() - started >= 1.0


def test_the_loader_gives_up_with_a_message_naming_the_snapshot():
    live = settings.load().duckdb_path
    live.parent.mkdir(parents=True, exist_ok=True)
    duckdb.connect(str(live)).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(live)!r}, read_only=True); "
            "print('held', flush=True); time.sleep(5)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LoadError, match="snapshot"):
            db.connect_live(wait_s=0.5)
    finally:
        holder.kill()
        holder.wait()


def test_publishing_replaces_the_snapshot_while_a_reader_keeps_the_old_one():
    load.load_warehouse(stage("r1", [article("a1")]), run_id="r1")
    snap = settings.load().snapshot_path
    reader = duckdb.connect(str(snap), read_only=True)
    try:
        load.load_warehouse(stage("r2", [article("a2")]), run_id="r2")
        assert reader.execute("select count(*) from articles").fetchone() == (1,)
    finally:
        reader.close()
    assert rows("select count(*) from articles") == [(2,)]


def test_an_article_staged_by_two_shards_is_loaded_once():
    run = stage("r1", [article("a1")], [meeting("a1", "planned")])
    staging.write_rows(staging.stage_file(run, "articles", "001"), [article("a1")], schemas.ARTICLES)
    staging.write_rows(
        staging.stage_file(run, "fact_mentions", "001"), [meeting("a1", "planned")], schemas.FACT_MENTIONS
    )
    row = load.load_warehouse(run, run_id="r1")
    assert row["count_articles_new"] == 1
    assert rows("select count(*) from articles") == [(1,)]
    assert rows("select count(*), sum(count_mentions) from facts") == [(1, 1)]


SITE_ARTICLES = sample_site.SITE_DIR / "articles"


def page_text(name: str) -> str:
    result = extract_html((SITE_ARTICLES / name).read_bytes(), f"http://127.0.0.1/articles/{name}")
    assert result is not None
    return result.text


def story(aid: str, text: str, host: str, *, page_canonical_url: str | None = None) -> dict:
    """An article on ``host`` with the near-duplicate keys the extract stage gives it."""
    row = article(aid, text=text)
    row.update(
        url=f"http://{host}/{aid}",
        original_url=f"http://{host}/{aid}",
        source_domain=host,
        feed_url=f"http://{host}/feed",
        band_keys=dedup.band_keys(text),
        page_canonical_url=page_canonical_url,
    )
    return row


def clusters() -> dict[str, str]:
    return dict(rows("select article_id, story_cluster_id from articles"))


def test_a_near_copy_from_another_host_in_a_later_run_joins_the_earlier_cluster():
    seed, copy = page_text("trump-takaichi-summit.html"), page_text("syndicated-trump-takaichi-summit.html")
    assert extract.text_hash(seed) != extract.text_hash(copy)
    load.load_warehouse(stage("r1", [story("a1", seed, "news.test")]), run_id="r1")
    row = load.load_warehouse(stage("r2", [story("b1", copy, "wire.test")]), run_id="r2")
    assert clusters() == {"a1": "a1", "b1": "a1"}
    assert row["count_duplicates"] == 1
    assert rows("select count_articles, count_sources from story_clusters") == [(2, 2)]


def test_two_near_copies_in_one_batch_form_one_cluster():
    seed, copy = page_text("trump-takaichi-summit.html"), page_text("syndicated-trump-takaichi-summit.html")
    row = load.load_warehouse(
        stage("r1", [story("b1", copy, "wire.test"), story("a1", seed, "news.test")]), run_id="r1"
    )
    assert clusters() == {"a1": "a1", "b1": "a1"}
    assert row["count_articles_new"] == 2 and row["count_duplicates"] == 1


def test_pages_declaring_the_same_canonical_url_are_one_story():
    original = "http://origin.test/2025/10/summit"
    first = story("a1", "Leaders met in Tokyo on Tuesday. " * 3, "news.test", page_canonical_url=original)
    load.load_warehouse(stage("r1", [first]), run_id="r1")
    # short, different texts: nothing but the canonical link relates them
    second = story("b1", "A summit took place. " * 3, "wire.test", page_canonical_url=original)
    third = story("c1", "Tokyo hosted talks. " * 3, "origin.test")
    third["url"] = original
    load.load_warehouse(stage("r2", [second]), run_id="r2")
    load.load_warehouse(stage("r3", [third]), run_id="r3")
    assert clusters() == {"a1": "a1", "b1": "a1", "c1": "a1"}


def test_an_unrelated_article_of_the_same_length_starts_its_own_cluster():
    seed = page_text("trump-takaichi-summit.html")
    other = " ".join(
        page_text("us-australia-framework-critical-minerals-rare-earths.html").split()[: len(seed.split())]
    )
    load.load_warehouse(stage("r1", [story("a1", seed, "news.test")]), run_id="r1")
    row = load.load_warehouse(stage("r2", [story("b1", other, "wire.test")]), run_id="r2")
    assert clusters() == {"a1": "a1", "b1": "b1"}
    assert row["count_duplicates"] == 0


def test_reloading_a_run_with_copies_changes_no_cluster_or_key():
    seed, copy = page_text("trump-takaichi-summit.html"), page_text("syndicated-trump-takaichi-summit.html")
    load.load_warehouse(stage("r1", [story("a1", seed, "news.test")]), run_id="r1")
    run = stage("r2", [story("b1", copy, "wire.test")])
    load.load_warehouse(run, run_id="r2")
    before = rows("select * from article_keys order by all")
    row = load.load_warehouse(run, run_id="r2")
    assert rows("select * from article_keys order by all") == before
    assert clusters() == {"a1": "a1", "b1": "a1"}
    assert row["count_articles_new"] == 0


def test_a_third_topic_in_the_topics_file_is_counted_per_run_with_no_code(tmp_path, monkeypatch):
    from pipeline.stages import classify

    topics = tmp_path / "topics.yaml"
    topics.write_text(
        (settings.CONFIG_DIR / "topics.yaml").read_text()
        + "\n  solar:\n    description: Solar power.\n    threshold: 0.5\n    terms:\n"
        '      "solar panel": 1.0\n'
    )
    monkeypatch.setenv("NEWS_TOPICS_FILE", str(topics))
    run = stage("r-topics", [article("a1", text="Japan buys solar panel makers in the United States. " * 10)])
    classify.classify_articles(run / "articles" / "000.parquet")
    row = load.load_warehouse(run, run_id="r-topics")
    counts = dict(rows("select topic, count_relevant from run_topic_counts where run_id = 'r-topics'"))
    assert counts == row["relevant"] and counts["solar"] == 1
    assert set(counts) == {"us_japan", "rare_earths", "solar"} and counts["rare_earths"] == 0
    assert "relevant_solar=1" in load.summary(row)
    load.load_warehouse(run, run_id="r-topics")  # loading the run again counts it once
    assert rows("select count(*) from run_topic_counts") == [(3,)]


def test_a_japanese_items_facts_load_with_their_title_quote_and_followup():
    from pipeline.stages import facts

    text = "高市総理大臣は29日、トランプ大統領と首脳会談を行う予定です。"
    title = "高市首相「同盟をさらに強固に」"
    run = stage("r1", [{**article("j1", text=text), "title": title, "language": "ja"}])
    classified = staging.write_rows(
        staging.stage_file(run, "classifications", "000"),
        [
            {
                "article_id": "j1",
                "topic": "us_japan",
                "score": 0.9,
                "is_relevant": True,
                "evidence": "[]",
                "classifier_version": "test",
                "classified_at": T0,
            }
        ],
        schemas.CLASSIFICATIONS,
    )
    facts.extract_facts(classified, staging.stage_file(run, "articles", "000"))
    load.load_warehouse(run, run_id="r1")
    assert rows("select status, due_date from followups") == [("open", date(2025, 10, 29))]
    [(speaker, quoted, start)] = rows("select speaker_name, quote_text, start_char from fct_quotes")
    assert (speaker, quoted) == ("Sanae Takaichi", "同盟をさらに強固に")
    assert title[start + len(title) :].startswith(quoted)  # a negative offset: the quote is in the title


def test_per_item_failures_and_replaced_text_are_run_columns():
    run = stage("r1", [article("a1")])
    # As the stages write them: a feed shard with an entry the boundary skipped and one whose text was
    # replaced, an extract shard with a page the extractor choked on, a facts shard with a failed article.
    staging.write_counts(run, "feeds-000", {"feeds_ok": 1, "items_failed": 1, "items_text_replaced": 2})
    staging.write_counts(run, "extract-000", {"extract_failed": 1, "items_failed": 1})
    staging.write_counts(run, "facts-000", {"facts_failed": 1, "items_failed": 1})
    row = load.load_warehouse(run, run_id="r1")
    assert (row["count_items_failed"], row["count_items_text_replaced"]) == (3, 2)
    assert rows("select count_items_failed, count_items_text_replaced from runs where run_id = 'r1'") == [
        (3, 2)
    ]
    assert "items_failed=3" in load.summary(row)
