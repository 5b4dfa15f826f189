"""Alert routes: the routes file read and checked, URLs from an environment variable or a connection."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta

import pytest
import yaml

from pipeline import settings
from pipeline.alerts import routes
from pipeline.errors import ConfigError


def routes_file(tmp_path, monkeypatch, *docs, **top):
    path = tmp_path / "alerts.yaml"
    path.write_text(yaml.safe_dump({"routes": list(docs), **top}))
    monkeypatch.setenv("NEWS_ALERTS_FILE", str(path))
    return path


def test_the_committed_routes_file_loads_with_the_outbox_route_only():
    cfg = routes.load_config(settings.CONFIG_DIR / "alerts.yaml")
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
        routes.load_config()
    assert named in str(raised.value) and str(path) in str(raised.value)
    assert "secret-token" not in str(raised.value)


@pytest.mark.parametrize(("route", "top", "key", "expected"), [
    pytest.param({"since": "last tuesday"}, {}, "routes[0].since:", "ISO 8601 date-time", id="since-not-a-time"),
    pytest.param({}, {"retry": 5}, "retry:", "a mapping, got 5", id="retry-not-a-mapping"),
    pytest.param({}, {"retry": {"base_minutes": "five"}}, "retry.base_minutes:", "valid number",
                 id="retry-minutes-a-string"),
    pytest.param({"max_immediate": True}, {}, "routes[0].max_immediate:", "valid integer, got True",
                 id="max-immediate-a-bool"),
    pytest.param({"updates": "no"}, {}, "routes[0].updates:", "valid boolean", id="updates-a-string"),
    pytest.param({"topics": {"us_japan": 1}}, {}, "routes[0].topics:", "list of topic names",
                 id="topics-a-mapping"),
    pytest.param({}, {"retries": {}}, "retries:", "unknown key", id="unknown-top-key"),
])
def test_the_routes_schema_names_file_key_path_and_what_was_expected(route, top, key, expected, tmp_path,
                                                                     monkeypatch):
    path = routes_file(tmp_path, monkeypatch, {"name": "r", "topics": ["us_japan"], "outbox": True, **route}, **top)
    with pytest.raises(ConfigError) as raised:
        routes.load_config()
    message = str(raised.value)
    assert str(path) in message and key in message and expected in message


def test_a_since_time_is_read_as_utc(tmp_path, monkeypatch):
    routes_file(tmp_path, monkeypatch, {"name": "r", "topics": ["us_japan"], "outbox": True,
                                        "since": "2026-01-02T03:04:00"})
    assert routes.load_config().routes[0].since == datetime(2026, 1, 2, 3, 4, tzinfo=UTC)


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
    cfg = routes.load_config()
    assert [r.name for r in cfg.routes] == ["env", "conn"]
    env, conn = cfg.routes
    assert env.urls == ("json://127.0.0.1:9/a", "json://127.0.0.1:9/b") and env.topics == ("rare_earths",)
    assert env.digest_at == (time(8, 0, tzinfo=UTC), time(16, 30, tzinfo=UTC))
    assert conn.urls == ("json://127.0.0.1:9/c",) and conn.updates
    assert (cfg.retry_base, cfg.retry_max) == (timedelta(minutes=1), timedelta(minutes=30))
    assert "json://" not in repr(env)  # URLs may hold secrets
    assert routes.connection_ids() == ["team_chat"]
    # In Airflow, the DAG resolves the connection and passes the URLs in.
    resolved = routes.load_config(resolve_connection=lambda cid: [f"json://127.0.0.1:9/{cid}"])
    assert resolved.routes[1].urls == ("json://127.0.0.1:9/team_chat",)


def test_connection_urls_accept_a_list_a_string_or_a_url_host():
    assert routes.connection_urls({"urls": ["a://x", "b://y"]}) == ["a://x", "b://y"]
    assert routes.connection_urls('{"urls": "a://x b://y"}') == ["a://x", "b://y"]
    assert routes.connection_urls({}, "slack://token") == ["slack://token"]
    assert routes.connection_urls({}, "hooks.example") == []


def test_route_topics_are_those_of_the_topic_config(tmp_path, monkeypatch):
    topics = tmp_path / "topics.yaml"
    topics.write_text((settings.CONFIG_DIR / "topics.yaml").read_text(encoding="utf-8")
                      .replace("\n  rare_earths:\n", "\n  whaling:\n"), encoding="utf-8")
    monkeypatch.setenv("NEWS_TOPICS_FILE", str(topics))
    assert routes.topic_names() == ("us_japan", "whaling")
    assert routes.demo_config().routes[0].topics == ("us_japan", "whaling")
    routes_file(tmp_path, monkeypatch, {"name": "w", "topics": ["whaling"], "outbox": True})
    assert routes.load_config().routes[0].topics == ("whaling",)
    routes_file(tmp_path, monkeypatch, {"name": "r", "topics": ["rare_earths"], "outbox": True})
    with pytest.raises(ConfigError, match=r"\['rare_earths'\] must be one or more of \['us_japan', 'whaling'\]"):
        routes.load_config()
