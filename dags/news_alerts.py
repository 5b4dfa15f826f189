"""News alerts: deliver new matching stories on every route when the warehouse changes. Wiring only."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import Asset, dag, task

NEWS_WAREHOUSE = Asset(name="news_warehouse", uri="newswatch://warehouse")
WRITER_POOL = "duckdb_writer"
# The ledger lives in the live warehouse: this task is a writer, on the writer's queue and pool.
WRITER_QUEUE = os.environ.get("NEWS_WRITER_QUEUE", "default")

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


def notify_operator(context: dict[str, Any]) -> None:
    """DAG failure callback: the plugin's Apprise notifier, imported when called, not at parse time."""
    from newswatch_notify import notify_operator as send

    send(context)


@dag(
    dag_id="news_alerts",
    schedule=[NEWS_WAREHOUSE],
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(minutes=30),
    doc_md=DOC,
    on_failure_callback=notify_operator,
    tags=["newswatch", "alerts"],
    default_args={
        "owner": "newswatch",
        "retries": 3,
        "retry_delay": timedelta(minutes=1),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=15),
        "execution_timeout": timedelta(minutes=15),
    },
)
def news_alerts() -> None:
    @task(pool=WRITER_POOL, queue=WRITER_QUEUE)
    def send_alerts() -> dict[str, Any]:
        from airflow.sdk import Connection

        from pipeline.alerts import delivery as alerts

        def resolve(conn_id: str) -> list[str]:
            conn = Connection.get(conn_id)
            return alerts.connection_urls(conn.extra_dejson, conn.host)

        return alerts.send_alerts(resolve_connection=resolve).summary()

    send_alerts()


news_alerts()
