"""Daily housekeeping: follow-ups, feed health, retention, checkpoint. Wiring only; behaviour lives in pipeline/."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from airflow.sdk import dag, task
from newswatch_common import DAG_DEFAULTS, SETTINGS, WRITER_POOL, WRITER_QUEUE, default_args

DOC = """
### news_maintenance

Daily housekeeping of the warehouse and the data folder.

* `refresh_followups`: open follow-ups past their due date become `overdue`; the log counts
  the open, due-today and overdue ones.
* `checkpoint_warehouse` and `publish_snapshot`: DuckDB `CHECKPOINT` on the live file, then a
  fresh read-only snapshot. These three run in the one-slot `duckdb_writer` pool.
* `check_feed_health`: every failing or stalled feed (view `fct_feed_health`) and failing alert
  route (`fct_alert_route_health`) is a WARNING in the task log and one Apprise notice to the
  operator (connection `newswatch_apprise` or `NEWS_OPERATOR_APPRISE_URLS`).
* `purge_raw_html` / `purge_staging_files`: retention by age, `NEWS_RETENTION_RAW_DAYS`
  (default 365) and `NEWS_RETENTION_STAGING_DAYS` (default 14). Articles keep their clean text.
"""


@dag(
    dag_id="news_maintenance",
    schedule=SETTINGS.maintenance_schedule,
    dagrun_timeout=timedelta(hours=2),
    doc_md=DOC,
    tags=["newswatch", "maintenance"],
    default_args=default_args(retry_delay=timedelta(minutes=2), max_retry_delay=timedelta(minutes=20)),
    **DAG_DEFAULTS,
)
def news_maintenance() -> None:
    @task(pool=WRITER_POOL, queue=WRITER_QUEUE)
    def refresh_followups() -> dict[str, int]:
        from pipeline.warehouse import maintenance

        return maintenance.refresh_followups()

    @task(pool=WRITER_POOL, queue=WRITER_QUEUE)
    def checkpoint_warehouse() -> str:
        from pipeline.warehouse import maintenance

        return maintenance.checkpoint_warehouse()

    # Unlike newswatch_common.publish_snapshot, no asset event: housekeeping loads no articles,
    # so it does not wake news_alerts.
    @task(pool=WRITER_POOL, queue=WRITER_QUEUE)
    def publish_snapshot() -> str:
        from pipeline.warehouse import db

        return str(db.publish_snapshot())

    @task
    def check_feed_health() -> dict[str, Any]:
        from newswatch_notify import operator_urls

        from pipeline.warehouse import maintenance

        return maintenance.check_feed_health(notify_urls=operator_urls())

    @task(queue=WRITER_QUEUE)
    def purge_raw_html() -> dict[str, int]:
        from pipeline.warehouse import maintenance

        return maintenance.purge_raw_html()

    @task(queue=WRITER_QUEUE)
    def purge_staging_files() -> dict[str, int]:
        from pipeline.warehouse import maintenance

        return maintenance.purge_staging_files()

    snapshot = refresh_followups() >> checkpoint_warehouse() >> publish_snapshot()
    snapshot >> check_feed_health()
    snapshot >> [purge_raw_html(), purge_staging_files()]


news_maintenance()
