"""Which items get fetched, and how raw pages are kept."""

from __future__ import annotations

import gzip

from pipeline.ingest import pages


def test_raw_html_is_stored_once_per_content(tmp_path):
    first = pages.store_raw(tmp_path, b"<html>same</html>")
    again = pages.store_raw(tmp_path, b"<html>same</html>")
    other = pages.store_raw(tmp_path, b"<html>other</html>")
    assert first == again and first != other
    assert gzip.decompress(first.read_bytes()) == b"<html>same</html>"
    assert len(list(tmp_path.rglob("*.html.gz"))) == 2


def test_items_are_fetched_once_per_article_id():
    items = [{"article_id": "a", "url": "http://x/a"}, {"article_id": "a", "url": "http://x/a?utm_source=rss"},
             {"article_id": "b", "url": "http://x/b"}]
    todo, skipped = pages.select_new(items, {})
    assert [i["article_id"] for i in todo] == ["a", "b"] and skipped == 1


def test_stored_pages_are_skipped_and_failed_ones_retried_up_to_the_limit():
    items = [{"article_id": aid, "url": f"http://x/{aid}"} for aid in ("ok", "retry", "spent", "new")]
    known = {"ok": ("ok", 1), "retry": ("failed", 1), "spent": ("failed", pages.MAX_PAGE_ATTEMPTS)}
    todo, skipped = pages.select_new(items, known)
    assert {i["article_id"]: i["page_attempts"] for i in todo} == {"retry": 1, "new": 0} and skipped == 2


def test_a_deferred_page_is_always_fetched_again_with_its_attempts_unchanged():
    items = [{"article_id": aid, "url": f"http://x/{aid}"} for aid in ("deferred", "deferred-late")]
    known = {"deferred": (pages.DEFERRED, 0), "deferred-late": (pages.DEFERRED, pages.MAX_PAGE_ATTEMPTS)}
    todo, skipped = pages.select_new(items, known)
    assert {i["article_id"]: i["page_attempts"] for i in todo} == {"deferred": 0, "deferred-late": 3}
    assert skipped == 0


def test_a_deferred_row_is_not_a_failure():
    counts: dict[str, int] = {}
    item = {"article_id": "a", "url": "http://x/a", "feed_url": "http://x/f", "page_attempts": 1}
    row = pages.deferred_page(item, "deferred_host_budget", counts)
    assert (row["page_status"], row["page_attempts"], row["error_class"]) == ("deferred", 1, "deferred_host_budget")
    assert counts == {"pages_deferred": 1}
