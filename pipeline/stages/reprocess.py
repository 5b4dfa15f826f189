"""Run the later stages again over stored articles, without fetching anything.

Raw HTML is kept (gzipped) for every fetched page, so a better extractor, an edited
``topics.yaml`` or improved fact rules can be applied to the whole history: this module stages
the stored articles as a new run (re-extracting their text from the raw HTML when asked), runs
classification and fact extraction on them, and hands the run to the one loader. Loading is
idempotent, and every classification row records the classifier version that produced it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pipeline import settings, sqlfiles, staging
from pipeline.classify.config import load_topics
from pipeline.errors import ConfigError
from pipeline.extract import dedup
from pipeline.stages import classify, extract, facts, load, schemas
from pipeline.warehouse import db

logger = logging.getLogger(__name__)

STAGES = ("extract", "classify", "facts")
SHARD_SIZE = 500


def _page_row(article: dict[str, Any]) -> dict[str, Any]:
    """An article as the scrape stage staged it, so that ``extract`` can run on it again."""
    page = {name: article.get(name) for name in schemas.PAGES.names}
    page.update(url=article["canonical_url"], seen_at=article["first_seen_at"], fetched_at=article["updated_at"])
    return page


def _stored_row(article: dict[str, Any]) -> dict[str, Any]:
    row = {name: article.get(name) for name in schemas.ARTICLES.names}
    # Band keys are not stored on articles; recompute them so that clustering sees the text.
    row.update(url=article["canonical_url"], seen_at=article["first_seen_at"],
               band_keys=dedup.band_keys(article.get("text") or ""))
    return row


def _as_date(value: date | str | None, name: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a date (YYYY-MM-DD)") from None


def reprocess(stages: Sequence[str] = STAGES, *, since: date | str | None = None, until: date | str | None = None,
              topic: str | None = None, topics: Sequence[str] | None = None, run_id: str | None = None,
              publish: bool = True, snapshot: Path | None = None) -> dict[str, Any]:
    """Re-run extraction, classification and/or fact extraction over stored articles, then load.

    Args:
        stages: which of ``extract``, ``classify``, ``facts`` to run again. Classification always
            runs when facts do (facts are extracted only for relevant articles).
        since: only articles published (or first seen) on or after this day (a date or YYYY-MM-DD).
        until: only articles published (or first seen) on or before this day (a date or YYYY-MM-DD).
        topic: only articles currently relevant to this topic.
        topics: only articles currently relevant to one of these topics (with ``topic``: either).
        run_id: the run's id; defaults to ``reprocess__<UTC timestamp>``.
        publish: publish the snapshot after the load (the DAG publishes in a task of its own).
        snapshot: the snapshot the stored articles are read from (default ``NEWS_SNAPSHOT_PATH``).

    Returns:
        The run's row of the ``runs`` table.

    Raises:
        ConfigError: an unknown stage or topic was asked for, or since is after until.
    """
    stages = tuple(stages)
    since, until = _as_date(since, "since"), _as_date(until, "until")
    unknown = set(stages) - set(STAGES)
    if unknown or not stages:
        raise ConfigError(f"unknown stage(s) {sorted(unknown)}; choose from {', '.join(STAGES)}")
    if since and until and since > until:
        raise ConfigError(f"since {since} is after until {until}")
    wanted = sorted({*(topics or ()), *([topic] if topic else [])}) or None
    if wanted:
        known = set(load_topics(settings.load().topics_file).names)
        if set(wanted) - known:
            raise ConfigError(f"unknown topic(s) {sorted(set(wanted) - known)}; choose from {', '.join(sorted(known))} "
                              f"(NEWS_TOPICS_FILE)")
    run_id = run_id or f"reprocess__{datetime.now(UTC):%Y-%m-%dT%H:%M:%S.%f}"
    run = staging.run_dir(run_id)
    with db.snapshot(snapshot) as con:
        if con is None:
            raise ConfigError("nothing to reprocess: no snapshot yet (run `newswatch run` first)")
        articles = sqlfiles.rows(con, "reprocess/select_articles", [since, until, wanted])
    counts = {"reprocess_articles": len(articles), "reprocess_reextracted": 0}
    for start in range(0, max(len(articles), 1), SHARD_SIZE):
        shard = f"{start // SHARD_SIZE:03d}"
        rows = []
        for article in articles[start:start + SHARD_SIZE]:
            if "extract" in stages and article.get("raw_path") and Path(article["raw_path"]).exists():
                row, _ = extract.article_row(_page_row(article))
                counts["reprocess_reextracted"] += 1
            else:
                row = _stored_row(article)
            rows.append(row)
        articles_path = staging.write_rows(staging.stage_file(run, "articles", shard), rows, schemas.ARTICLES)
        if "classify" in stages or "facts" in stages:
            classified = classify.classify_articles(articles_path)
            if "facts" in stages:
                facts.extract_facts(classified, articles_path)
    staging.write_counts(run, "reprocess", counts)
    logger.info("reprocessing %d articles (%s)", len(articles), ", ".join(stages))
    return load.load_warehouse(run, run_id=run_id, publish=publish)
