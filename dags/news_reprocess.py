"""Re-run stages over stored articles, by hand, with params. Wiring only; behaviour lives in pipeline/."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from airflow.sdk import Param, dag, task
from newswatch_common import (
    DAG_DEFAULTS,
    WRITER_POOL,
    WRITER_QUEUE,
    default_args,
    publish_snapshot,
)

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


@dag(
    dag_id="news_reprocess",
    schedule=None,
    dagrun_timeout=timedelta(hours=6),
    doc_md=DOC,
    tags=["newswatch", "reprocess"],
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
    default_args=default_args(retries=1, retry_delay=timedelta(minutes=2), max_retry_delay=timedelta(minutes=20),
                              execution_timeout=timedelta(hours=4)),
    **DAG_DEFAULTS,
)
def news_reprocess() -> None:
    @task(pool=WRITER_POOL, queue=WRITER_QUEUE)
    def reprocess(**context: Any) -> dict[str, Any]:
        from pipeline import settings
        from pipeline.stages import reprocess

        params = context["params"]
        # The stored articles come from the published snapshot; the live file stays the loader's.
        return reprocess.reprocess(params["stages"], topics=params["topics"], since=params["since"],
                                   until=params["until"], run_id=context["run_id"], publish=False,
                                   snapshot=settings.load().snapshot_path)

    publish_snapshot(reprocess())


news_reprocess()
