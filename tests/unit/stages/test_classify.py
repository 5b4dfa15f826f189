"""Stage classify: a staged articles file becomes one classification row per article and topic."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from pipeline import staging
from pipeline.classify.config import load_topics
from pipeline.classify.score import classify as score
from pipeline.errors import ConfigError
from pipeline.extract.html import guess_language
from pipeline.stages import classify, schemas

T0 = datetime(2025, 10, 28, 9, 0, tzinfo=UTC)
PACT = ("US and Japan sign rare earths pact",
        "President Trump and Prime Minister Takaichi signed a framework on rare earths and critical minerals "
        "in Tokyo, securing supply of lithium and gallium for both countries.")
BAKERY = ("Local bakery wins prize", "The bread was excellent, said the judges.")


# Written for this test: on topic (the summit, rare earths) but in German.
GERMAN = ("Trump und Takaichi unterzeichnen Abkommen über Seltene Erden",
          "US-Präsident Donald Trump und Japans Ministerpräsidentin Sanae Takaichi haben in Tokio ein Rahmenabkommen "
          "über Seltene Erden und kritische Mineralien unterzeichnet. Japan und die USA wollen die Versorgung mit "
          "Lithium, Gallium und Graphit sichern und weniger von China abhängig sein.")


def stage_articles(run_id: str, texts: dict[str, tuple[str, str]], *, detect: bool = False):
    """A shard's staged articles: only the columns the later stages read, the rest left null.

    With ``detect``, each article's language is the extractor's (as the extract stage sets it), else "en".
    """
    rows = [{"article_id": aid, "url": f"http://news.test/{aid}", "title": title, "text": text, "published_at": T0,
             "language": guess_language(f"{title}\n{text}") if detect else "en", "page_status": "ok",
             "seen_at": T0} for aid, (title, text) in texts.items()]
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


def test_a_german_article_on_topic_is_not_scored_as_english_and_is_counted():
    topics = load_topics()
    assert "de" not in (topics.languages or ())
    # Read with the English phrases, its names alone ("Trump", "Takaichi", "Japan", "USA") would match.
    assert score(*GERMAN, topics)["us_japan"].relevant

    articles = stage_articles("r1", {"de": GERMAN, "pact": PACT}, detect=True)
    out = classify.classify_articles(articles)
    rows = {(r["article_id"], r["topic"]): r for r in staging.read_rows(out)}
    assert {rows["de", t]["is_relevant"] for t in topics.names} == {False}
    assert {rows["de", t]["score"] for t in topics.names} == {0.0}
    assert {rows["de", t]["evidence"] for t in topics.names} == {"[]"}
    assert rows["pact", "us_japan"]["is_relevant"] and rows["pact", "rare_earths"]["is_relevant"]
    counts = staging.read_counts(staging.run_of(articles))
    assert counts["items_unsupported_language"] == 1 and counts["items_unsupported_language_de"] == 1


def test_without_a_languages_key_every_language_is_scored(tmp_path):
    text = load_topics().path.read_text(encoding="utf-8")
    open_file = tmp_path / "topics.yaml"
    open_file.write_text(text.replace("languages: [en, ja]\n", ""), encoding="utf-8")
    assert load_topics(open_file).languages is None
    out = classify.classify_articles(stage_articles("r1", {"de": GERMAN}, detect=True), open_file)
    assert {r["topic"]: r["is_relevant"] for r in staging.read_rows(out)}["us_japan"]


@pytest.mark.parametrize(("value", "key"), [("[]", "languages"), ("[EN]", "languages[0]"), ("[en, en]", "languages"),
                                            ("english", "languages")])
def test_a_bad_languages_key_names_the_file_and_the_key(tmp_path, value, key):
    bad = tmp_path / "topics.yaml"
    bad.write_text(load_topics().path.read_text(encoding="utf-8").replace("languages: [en, ja]", f"languages: {value}"),
                   encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"topics.yaml: {re.escape(key)}: "):
        load_topics(bad)
