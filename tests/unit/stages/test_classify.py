"""Stage classify: a staged articles file becomes one classification row per article and topic."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from pipeline import staging
from pipeline.stages import classify, schemas

T0 = datetime(2025, 10, 28, 9, 0, tzinfo=UTC)
PACT = ("US and Japan sign rare earths pact",
        "President Trump and Prime Minister Takaichi signed a framework on rare earths and critical minerals "
        "in Tokyo, securing supply of lithium and gallium for both countries.")
BAKERY = ("Local bakery wins prize", "The bread was excellent, said the judges.")


def stage_articles(run_id: str, texts: dict[str, tuple[str, str]]):
    """A shard's staged articles: only the columns the later stages read, the rest left null."""
    rows = [{"article_id": aid, "url": f"http://news.test/{aid}", "title": title, "text": text, "published_at": T0,
             "language": "en", "page_status": "ok", "seen_at": T0} for aid, (title, text) in texts.items()]
    run = staging.run_dir(run_id)
    return staging.write_rows(staging.stage_file(run, "articles", "000"), rows, schemas.ARTICLES)


def test_one_row_per_article_and_topic_with_evidence():
    articles = stage_articles("r1", {"pact": PACT, "bakery": BAKERY})
    out = classify.classify_articles(articles)
    assert out == staging.stage_file(staging.run_of(articles), "classifications", "000")
    rows = {(r["article_id"], r["topic"]): r for r in staging.read_rows(out)}
    assert set(rows) == {("pact", "us_japan"), ("pact", "rare_earths"), ("bakery", "us_japan"),
                         ("bakery", "rare_earths")}
    assert rows["pact", "rare_earths"]["is_relevant"] and rows["pact", "us_japan"]["is_relevant"]
    assert not rows["bakery", "rare_earths"]["is_relevant"] and not rows["bakery", "us_japan"]["is_relevant"]
    evidence = json.loads(rows["pact", "rare_earths"]["evidence"])
    assert evidence and all({"text", "start", "end"} <= set(ev) for ev in evidence)
    assert all(ev["text"].lower() in f"{PACT[0]} {PACT[1]}".lower() for ev in evidence)  # quoted from the article
    assert len({r["classifier_version"] for r in rows.values()}) == 1


def test_relevant_counts_are_staged_per_topic():
    articles = stage_articles("r2", {"pact": PACT, "bakery": BAKERY})
    classify.classify_articles(articles)
    counts = staging.read_counts(staging.run_of(articles))
    assert counts["relevant_rare_earths_staged"] == 1 and counts["relevant_us_japan_staged"] == 1


def test_an_empty_shard_stages_an_empty_file():
    articles = stage_articles("r3", {})
    assert staging.read_rows(classify.classify_articles(articles)) == []
