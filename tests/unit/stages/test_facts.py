"""Stage facts: facts of a shard's relevant articles only, every dataset staged, the shard fails only when all do."""

from __future__ import annotations

import pytest

from pipeline import staging
from pipeline.errors import ConfigError
from pipeline.facts import document
from pipeline.stages import classify, facts
from tests.unit.stages.test_classify import BAKERY, stage_articles

DEAL = (
    "Japan to invest $550 billion in the United States",
    "Prime Minister Sanae Takaichi said Japan will invest $550 billion in the United States under the "
    "US-Japan trade agreement, with a focus on rare earths and critical minerals.",
)


def staged_shard(run_id: str, texts):
    articles = stage_articles(run_id, texts)
    return classify.classify_articles(articles), articles


def test_facts_of_relevant_articles_are_staged_in_every_dataset():
    classified, articles = staged_shard("f1", {"deal": DEAL, "bakery": BAKERY})
    out = facts.extract_facts(classified, articles)
    run = staging.run_of(articles)
    assert out == staging.stage_file(run, "fact_mentions", "000")
    for name in document.DATASETS:
        assert staging.stage_file(run, name, "000").exists(), name
    mentions = staging.read_rows(staging.stage_file(run, "mentions", "000"))
    assert {m["article_id"] for m in mentions} == {"deal"}  # the bakery is not relevant: no facts
    amounts = staging.read_rows(staging.stage_file(run, "amounts", "000"))
    assert [(a["article_id"], a["value"]) for a in amounts] == [("deal", 550e9)]
    counts = staging.read_counts(run)
    assert (counts["facts_articles"], counts["facts_failed"]) == (1, 0)


def test_a_shard_without_relevant_articles_stages_empty_files():
    classified, articles = staged_shard("f2", {"bakery": BAKERY})
    assert staging.read_rows(facts.extract_facts(classified, articles)) == []
    assert staging.read_counts(staging.run_of(articles))["facts_articles"] == 0


def test_an_article_whose_facts_raise_is_contained_counted_and_the_shard_succeeds(monkeypatch):
    classified, articles = staged_shard("f3", {"deal": DEAL, "odd": ("Japan and US sign a deal", DEAL[1])})
    real = facts.extract

    def broken_for_one(title, text, published, language=None):
        if title.startswith("Japan and US"):
            raise ValueError("odd article")
        return real(title, text, published, language)

    monkeypatch.setattr(facts, "extract", broken_for_one)
    facts.extract_facts(classified, articles)  # does not raise
    run = staging.run_of(articles)
    mentions = staging.read_rows(staging.stage_file(run, "mentions", "000"))
    assert {m["article_id"] for m in mentions} == {"deal"}
    counts = staging.read_counts(run)
    assert (counts["facts_articles"], counts["facts_failed"], counts["items_failed"]) == (1, 1, 1)


def test_the_only_relevant_article_failing_does_not_fail_the_shard(monkeypatch):
    classified, articles = staged_shard("f4", {"deal": DEAL})

    def broken(*args, **kwargs):
        raise ValueError("odd article")

    monkeypatch.setattr(facts, "extract", broken)
    assert staging.read_rows(facts.extract_facts(classified, articles)) == []
    counts = staging.read_counts(staging.run_of(articles))
    assert (counts["facts_articles"], counts["facts_failed"]) == (0, 1)


def test_a_config_error_still_fails_the_shard(monkeypatch):
    classified, articles = staged_shard("f5", {"deal": DEAL})

    def broken(*args, **kwargs):
        raise ConfigError("entities.yaml: persons: expected a list")

    monkeypatch.setattr(facts, "extract", broken)
    with pytest.raises(ConfigError):
        facts.extract_facts(classified, articles)
