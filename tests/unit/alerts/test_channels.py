"""Alert channels: the one Apprise URL parser, and the outbox that writes each message key once."""

from __future__ import annotations

import json

import pytest

from pipeline.alerts import channels, content, routes


@pytest.mark.parametrize(("value", "urls"), [
    pytest.param("json://a/, mailto://b\njson://a/  tgram://c", ["json://a/", "mailto://b", "tgram://c"],
                 id="mixed-separators-and-a-repeat"),
    pytest.param("json://a/,json://b/", ["json://a/", "json://b/"], id="comma-before-a-scheme"),
    pytest.param("mailtos://u:p@mail.test?to=a@x.test,b@x.test json://h/",
                 ["mailtos://u:p@mail.test?to=a@x.test,b@x.test", "json://h/"], id="comma-inside-a-url"),
    pytest.param(["json://a/", " ", "json://a/"], ["json://a/"], id="list"),
    pytest.param(None, [], id="none"),
    pytest.param("  ", [], id="blank"),
])
def test_apprise_urls_are_parsed_in_order_without_repeats(value, urls):
    assert channels.parse_urls(value) == urls


def test_routes_and_connections_use_the_same_parser(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWS_TEST_URLS", "json://127.0.0.1:9/a,json://127.0.0.1:9/b json://127.0.0.1:9/a")
    path = tmp_path / "alerts.yaml"
    path.write_text(json.dumps({"routes": [{"name": "env", "topics": ["us_japan"], "urls_env": "NEWS_TEST_URLS"}]}))
    (route,) = routes.load_config(path).routes
    assert route.urls == ("json://127.0.0.1:9/a", "json://127.0.0.1:9/b")
    assert routes.connection_urls({"urls": "json://h/a, json://h/b"}) == ["json://h/a", "json://h/b"]


def message(key: str) -> content.Message:
    alert = content.Alert(story_cluster_id="c1", topic="us_japan", score=0.9, title="Deal", source="news.test",
                          url="https://news.test/a", published=None, evidence=(), facts=())
    return content.Message("r", "immediate", (content.Item(alert),), key)


def test_the_outbox_writes_a_key_once_even_from_a_new_run(tmp_path):
    path = tmp_path / "alerts" / "outbox.jsonl"
    channels.OutboxChannel(path).send(message("nw-1"))
    again = channels.OutboxChannel(path)  # a later run reads the keys from the file
    again.send(message("nw-1"))
    again.send(message("nw-2"))
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(line["key"], line["title"]) for line in lines] == [("nw-1", "newswatch [us_japan] Deal"),
                                                              ("nw-2", "newswatch [us_japan] Deal")]


def test_a_route_lists_the_outbox_first_then_one_channel_per_url(tmp_path):
    route = routes.Route("r", ("us_japan",), urls=("json://h/a", "json://h/b"), outbox=True)
    found = channels.channels(route, tmp_path / "outbox.jsonl")
    assert [type(c).__name__ for c in found] == ["OutboxChannel", "AppriseChannel", "AppriseChannel"]
    assert found[0].id == "outbox" and found[1].id != found[2].id and "h/a" not in found[1].id
