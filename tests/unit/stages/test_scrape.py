"""The scrape stage: one page shard's planned items fetched through the polite client and staged."""

from __future__ import annotations

import httpx

from pipeline import staging
from pipeline.stages import schemas, scrape


def test_a_plan_shard_is_fetched_and_staged_with_its_counts(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("NEWS_ALLOW_HOSTS", "news.test")
    monkeypatch.setenv("NEWS_MIN_INTERVAL_S", "0")
    run = tmp_path / "run"
    item = {"article_id": "a", "url": "http://news.test/a", "feed_url": "http://news.test/feed", "page_attempts": 0}
    missing = {**item, "article_id": "b", "url": "http://news.test/b"}
    plan = staging.write_rows(run / "plan" / "000.parquet", [item, missing], schemas.PLAN)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/a":
            return httpx.Response(200, content=b"<html>story</html>", headers={"content-type": "text/html"})
        return httpx.Response(404 if request.url.path == "/b" else 200, text="")

    pages = staging.read_rows(scrape.scrape_articles(plan, run_id="r", transport=httpx.MockTransport(handler)))
    assert {p["article_id"]: p["page_status"] for p in pages} == {"a": "ok", "b": "gave_up"}
    assert staging.read_counts(run) == {"pages_wanted": 2, "pages_ok": 1, "pages_failed": 1}
