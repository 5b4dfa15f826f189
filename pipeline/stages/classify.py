"""Stage: classify one shard's extracted articles for every topic and stage the results."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline import settings, staging
from pipeline.classify.config import load_topics
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
