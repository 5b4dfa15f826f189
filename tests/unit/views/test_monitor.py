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
