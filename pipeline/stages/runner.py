"""Run every stage in this process, without Airflow: ``newswatch run`` (development, debugging).

The DAG calls the very same functions, shard by shard, as mapped tasks; its ``process_articles``
task is :func:`process_pages`, so this module imports only the per-article stages at its top
(fetching, planning and loading are imported by :func:`run_pipeline` when it runs).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline import settings, staging
from pipeline.stages import classify, extract, facts

logger = logging.getLogger(__name__)


def run_pipeline(run_id: str | None = None, *, force: bool = False) -> dict[str, Any]:
    """Fetch, plan the pages, scrape, extract, classify, extract facts, load and publish, for every shard.

    Args:
        run_id: the run's id; defaults to ``manual__<UTC timestamp>``.
        force: fetch every feed, due or not.

    Returns:
        The run's row of the ``runs`` table.
    """
    from pipeline.stages import feeds, load, plan_pages, scrape

    cfg = settings.load()
    run_id = run_id or f"manual__{datetime.now(UTC):%Y-%m-%dT%H:%M:%S.%f}"
    run = staging.run_dir(run_id)
    # Every feed shard first, against the snapshot's feed states: plan_pages re-splits their items by
    # page host, against the snapshot's stored pages, as the DAG's tasks do.
    items = [feeds.fetch_feeds(run, shard, cfg.shards, snapshot=cfg.snapshot_path, run_id=run_id, force=force)
             for shard in range(cfg.shards)]
    for plan in plan_pages.plan_pages(items, snapshot=cfg.snapshot_path):
        process_pages(scrape.scrape_articles(plan, run_id=run_id))
    row = load.load_warehouse(run, run_id=run_id)
    return row


def process_pages(pages: Path) -> Path:
    """Extract, classify and extract facts for one shard's staged pages; returns the staged facts file.

    One process pays the imports and model loads (trafilatura, the topic rules, spaCy) once for the
    three stages: the DAG's ``process_articles`` task.
    """
    articles = extract.extract_articles(pages)
    return facts.extract_facts(classify.classify_articles(articles), articles)
