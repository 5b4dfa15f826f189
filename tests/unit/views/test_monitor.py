"""The monitor page: data read from the snapshot, and every value from the web escaped in the HTML."""

from __future__ import annotations

import json

from pipeline.views import monitor
from tests.unit.views.conftest import HOSTILE_TITLE


def test_evidence_skips_the_headline_and_clips_long_sentences():
    stored = json.dumps([{"text": "Headline", "field": "title", "terms": ["a"]},
                         {"text": "word " * 200, "field": "text", "terms": ["b"]}])
    (only,) = monitor.evidence_list(stored)
    assert only["terms"] == ["b"] and only["text"].endswith(" …") and len(only["text"]) <= monitor.EVIDENCE_CHARS
    assert monitor.evidence_list(json.dumps([{"text": "Headline", "field": "title"}])) == [
        {"text": "Headline", "terms": []}]
    assert monitor.evidence_list("not json") == [{"text": "not json", "terms": []}]


def test_the_page_lists_the_matching_stories_with_their_evidence(loaded):
    page = monitor.read()
    assert page.snapshot_at is not None
    assert sorted((s["topic"], s["score"]) for s in page.stories) == [("rare_earths", 0.62), ("us_japan", 0.91)]
    assert all(s["evidence"] == [{"text": "Tokyo and Washington signed a framework on rare earths.",
                                  "terms": ["rare earths"]}] for s in page.stories)
    assert [f["event_type"] for f in page.followups] == ["meeting"]
    html = monitor.render_html(page)
    assert "<script>x</script>" not in html and "Japan &lt;script&gt;x&lt;/script&gt; &amp; US" in html
    assert '<a href="https://news.test/a1" target="_blank" rel="noopener noreferrer">' in html
    assert html.count("<span class=terms>[rare earths]</span>") == 2
    assert json.loads(json.dumps(page.to_json()))["stories"][0]["title"] == HOSTILE_TITLE


def test_without_a_snapshot_the_page_says_what_to_run():
    page = monitor.read()
    assert page.snapshot_at is None and page.stories == []
    assert "run the news_ingest DAG" in monitor.render_html(page)


def test_a_csrf_token_is_bound_to_its_user_and_key_and_expires():
    key, now = b"k" * 32, 1_760_000_000.0
    token = monitor.csrf_token(key, "ana", now=now)
    assert monitor.csrf_ok(key, "ana", token, now=now + 60)
    assert not monitor.csrf_ok(key, "ben", token, now=now + 60)  # another user's page
    assert not monitor.csrf_ok(b"x" * 32, "ana", token, now=now + 60)  # another server's key
    assert not monitor.csrf_ok(key, "ana", token, now=now + monitor.CSRF_MAX_AGE_S + 1)
    assert not monitor.csrf_ok(key, "ana", f"{int(now) + 10}.{token.split('.')[1]}", now=now + 60)  # re-dated
    for bad in (None, "", "x", "1.", ".abc"):
        assert not monitor.csrf_ok(key, "ana", bad, now=now)


def test_same_origin_reads_the_origin_then_the_referer():
    host = "127.0.0.1:8080"
    assert monitor.same_origin("http://127.0.0.1:8080", None, host) is True
    assert monitor.same_origin(None, "http://127.0.0.1:8080/news-monitor/", host) is True
    assert monitor.same_origin("http://evil.example", "http://127.0.0.1:8080/", host) is False
    assert monitor.same_origin("null", None, host) is False
    assert monitor.same_origin(None, None, host) is None
