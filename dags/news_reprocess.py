"""Re-run stages over stored articles, by hand, with params. Wiring only; behaviour lives in pipeline/."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import Asset, Param, dag, task

NEWS_WAREHOUSE = Asset(name="news_warehouse", uri="newswatch://warehouse")
WRITER_POOL = "duckdb_writer"
# In compose, one worker owns the DuckDB volume and serves this queue (docker-compose.yml).
WRITER_QUEUE = os.environ.get("NEWS_WRITER_QUEUE", "default")
STAGES = ["extract", "classify", "facts"]

DOC = """
### news_reprocess

Triggered by hand (**Trigger** with params): runs stages again over the **stored** articles,
without fetching anything, then loads and publishes a fresh snapshot. Use it after editing
`topics.yaml` (stage `classify`), after improving the fact rules (`facts`) or the extractor
(`extract`, which re-reads the kept raw HTML).

* `stages`: any of `extract`, `classify`, `facts` (facts implies classify).
* `topics`: only articles now relevant to one of these topics; empty = all articles.
* `since` / `until`: only articles published (or first seen) in this date range, inclusive.

Loading is idempotent, so triggering the same reprocess twice changes nothing. Both tasks run in
the one-slot `duckdb_writer` pool. The snapshot update is an event of the `news_warehouse`
asset, so the alerts DAG sees stories that newly match.
"""


def notify_operator(context: dict[str, Any]) -> None:
    """DAG failure callback: the plugin's Apprise notifier, imported when called, not at parse time."""
    from newswatch_notify import notify_operator as send

    send(context)


@dag(
    dag_id="news_reprocess",
    schedule=None,
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=6),
    doc_md=DOC,
    tags=["newswatch", "reprocess"],
    on_failure_callback=notify_operator,
    params={
        "stages": Param(STAGES, type="array", items={"type": "string", "enum": STAGES}, minItems=1,
                        uniqueItems=True, description="Stages to run again."),
        "topics": Param([], type="array", items={"type": "string"}, uniqueItems=True,
                        description="Only articles now relevant to one of these topics; empty = all."),
        "since": Param(None, type=["null", "string"], format="date",
                       description="Only articles published on or after this day (YYYY-MM-DD)."),
        "until": Param(None, type=["null", "string"], format="date",
                       description="Only articles published on or before this day (YYYY-MM-DD)."),
    },
    default_args={
        "owner": "newswatch",
        "retries": 1,
        "retry_delay": timedelta(minutes=2),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=20),
        "execution_timeout": timedelta(hours=4),
    },
)
def news_reprocess() -> None:
    @task(pool=WRITER_POOL, queue=WRITER_QUEUE)
    def reprocess(**context: Any) -> dict[str, Any]:
        from pipeline.stages import reprocess

        params = context["params"]
        return reprocess.reprocess(params["stages"], topics=params["topics"], since=params["since"],
                                   until=params["until"], run_id=context["run_id"], publish=False)

    @task(pool=WRITER_POOL, queue=WRITER_QUEUE, outlets=[NEWS_WAREHOUSE])
    def publish_snapshot(counts: dict[str, Any], **context: Any) -> str:
        from pipeline.warehouse import db as warehouse

        context["outlet_events"][NEWS_WAREHOUSE].extra = {
            k: v for k, v in counts.items() if k.startswith("count_") or k in ("run_id", "status")
        }
        return str(warehouse.publish_snapshot())

    publish_snapshot(reprocess())


news_reprocess()
