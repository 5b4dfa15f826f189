"""Alert candidates: one per story cluster and topic, none once sent, with evidence and facts."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb

from pipeline import alerts, load, paths, schemas, settings, staging
from tests.unit.test_load import article, meeting, stage


def classify(run, rows):
    staging.write_rows(paths.stage_file(run, "classifications", "000"), rows, schemas.CLASSIFICATIONS)


def verdict(aid, topic, score, relevant):
    evidence = [{"text": "Trump will meet Xi on Wednesday in South Korea.", "start": 0, "end": 47,
                 "field": "text", "terms": ["us+japan"]}]
    return {"article_id": aid, "topic": topic, "score": score, "is_relevant": relevant,
            "evidence": json.dumps(evidence), "classifier_version": "test", "classified_at": datetime.now(UTC)}


def test_one_alert_per_story_and_topic_until_sent():
    same = "Japan and the United States signed a framework on rare earths and critical minerals. " * 5
    run = stage("r1", [article("a1", text=same), article("a2", text=same), article("a3")], [meeting("a1", "planned")])
    classify(run, [verdict("a1", "us_japan", 0.9, True), verdict("a2", "us_japan", 0.8, True),
                   verdict("a1", "rare_earths", 0.7, True), verdict("a3", "us_japan", 0.1, False)])
    load.load_warehouse(run, run_id="r1")

    pending = alerts.pending_alerts()
    assert sorted((a.topic, a.story_cluster_id) for a in pending) == [("rare_earths", "a1"), ("us_japan", "a1")]
    top = next(a for a in pending if a.topic == "us_japan")
    assert top.score == 0.9 and top.evidence and top.facts == ("Trump-Xi meeting (planned)",)
    assert "Trump-Xi meeting (planned)" in top.text() and top.url in top.text()

    cfg = settings.load()
    with duckdb.connect(str(cfg.duckdb_path)) as con:
        con.execute("insert into alerts values ('a1', 'us_japan', 'default', 'sent', 1, now(), now(), null)")
    from pipeline import warehouse

    warehouse.publish_snapshot()
    assert [(a.topic, a.story_cluster_id) for a in alerts.pending_alerts()] == [("rare_earths", "a1")]
