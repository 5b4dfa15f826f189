"""News alerts: deliver new matching stories on every route when the warehouse changes. Wiring only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from airflow.sdk import dag, task
from newswatch_common import (
    DAG_DEFAULTS,
    NEWS_WAREHOUSE,
    WRITER_POOL,
    WRITER_QUEUE,
    default_args,
)

DOC = """
### news_alerts

Runs each time `news_ingest` publishes the warehouse (Asset `news_warehouse`), and sends one
alert per new matching **story cluster** and topic on every route of `config/alerts.yaml`
(`NEWS_ALERTS_FILE`): immediate alerts up to `max_immediate` per run, the rest in one digest;
digest routes at their `digest_at` times; updates when a story gains a significant new fact.

* The delivery ledger is the `alerts` table of the live warehouse, so `send_alerts` runs in the
  one-slot `duckdb_writer` pool. Write order and the one remaining window: `docs/ALERTS.md`.
* A channel that is down does not fail the task: its rows are `failed`, retried by later runs with
  exponential backoff, and the route shows `is_failing` in `fct_alert_route_health`.
* Routes with `conn_id` read their Apprise URLs from that Airflow connection (`extra.urls`).
"""


@dag(
    dag_id="news_alerts",
    schedule=[NEWS_WAREHOUSE],
    dagrun_timeout=timedelta(minutes=30),
    doc_md=DOC,
    tags=["newswatch", "alerts"],
    default_args=default_args(retries=3, max_retry_delay=timedelta(minutes=15),
                              execution_timeout=timedelta(minutes=15)),
    **DAG_DEFAULTS,
)
def news_alerts() -> None:
    # The ledger lives in the live warehouse: this task is a writer, on the writer's queue and pool.
    @task(pool=WRITER_POOL, queue=WRITER_QUEUE)
    def send_alerts() -> dict[str, Any]:
        from airflow.sdk import Connection

        from pipeline.alerts import ledger, routes

        def resolve(conn_id: str) -> list[str]:
            conn = Connection.get(conn_id)
            return routes.connection_urls(conn.extra_dejson, conn.host)

        return ledger.send_alerts(resolve_connection=resolve).summary()

    send_alerts()


news_alerts()
