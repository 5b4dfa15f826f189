"""Raw HTML storage and the choice of which items to fetch."""

from __future__ import annotations

import gzip

from pipeline import scrape


def test_raw_html_is_stored_once_per_content(tmp_path):
    first = scrape.store_raw(tmp_path, b"<html>same</html>")
    again = scrape.store_raw(tmp_path, b"<html>same</html>")
    other = scrape.store_raw(tmp_path, b"<html>other</html>")
    assert first == again and first != other
    assert gzip.decompress(first.read_bytes()) == b"<html>same</html>"
    assert len(list(tmp_path.rglob("*.html.gz"))) == 2


def test_items_are_fetched_once_per_article_id():
    items = [{"article_id": "a", "url": "http://x/a"}, {"article_id": "a", "url": "http://x/a?utm_source=rss"},
             {"article_id": "b", "url": "http://x/b"}]
    todo, skipped = scrape.select_new(items)
    assert [i["article_id"] for i in todo] == ["a", "b"] and skipped == 1
