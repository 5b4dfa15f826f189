"""The extract stage: a staged page to an article row, with the summary fallbacks and the truncation flags."""

from __future__ import annotations

import pytest

from pipeline.eval.extraction import score
from pipeline.stages import extract


def page_row(tmp_path, html: bytes | None, summary: str) -> dict:
    import gzip

    raw = None
    if html is not None:
        raw = tmp_path / "page.html.gz"
        raw.write_bytes(gzip.compress(html))
    return {"article_id": "a1", "url": "http://news.test/a", "original_url": "http://news.test/a",
            "final_url": "http://news.test/a", "feed_url": "http://news.test/feed", "feed_name": "t", "guid": None,
            "title": "Japan and US agree minerals pact", "summary": summary, "author": None, "published_at": None,
            "seen_at": None, "page_status": "ok" if html else "failed", "http_status": 200 if html else 503,
            "error_class": None if html else "http_503", "content_type": "text/html",
            "raw_path": str(raw) if raw else None, "page_attempts": 1}


SUMMARY = ("Tokyo and Washington agreed a framework to secure supplies of critical minerals and rare earths, "
           "officials said on Tuesday, as the two allies seek to cut reliance on China. ") * 2


def test_a_navigation_only_page_falls_back_to_the_feed_summary(tmp_path):
    row, outcome = extract.article_row(page_row(tmp_path, b"<html><body><nav><a href='/'>Home</a></nav></body></html>",
                                             SUMMARY))
    assert outcome == "too_short"
    assert row["text"] == SUMMARY and row["text_source"] == "summary" and row["is_truncated"]


def test_a_failed_page_keeps_the_summary_and_is_flagged(tmp_path):
    row, outcome = extract.article_row(page_row(tmp_path, None, SUMMARY))
    assert outcome == "no_page" and row["text_source"] == "summary" and row["is_truncated"]
    assert row["published_source"] == "none"


def test_a_paywalled_page_is_flagged(tmp_path):
    body = ("<html><body><article><h1>Minerals</h1><p>" + "Japan and the United States signed a deal. " * 10
            + "</p><p>Subscribe to continue reading this article.</p></article></body></html>").encode()
    row, _ = extract.article_row(page_row(tmp_path, body, ""))
    assert row["is_truncated"]


def test_shingle_score_matches_the_benchmark_definition():
    gold = "one two three four five six"
    assert score(gold, gold) == (1.0, 1.0)
    precision, recall = score("one two three four zzz", gold)
    assert precision == 0.5 and recall == pytest.approx(1 / 3)
    assert score("", gold) == (None, 0.0)
