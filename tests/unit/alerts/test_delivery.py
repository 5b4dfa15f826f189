"""Alerts: candidates per story cluster and topic, routes config, inert content, keys, updates."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import duckdb
import pytest
import yaml

from pipeline import settings, staging
from pipeline.alerts import delivery as alerts
from pipeline.errors import ConfigError
from pipeline.stages import load, schemas
from pipeline.warehouse import db as warehouse
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

    pending = alerts.pending_alerts()
    assert sorted((a.topic, a.story_cluster_id) for a in pending) == [("rare_earths", "a1"), ("us_japan", "a1")]
    top = next(a for a in pending if a.topic == "us_japan")
    assert top.score == 0.9 and top.evidence and top.terms == ("us+japan",)
    assert top.facts == ("Trump-Xi meeting (planned), due 2025-10-29",)
    assert "Trump-Xi meeting (planned), due 2025-10-29" in top.text() and top.url in top.text()

    cfg = settings.load()
    with duckdb.connect(str(cfg.duckdb_path)) as con:
        con.execute("insert into alerts (story_cluster_id, topic, route, status, attempts, queued_at, sent_at) "
                    "values ('a1', 'us_japan', 'default', 'sent', 1, now(), now())")
    warehouse.publish_snapshot()
    assert [(a.topic, a.story_cluster_id) for a in alerts.pending_alerts()] == [("rare_earths", "a1")]


# -- routes config -----------------------------------------------------------------------


def routes_file(tmp_path, monkeypatch, *routes, **top):
    path = tmp_path / "alerts.yaml"
    path.write_text(yaml.safe_dump({"routes": list(routes), **top}))
    monkeypatch.setenv("NEWS_ALERTS_FILE", str(path))
    return path


def test_the_committed_routes_file_loads_with_the_outbox_route_only():
    cfg = alerts.load_config(settings.CONFIG_DIR / "alerts.yaml")
    assert [(r.name, r.outbox, r.urls) for r in cfg.routes] == [("outbox", True, ())]


@pytest.mark.parametrize(("route", "named"), [
    pytest.param({"topics": ["us_japan", "whaling"], "outbox": True}, "topics", id="unknown-topic"),
    pytest.param({"topics": ["us_japan"], "mode": "hourly", "outbox": True}, "mode", id="bad-mode"),
    pytest.param({"topics": ["us_japan"], "urls_env": "NEWS_TEST_UNSET"}, "NEWS_TEST_UNSET", id="missing-env"),
    pytest.param({"topics": ["us_japan"], "urls": ["json://x"]}, "urls", id="literal-urls"),
    pytest.param({"topics": ["us_japan"], "mode": "digest", "outbox": True}, "digest_at", id="digest-no-times"),
    pytest.param({"topics": ["us_japan"], "mode": "digest", "digest_at": ["8am"], "outbox": True}, "digest_at",
                 id="bad-time"),
    pytest.param({"topics": ["us_japan"], "outbox": True, "min_scor": 0.5}, "min_scor", id="typo"),
    pytest.param({"topics": ["us_japan"]}, "no channel", id="no-channel"),
    pytest.param({"topics": ["us_japan"], "urls_env": "NEWS_TEST_BAD_URL"}, "URL #1 (nope://", id="bad-url"),
])
def test_a_bad_route_raises_a_config_error_naming_the_setting(route, named, tmp_path, monkeypatch):
    monkeypatch.delenv("NEWS_TEST_UNSET", raising=False)
    monkeypatch.setenv("NEWS_TEST_BAD_URL", "nope://secret-token@host")
    path = routes_file(tmp_path, monkeypatch, {"name": "r", **route})
    with pytest.raises(ConfigError, match="route 'r'") as raised:
        alerts.load_config()
    assert named in str(raised.value) and str(path) in str(raised.value)
    assert "secret-token" not in str(raised.value)


def test_a_disabled_route_needs_no_variable_and_urls_come_from_env_or_a_connection(tmp_path, monkeypatch):
    monkeypatch.delenv("NEWS_TEST_UNSET", raising=False)
    monkeypatch.setenv("NEWS_TEST_URLS", "json://127.0.0.1:9/a  json://127.0.0.1:9/b")
    monkeypatch.setenv("AIRFLOW_CONN_TEAM_CHAT", json.dumps({"conn_type": "generic",
                                                             "extra": {"urls": ["json://127.0.0.1:9/c"]}}))
    routes_file(tmp_path, monkeypatch,
                {"name": "off", "enabled": False, "topics": ["us_japan"], "urls_env": "NEWS_TEST_UNSET"},
                {"name": "env", "topics": "rare_earths", "urls_env": "NEWS_TEST_URLS", "mode": "digest",
                 "digest_at": ["08:00", "16:30"]},
                {"name": "conn", "topics": ["us_japan", "rare_earths"], "conn_id": "team_chat", "updates": True},
                retry={"base_minutes": 1, "max_minutes": 30})
    cfg = alerts.load_config()
    assert [r.name for r in cfg.routes] == ["env", "conn"]
    env, conn = cfg.routes
    assert env.urls == ("json://127.0.0.1:9/a", "json://127.0.0.1:9/b") and env.topics == ("rare_earths",)
    assert env.digest_at == (time(8, 0, tzinfo=UTC), time(16, 30, tzinfo=UTC))
    assert conn.urls == ("json://127.0.0.1:9/c",) and conn.updates
    assert (cfg.retry_base, cfg.retry_max) == (timedelta(minutes=1), timedelta(minutes=30))
    assert "json://" not in repr(env)  # URLs may hold secrets
    assert alerts.connection_ids() == ["team_chat"]
    # In Airflow, the DAG resolves the connection and passes the URLs in.
    resolved = alerts.load_config(resolve_connection=lambda cid: [f"json://127.0.0.1:9/{cid}"])
    assert resolved.routes[1].urls == ("json://127.0.0.1:9/team_chat",)


def test_connection_urls_accept_a_list_a_string_or_a_url_host():
    assert alerts.connection_urls({"urls": ["a://x", "b://y"]}) == ["a://x", "b://y"]
    assert alerts.connection_urls('{"urls": "a://x b://y"}') == ["a://x", "b://y"]
    assert alerts.connection_urls({}, "slack://token") == ["slack://token"]
    assert alerts.connection_urls({}, "hooks.example") == []


# -- content -----------------------------------------------------------------------------


def hostile_alert(**changes) -> alerts.Alert:
    values = {"story_cluster_id": "c1", "topic": "us_japan", "score": 0.91,
              "title": "<script>alert(1)</script> [click](http://evil.test) & @everyone <!channel>",
              "source": "evil.test", "url": "https://news.test/a?x=1&y=<2>", "published": "2025-10-28 09:30 UTC",
              "evidence": ("See <img src=x onerror=alert(1)> at www.evil.test",), "facts": ("$5 billion (expected)",),
              "terms": ("rare earths",)}
    return alerts.Alert(**{**values, **changes})


def test_feed_text_arrives_inert_in_text_and_escaped_in_html():
    alert = hostile_alert()
    text, body = alert.text(), alert.html()
    for rendered in (text, body):
        assert "<script" not in rendered and "<img" not in rendered and "<!channel" not in rendered
        assert "[click](" not in rendered and "http://evil" not in rendered and "@everyone" not in rendered
        assert "www.evil" not in rendered
    assert text.splitlines()[0] == "‹script›alert(1)‹/script› ⁅click⁆(hxxp://evil.test) & ＠everyone ‹!channel›"
    assert "&amp; ＠everyone" in body and '<a href="https://news.test/a?x=1&amp;y=%3C2%3E">' in body
    assert "why: See ‹img src=x onerror=alert(1)› at www[.]evil.test" in text
    assert "https://news.test/a?x=1&y=%3C2%3E" in text


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<b>x</b>", "", "//no-scheme.test/a"])
def test_only_http_links_are_links(url):
    alert = hostile_alert(url=url)
    assert "<a href" not in alert.html() and alert.text().splitlines()[-1] == "link unavailable"


def test_a_story_matching_both_topics_is_one_message_with_a_stable_key():
    us = alerts.Item(hostile_alert(title="Deal"))
    re_ = alerts.Item(hostile_alert(title="Deal", topic="rare_earths", score=0.7))
    message = alerts.Message("r", "immediate", (us, re_), alerts.message_key("r", "immediate", [us, re_]))
    assert message.title() == "newswatch [us_japan, rare_earths] Deal"
    assert "us_japan 0.91, rare_earths 0.70" in message.text() and message.key in message.text()
    assert message.text().count("Deal") == 1
    assert alerts.message_key("r", "immediate", [re_, us]) == message.key
    assert alerts.message_key("other", "immediate", [us, re_]) != message.key
    assert alerts.message_key("r", "immediate", [alerts.Item(us.alert, "update", ("x",))]) != message.key


def test_backoff_doubles_up_to_the_cap_and_digest_slots_look_back_a_day():
    cfg = alerts.AlertsConfig(routes=(), retry_base=timedelta(minutes=5), retry_max=timedelta(minutes=30))
    assert [alerts._backoff(cfg, n) for n in (1, 2, 3, 4, 9)] == [timedelta(minutes=m) for m in (5, 10, 20, 30, 30)]
    route = alerts.Route("d", ("us_japan",), mode="digest", digest_at=(time(8, tzinfo=UTC), time(17, tzinfo=UTC)))
    day = datetime(2026, 1, 2, tzinfo=UTC)
    assert alerts._last_slot(route, day + timedelta(hours=7)) == day - timedelta(hours=7)
    assert alerts._last_slot(route, day + timedelta(hours=8)) == day + timedelta(hours=8)
    assert alerts._last_slot(route, day + timedelta(hours=23)) == day + timedelta(hours=17)


# -- updates -------------------------------------------------------------------------------


def investment(aid: str) -> dict:
    return {"fact_id": "f-inv", "article_id": aid, "event_type": "investment", "status": "expected",
            "event_date": date(2025, 10, 28), "participants": ["Japan"], "amount_value": 550e9,
            "amount_currency": "USD", "amount_text": "$550 billion", "percent": None,
            "subject": "investment package", "evidence_text": "Japan readies $550 billion", "start_char": 0,
            "end_char": 26, "seen_at": T0}


def test_a_story_that_gains_a_fact_sends_one_update_where_the_route_asks(tmp_path):
    outbox = tmp_path / "outbox.jsonl"
    cfg = alerts.AlertsConfig(routes=(
        alerts.Route("updates", ("us_japan",), updates=True, outbox=True),
        alerts.Route("quiet", ("us_japan",), updates=False, outbox=True),
    ), outbox_path=outbox)
    run = stage("r1", [article("a1", text=SAME)], [meeting("a1", "planned")])
    classify(run, [verdict("a1", "us_japan", 0.9, True)])
    load.load_warehouse(run, run_id="r1")
    assert [d.kind for d in alerts.send_alerts(config=cfg).sent] == ["new", "new"]

    # A copy from another outlet (same cluster) reports a new fact: the $550 billion package.
    copy = {**article("a2", text=SAME), "source_domain": "other.test"}
    run = stage("r2", [copy], [investment("a2")])
    classify(run, [verdict("a2", "us_japan", 0.8, True)])
    load.load_warehouse(run, run_id="r2")
    report = alerts.send_alerts(config=cfg)
    assert [(d.route, d.kind) for d in report.sent] == [("updates", "update")]
    (line,) = [json.loads(x) for x in outbox.read_text().splitlines()][2:]
    assert line["title"].startswith("newswatch update [us_japan] ")
    assert "new fact: investment package (expected), 550,000,000,000 USD" in line["text"]
    assert alerts.send_alerts(config=cfg).sent == []
    rows = warehouse.query_snapshot("select route, kind, status, facts_sent from alerts order by route")
    assert rows == [("quiet", "new", "sent", ["f-meet:planned"]),
                    ("updates", "update", "sent", ["f-inv:expected", "f-meet:planned"])]
