"""Alert delivery: pending alerts per story cluster and topic, backoff, digest slots, updates sent once."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import duckdb

from pipeline import settings, staging
from pipeline.alerts import ledger, routes
from pipeline.stages import load, schemas
from pipeline.warehouse import db
from tests.unit.stages.test_load import T0, article, meeting, stage


def classify(run, rows):
    staging.write_rows(staging.stage_file(run, "classifications", "000"), rows, schemas.CLASSIFICATIONS)


def verdict(aid, topic, score, relevant):
    evidence = [{"text": "Trump will meet Xi on Wednesday in South Korea.", "start": 0, "end": 47,
                 "field": "text", "terms": ["us+japan"]}]
    return {"article_id": aid, "topic": topic, "score": score, "is_relevant": relevant,
            "evidence": json.dumps(evidence), "classifier_version": "test", "classified_at": datetime.now(UTC)}


SAME = "Japan and the United States signed a framework on rare earths and critical minerals. " * 5


def test_one_alert_per_story_and_topic_until_sent():
    run = stage("r1", [article("a1", text=SAME), article("a2", text=SAME), article("a3")], [meeting("a1", "planned")])
    classify(run, [verdict("a1", "us_japan", 0.9, True), verdict("a2", "us_japan", 0.8, True),
                   verdict("a1", "rare_earths", 0.7, True), verdict("a3", "us_japan", 0.1, False)])
    load.load_warehouse(run, run_id="r1")

    pending = ledger.pending_alerts()
    assert sorted((a.topic, a.story_cluster_id) for a in pending) == [("rare_earths", "a1"), ("us_japan", "a1")]
    top = next(a for a in pending if a.topic == "us_japan")
    assert top.score == 0.9 and top.evidence and top.terms == ("us+japan",)
    assert top.facts == ("Trump-Xi meeting: meeting planned, due 2025-10-29",)
    assert "fact: Trump-Xi meeting: meeting planned, due 2025-10-29" in top.text() and top.url in top.text()

    cfg = settings.load()
    with duckdb.connect(str(cfg.duckdb_path)) as con:
        con.execute("insert into alerts (story_cluster_id, topic, route, status, attempts, queued_at, sent_at) "
                    "values ('a1', 'us_japan', 'default', 'sent', 1, now(), now())")
    db.publish_snapshot()
    assert [(a.topic, a.story_cluster_id) for a in ledger.pending_alerts()] == [("rare_earths", "a1")]


def test_backoff_doubles_up_to_the_cap_and_digest_slots_look_back_a_day():
    cfg = routes.AlertsConfig(routes=(), retry_base=timedelta(minutes=5), retry_max=timedelta(minutes=30))
    assert [ledger._backoff(cfg, n) for n in (1, 2, 3, 4, 9)] == [timedelta(minutes=m) for m in (5, 10, 20, 30, 30)]
    route = routes.Route("d", ("us_japan",), mode="digest", digest_at=(time(8, tzinfo=UTC), time(17, tzinfo=UTC)))
    day = datetime(2026, 1, 2, tzinfo=UTC)
    assert ledger._last_slot(route, day + timedelta(hours=7)) == day - timedelta(hours=7)
    assert ledger._last_slot(route, day + timedelta(hours=8)) == day + timedelta(hours=8)
    assert ledger._last_slot(route, day + timedelta(hours=23)) == day + timedelta(hours=17)



# -- updates -------------------------------------------------------------------------------


def investment(aid: str) -> dict:
    return {"fact_id": "f-inv", "article_id": aid, "event_type": "investment", "status": "expected",
            "event_date": date(2025, 10, 28), "participants": ["Japan"], "amount_value": 550e9,
            "amount_currency": "USD", "amount_text": "$550 billion", "percent": None,
            "subject": "investment package", "evidence_text": "Japan readies $550 billion", "start_char": 0,
            "end_char": 26, "seen_at": T0}


def test_a_story_that_gains_a_fact_sends_one_update_where_the_route_asks(tmp_path):
    outbox = tmp_path / "outbox.jsonl"
    cfg = routes.AlertsConfig(routes=(
        routes.Route("updates", ("us_japan",), updates=True, outbox=True),
        routes.Route("quiet", ("us_japan",), updates=False, outbox=True),
    ), outbox_path=outbox)
    run = stage("r1", [article("a1", text=SAME)], [meeting("a1", "planned")])
    classify(run, [verdict("a1", "us_japan", 0.9, True)])
    load.load_warehouse(run, run_id="r1")
    assert [d.kind for d in ledger.send_alerts(config=cfg).sent] == ["new", "new"]

    # A copy from another outlet (same cluster) reports a new fact: the $550 billion package.
    copy = {**article("a2", text=SAME), "source_domain": "other.test"}
    run = stage("r2", [copy], [investment("a2")])
    classify(run, [verdict("a2", "us_japan", 0.8, True)])
    load.load_warehouse(run, run_id="r2")
    report = ledger.send_alerts(config=cfg)
    assert [(d.route, d.kind) for d in report.sent] == [("updates", "update")]
    (line,) = [json.loads(x) for x in outbox.read_text().splitlines()][2:]
    assert line["title"].startswith("newswatch update [us_japan] ")
    assert "new fact: Investment package: investment expected, 550 billion USD" in line["text"]
    assert ledger.send_alerts(config=cfg).sent == []
    rows = db.query_snapshot("select route, kind, status, facts_sent from alerts order by route")
    assert rows == [("quiet", "new", "sent", ["f-meet:planned"]),
                    ("updates", "update", "sent", ["f-inv:expected", "f-meet:planned"])]
