"""The run summary: one score column per configured topic, the best body evidence, the facts."""

from __future__ import annotations

import json

from pipeline import settings
from pipeline.views import summary
from tests.unit.views import conftest


def test_why_prefers_the_body_sentence_and_names_its_terms():
    stored = json.dumps([{"text": "Headline", "field": "title", "terms": ["a"]},
                         {"text": "Body  sentence\nhere", "field": "text", "terms": ["b", "c"]}])
    assert summary.why(stored) == "Body sentence here [b, c]"
    assert summary.why(json.dumps([{"text": "Only the headline", "field": "title"}])) == "Only the headline"
    assert summary.why("x" * 20, width=8) == "xxxxxxx…"
    assert summary.why(None) == ""


def test_the_stories_table_has_one_column_per_topic_of_the_config(loaded):
    found = summary.read()
    assert found is not None and found.snapshot_path == settings.load().snapshot_path
    assert found.stories.columns == ["title", "published", "source", "us_japan", "rare_earths", "evidence"]
    (row,) = found.stories.rows
    assert row[3:] == ("0.91 ✓", "0.62 ✓", "Tokyo and Washington signed a framework on rare earths. [rare earths]")
    assert found.facts.columns[0] == "event_type" and found.facts.rows[0][0] == "meeting"
    assert sorted((a[0], a[1]) for a in found.alerts.rows) == [("rare_earths", 0.62), ("us_japan", 0.91)]


def test_a_topic_name_is_a_quoted_column_and_a_parameter():
    sql = summary.stories_sql(["us_japan", 'odd "name'])
    assert 'as "us_japan"' in sql and 'as "odd ""name"' in sql and sql.count("c.topic = ?") == 2


def test_nothing_loaded_gives_none():
    assert summary.read() is None


def test_the_brief_counts_each_stage_and_lists_stories_and_followups(loaded):
    brief = summary.read_brief()
    assert brief is not None and brief.run["run_id"] == "r1"
    assert brief.relevant == {"us_japan": 1, "rare_earths": 1}
    assert brief.count_stories == 1
    (story,) = brief.stories
    assert (story["title"], story["source"], story["topics"], story["score"]) == (
        conftest.HOSTILE_TITLE, "test", ["us_japan", "rare_earths"], 0.91)  # the feed's name: no site name
    assert brief.count_followups == 1 and brief.followups[0]["event_type"] == "meeting"
    lines = summary.brief_lines(brief, width=100)
    assert lines[0] == "Run r1: success"
    assert "  relevant  us_japan 1, rare_earths 1" in lines
    assert "Top stories (1 of 1 matching):" in lines and "Open follow-ups (1 of 1, soonest first):" in lines
    assert all(len(line) <= 100 for line in lines)


def test_the_brief_lists_the_runs_failures_by_class(loaded):
    from pipeline.warehouse import db

    with db.live_transaction() as con:
        con.executemany("insert into fetch_log (request_id, run_id, kind, url, host, error_class, fetched_at) "
                        "values (?, ?, ?, ?, ?, ?, now())",
                        [("q1", "r1", "page", "http://a.test/1", "a.test", "timeout"),
                         ("q2", "r1", "page", "http://b.test/2", "b.test", "timeout"),
                         ("q3", "r1", "feed", "http://a.test/f", "a.test", "http_500"),
                         ("q4", "r0", "feed", "http://c.test/f", "c.test", "dns")])
    db.publish_snapshot()
    brief = summary.read_brief()
    assert brief is not None
    assert [(f["kind"], f["error_class"], f["count_requests"], f["hosts"]) for f in brief.failures] == [
        ("page", "timeout", 2, ["a.test", "b.test"]), ("feed", "http_500", 1, ["a.test"])]
    assert "  failures  page timeout ×2, feed http_500 ×1" in summary.brief_lines(brief)


def test_the_brief_of_nothing_loaded_is_none():
    assert summary.read_brief() is None


def test_an_alert_and_the_brief_name_the_publication_page_then_feed_then_host():
    from pipeline import staging
    from pipeline.alerts import ledger
    from pipeline.stages import load, schemas
    from tests.unit.stages.test_load import article, stage

    named = {**article("p1", text="Tokyo and Washington signed a framework on rare earths. " * 5),
             "site_name": "Pacific Ledger", "feed_name": "Ledger feed", "url": "https://ledger.test/p1",
             "source_domain": "ledger.test"}
    fed = {**article("p2", text="Japan and the US agreed on rare earths supply. " * 5),
           "feed_name": "Harbor Tribune – Minerals", "url": "https://harbor.test/p2", "source_domain": "harbor.test"}
    bare = {**article("p3", text="Rare earths prices rose after the Tokyo pact. " * 5),
            "feed_name": None, "url": "https://bare.test/p3", "source_domain": "bare.test"}
    run = stage("r1", [named, fed, bare])
    staging.write_rows(staging.stage_file(run, "classifications", "000"),
                       [conftest.verdict(aid, "rare_earths", score, True)
                        for aid, score in (("p1", 0.9), ("p2", 0.8), ("p3", 0.7))], schemas.CLASSIFICATIONS)
    load.load_warehouse(run, run_id="r1")
    expected = {"https://ledger.test/p1": "Pacific Ledger", "https://harbor.test/p2": "Harbor Tribune – Minerals",
                "https://bare.test/p3": "bare.test"}
    assert {a.url: a.source for a in ledger.pending_alerts()} == expected
    brief = summary.read_brief()
    assert brief is not None
    assert [s["source"] for s in brief.stories] == ["Pacific Ledger", "Harbor Tribune – Minerals", "bare.test"]
