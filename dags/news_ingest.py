"""News ingest: feeds -> pages -> clean text -> topics -> facts -> DuckDB. Wiring only; behaviour lives in pipeline/."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from airflow.sdk import AsyncCallback, DeadlineAlert, DeadlineReference, Param, dag, task
from newswatch_common import (
    DAG_DEFAULTS,
    SETTINGS,
    WRITER_POOL,
    WRITER_QUEUE,
    default_args,
    publish_snapshot,
)

# A run still going this long after it was queued is "much too slow": the operator hears of it
# (plugins/newswatch_notify.py, run by the triggerer). 0 turns the deadline off.
DEADLINE_MINUTES = SETTINGS.ingest_deadline_minutes


DOC = """
### news_ingest

Fetches the configured feeds (polite, conditional GET), scrapes the new articles, extracts clean
text, classifies the two watch topics (**us_japan**, **rare_earths**), extracts facts and loads
everything into DuckDB, then publishes the read-only snapshot analysts query.

* Feeds are split into `NEWS_SHARDS` shards **by host** (mapped tasks), so per-host politeness holds;
  `plan_pages` keeps the new items of every shard and re-splits them by *page* host for `scrape_articles`.
* `process_articles` runs extract, classify and facts for one page shard in one task process, so the
  imports and model loads (trafilatura, the topic rules, spaCy) are paid once per shard, not three times.
* Tasks pass file paths (run-scoped Parquet), never article bodies.
* `load_warehouse` and `publish_snapshot` run in the one-slot `duckdb_writer` pool: the only writer.
* Per-feed and per-page failures never fail the run; they are in `fetch_log` and the `runs` counts.
* Budgets (`NEWS_HOST_BUDGET_S`, `NEWS_SCRAPE_BUDGET_S`, `NEWS_MAX_NEW_ITEMS_PER_FEED`): what one run cannot
  fetch in time is `deferred` to the next run, never failed; `scrape_articles` stages what it fetched.
  `check_run` fails (red) only when every feed that was due failed, after the load kept the evidence.
* Param `force`: fetch every feed now, whether it is due or not.
* A failed run notifies the operator through Apprise (connection `newswatch_apprise` or
  `NEWS_OPERATOR_APPRISE_URLS`); so does a run still unfinished `NEWS_INGEST_DEADLINE_MINUTES`
  (default 90) after it was queued.
"""


@dag(
    dag_id="news_ingest",
    schedule=SETTINGS.ingest_schedule,
    params={"force": Param(False, type="boolean", description="Fetch every feed, due or not.")},
    doc_md=DOC,
    tags=["newswatch", "ingest"],
    dagrun_timeout=timedelta(hours=2),
    deadline=DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=timedelta(minutes=DEADLINE_MINUTES),
        callback=AsyncCallback("newswatch_notify.NewswatchNotifier", kwargs={"kind": "deadline"}),
        name="news_ingest_too_slow",
    ) if DEADLINE_MINUTES > 0 else None,
    default_args=default_args(),
    **DAG_DEFAULTS,
)
def news_ingest() -> None:
    @task
    def plan_shards() -> list[int]:
        from pipeline import settings

        return list(range(settings.load().shards))

    @task
    def fetch_feeds(shard: int, **context: Any) -> str:
        from pipeline import settings, staging
        from pipeline.stages import feeds

        cfg = settings.load()
        run = staging.run_dir(context["run_id"])
        # Feed states (validators, failures, next due time) come from the published snapshot.
        return str(feeds.fetch_feeds(run, shard, cfg.shards, snapshot=cfg.snapshot_path,
                                     run_id=context["run_id"], force=bool(context["params"]["force"])))

    @task
    def plan_pages(items: list[str]) -> list[str]:
        from pipeline import settings
        from pipeline.stages import plan_pages

        # The re-shard by page host, against the snapshot's stored pages: every feed shard's items in.
        return [str(p) for p in plan_pages.plan_pages([Path(i) for i in items],
                                                      snapshot=settings.load().snapshot_path)]

    @task
    def scrape_articles(items: str, **context: Any) -> str:
        from pipeline.stages import scrape

        return str(scrape.scrape_articles(Path(items), run_id=context["run_id"]))

    @task
    def process_articles(pages: str) -> str:
        from pipeline.stages import runner

        # Extract, classify and facts for one shard in one process: imports and model loads paid once.
        return str(runner.process_pages(Path(pages)))

    @task(pool=WRITER_POOL, queue=WRITER_QUEUE)
    def load_warehouse(staged: list[str], **context: Any) -> dict[str, Any]:
        from pipeline import staging
        from pipeline.stages import load

        return load.load_warehouse(staging.run_dir(context["run_id"]), run_id=context["run_id"], publish=False)

    @task
    def check_run(counts: dict[str, Any]) -> None:
        from pipeline.stages import load

        load.check_run(counts)

    items = fetch_feeds.expand(shard=plan_shards())
    staged = process_articles.expand(pages=scrape_articles.expand(items=plan_pages(items)))
    counts = load_warehouse(staged)
    publish_snapshot(counts) >> check_run(counts)


news_ingest()
