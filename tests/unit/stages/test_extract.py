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
    return {
        "article_id": "a1",
        "url": "http://news.test/a",
        "original_url": "http://news.test/a",
        "final_url": "http://news.test/a",
        "feed_url": "http://news.test/feed",
        "feed_name": "t",
        "guid": None,
        "title": "Japan and US agree minerals pact",
        "summary": summary,
        "author": None,
        "published_at": None,
        "seen_at": None,
        "page_status": "ok" if html else "failed",
        "http_status": 200 if html else 503,
        "error_class": None if html else "http_503",
        "content_type": "text/html",
        "raw_path": str(raw) if raw else None,
        "page_attempts": 1,
    }


SUMMARY = (
    "Tokyo and Washington agreed a framework to secure supplies of critical minerals and rare earths, "
    "officials said on Tuesday, as the two allies seek to cut reliance on China. "
) * 2


def test_a_navigation_only_page_falls_back_to_the_feed_summary(tmp_path):
    row, outcome = extract.article_row(
        page_row(tmp_path, b"<html><body><nav><a href='/'>Home</a></nav></body></html>", SUMMARY)
    )
    assert outcome == "too_short"
    assert row["text"] == SUMMARY and row["text_source"] == "summary" and row["is_truncated"]


def test_a_failed_page_keeps_the_summary_and_is_flagged(tmp_path):
    row, outcome = extract.article_row(page_row(tmp_path, None, SUMMARY))
    assert outcome == "no_page" and row["text_source"] == "summary" and row["is_truncated"]
    assert row["published_source"] == "none"


def test_a_paywalled_page_is_flagged(tmp_path):
    body = (
        "<html><body><article><h1>Minerals</h1><p>"
        + "Japan and the United States signed a deal. " * 10
        + "</p><p>Subscribe to continue reading this article.</p></article></body></html>"
    ).encode()
    row, _ = extract.article_row(page_row(tmp_path, body, ""))
    assert row["is_truncated"]


def test_shingle_score_matches_the_benchmark_definition():
    gold = "one two three four five six"
    assert score(gold, gold) == (1.0, 1.0)
    precision, recall = score("one two three four zzz", gold)
    assert precision == 0.5 and recall == pytest.approx(1 / 3)
    assert score("", gold) == (None, 0.0)


GOOD_HTML = (
    "<html><body><article><h1>Japan and US agree minerals pact</h1>"
    + "<p>"
    + SUMMARY * 3
    + "</p></article></body></html>"
).encode()


def test_a_page_the_extractor_chokes_on_keeps_the_summary_and_is_counted_failed(tmp_path, monkeypatch):
    def choke(body, url, content_type):
        raise RecursionError("maximum recursion depth exceeded in lxml")

    monkeypatch.setattr(extract, "extract_html", choke)
    row, outcome = extract.article_row(page_row(tmp_path, GOOD_HTML, SUMMARY))
    assert outcome == "failed"
    assert row["text"] == SUMMARY and row["text_source"] == "summary" and row["is_truncated"]


def test_one_page_no_row_can_be_made_of_is_recorded_and_the_shard_succeeds(tmp_path, monkeypatch):
    from pipeline import staging
    from pipeline.stages import schemas

    good = page_row(tmp_path, GOOD_HTML, SUMMARY)
    odd_dir = tmp_path / "odd"
    odd_dir.mkdir()
    odd = {**page_row(odd_dir, GOOD_HTML, SUMMARY), "article_id": "a2", "url": "http://news.test/odd"}
    real = extract.guess_language

    def guess(text):
        if "odd" in text:
            raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")
        return real(text)

    monkeypatch.setattr(extract, "guess_language", guess)
    odd["title"] = "odd"
    run = staging.run_dir("x1")
    pages = staging.write_rows(staging.stage_file(run, "pages", "000"), [good, odd], schemas.PAGES)
    articles = staging.read_rows(extract.extract_articles(pages))
    assert [a["article_id"] for a in articles] == ["a1"]
    counts = staging.read_counts(run)
    assert counts["extract_row_failed"] == counts["items_failed"] == 1
    assert counts["extract_extracted"] == 1
