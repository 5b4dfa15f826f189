"""Stage: extract facts from one shard's relevant articles and stage them."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pipeline import settings, staging
from pipeline.facts.document import DATASETS, extract, staged_rows
from pipeline.facts.gazetteer import entity_aliases
from pipeline.stages import schemas
from pipeline.stages.boundary import Record, contained

logger = logging.getLogger(__name__)


def extract_facts(classifications_path: Path, articles_path: Path) -> Path:
    """Extract facts from one shard's relevant articles and stage them.

    Reads the shard's classifications and articles, runs :func:`extract` on every article relevant to at
    least one topic, and writes ``mentions``, ``fact_mentions``, ``quotes`` and ``amounts`` for the shard.
    An article whose facts fail in any way is contained (:mod:`pipeline.stages.boundary`): logged with
    its class and reason, counted (``facts_failed``, and ``items_failed`` in the run's counts) and
    skipped, so the shard succeeds and the other articles' facts load.
    Facts read at most ``NEWS_FACTS_MAX_CHARS`` characters of an article; a longer one is logged and
    counted as ``facts_capped``.

    Args:
        classifications_path: the staged classifications of one shard (from ``classify.classify_articles``).
        articles_path: the same shard's staged articles (from ``extract.extract_articles``).

    Returns:
        The staged ``fact_mentions/<shard>.parquet``; the other datasets sit beside it in the run folder.

    Raises:
        ConfigError: the entity gazetteer or the settings are unusable (no article could succeed).
    """
    run = staging.run_of(classifications_path)
    shard = classifications_path.stem
    relevant = {row["article_id"] for row in staging.read_rows(classifications_path) if row["is_relevant"]}
    articles = (
        [a for a in staging.read_rows(articles_path) if a["article_id"] in relevant] if relevant else []
    )
    aliases = entity_aliases()
    max_chars = settings.load().facts_max_chars
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in DATASETS}
    counts = {"facts_articles": 0, "facts_failed": 0, "facts_capped": 0, "items_failed": 0}
    for article in articles:
        published = article.get("published_at")
        text = article.get("text") or ""
        if len(text) > max_chars:  # spans still index the stored text: the cap only cuts its tail
            logger.warning(
                "article %s has %d characters; facts read its first %d (NEWS_FACTS_MAX_CHARS)",
                article["article_id"],
                len(text),
                max_chars,
            )
            counts["facts_capped"] += 1
            text = text[:max_chars]
        # Extraction and row building both run inside the boundary; nothing of a failed article is staged.
        with contained(f"facts of article {article['article_id']}", _failed(counts)):
            doc = extract(
                article.get("title") or "",
                text,
                published.date() if published else None,
                article.get("language"),
            )
            staged = staged_rows(article, doc, aliases, published.date() if published else None)
            counts["facts_articles"] += 1
            for name, rows in staged.items():
                out[name].extend(rows)
    counts.update({f"{name}_staged": len(rows) for name, rows in out.items()})
    staging.write_counts(run, f"facts-{shard}", counts)
    schema_of = {
        "mentions": schemas.MENTIONS,
        "fact_mentions": schemas.FACT_MENTIONS,
        "quotes": schemas.QUOTES,
        "amounts": schemas.AMOUNTS,
    }
    for name in DATASETS:
        staging.write_rows(staging.stage_file(run, name, shard), out[name], schema_of[name])
    logger.info("facts shard %s: %s", shard, counts)
    return staging.stage_file(run, "fact_mentions", shard)


def _failed(counts: dict[str, int]) -> Record:
    """How the boundary records an article whose facts failed: in the shard's counts (the log has the reason)."""

    def record(error_class: str, reason: str) -> None:
        counts["facts_failed"] += 1
        counts["items_failed"] += 1

    return record
