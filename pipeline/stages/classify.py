"""Stage: classify one shard's extracted articles for every topic and stage the results.

An article in a language the topics do not cover (``languages:`` of topics.yaml; the extractor's
language identifier tells) is not scored with phrases written for other languages: it gets a row per
topic with score 0, not relevant and no evidence, and the run counts it as ``items_unsupported_language``
(and per language, ``items_unsupported_language_<code>``), kept in ``runs.counts``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline import settings, staging
from pipeline.classify.config import Topics, load_topics
from pipeline.classify.score import classify, result_to_json
from pipeline.stages import schemas


def classify_articles(articles_path: Path, topics_file: Path | None = None) -> Path:
    """Classify one shard's articles for every topic.

    Args:
        articles_path: the staged articles of one shard (from ``extract.extract_articles``).
        topics_file: the topic definitions (default ``NEWS_TOPICS_FILE``).

    Returns:
        The staged classifications (``classifications/<shard>.parquet``), one row per article and topic.
    """
    topics = load_topics(topics_file or settings.load().topics_file)
    run = staging.run_of(articles_path)
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    for article in staging.read_rows(articles_path):
        if not topics.covers(article.get("language")):
            rows.extend(unsupported_rows(article["article_id"], topics, now))
            for key in ("items_unsupported_language", f"items_unsupported_language_{article['language']}"):
                counts[key] = counts.get(key, 0) + 1
            continue
        results = classify(article["title"] or "", article["text"] or "", topics)
        for name, result in results.items():
            evidence = result_to_json({name: result})[name]["evidence"]
            rows.append({
                "article_id": article["article_id"], "topic": name, "score": result.score,
                "is_relevant": result.relevant, "evidence": json.dumps(evidence, ensure_ascii=False),
                "classifier_version": topics.version, "classified_at": now,
            })
            if result.relevant:
                counts[f"relevant_{name}_staged"] = counts.get(f"relevant_{name}_staged", 0) + 1
    staging.write_counts(run, f"classify-{articles_path.stem}", counts)
    return staging.write_rows(staging.stage_file(run, "classifications", articles_path.stem), rows,
                              schemas.CLASSIFICATIONS)


def unsupported_rows(article_id: str, topics: Topics, now: datetime) -> list[dict[str, Any]]:
    """The rows of an article whose language the topics do not cover: not relevant to any, with no evidence."""
    return [{"article_id": article_id, "topic": name, "score": 0.0, "is_relevant": False, "evidence": "[]",
             "classifier_version": topics.version, "classified_at": now} for name in topics.names]
