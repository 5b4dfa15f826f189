"""Alert content: feed text made inert, only http(s) links, one message per story with a stable key."""

from __future__ import annotations

import pytest

from pipeline.alerts import content


def hostile_alert(**changes) -> content.Alert:
    values = {"story_cluster_id": "c1", "topic": "us_japan", "score": 0.91,
              "title": "<script>alert(1)</script> [click](http://evil.test) & @everyone <!channel>",
              "source": "evil.test", "url": "https://news.test/a?x=1&y=<2>", "published": "2025-10-28 09:30 UTC",
              "evidence": ("See <img src=x onerror=alert(1)> at www.evil.test",), "facts": ("$5 billion (expected)",),
              "terms": ("rare earths",)}
    return content.Alert(**{**values, **changes})


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
    us = content.Item(hostile_alert(title="Deal"))
    re_ = content.Item(hostile_alert(title="Deal", topic="rare_earths", score=0.7))
    message = content.Message("r", "immediate", (us, re_), content.message_key("r", "immediate", [us, re_]))
    assert message.title() == "newswatch [us_japan, rare_earths] Deal"
    assert "us_japan 0.91, rare_earths 0.70" in message.text() and message.key in message.text()
    assert message.text().count("Deal") == 1
    assert content.message_key("r", "immediate", [re_, us]) == message.key
    assert content.message_key("other", "immediate", [us, re_]) != message.key
    assert content.message_key("r", "immediate", [content.Item(us.alert, "update", ("x",))]) != message.key
