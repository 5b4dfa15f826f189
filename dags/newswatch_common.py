"""What the newswatch DAG files share: the warehouse asset, the writer's pool and queue, the
@dag arguments they set alike (the operator's failure callback among them), default_args and the
task that publishes the snapshot.

A sibling module, not a DAG file: ``dags/.airflowignore`` keeps the DAG processor from parsing it
on its own, and Airflow puts the dags folder (the bundle root) on ``sys.path``, so the DAG files
import it as ``newswatch_common``.
This is the only place in ``dags/`` that reads settings: ``pipeline.settings`` imports only the
standard library and ``pipeline.errors``, so parsing stays light.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import Asset, task

from pipeline.settings import dag_settings

SETTINGS = dag_settings()

NEWS_WAREHOUSE = Asset(name="news_warehouse", uri="newswatch://warehouse")
START_DATE = pendulum.datetime(2025, 1, 1, tz="UTC")
# The one DuckDB writer: a one-slot pool, and in compose the one worker that owns the DuckDB
# volume serves this queue (docker-compose.yml).
WRITER_POOL = "duckdb_writer"
WRITER_QUEUE = SETTINGS.writer_queue

_DEFAULT_ARGS: dict[str, Any] = {
    "owner": "newswatch",
    "retries": 2,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(minutes=10),
    "execution_timeout": timedelta(minutes=30),
}


def default_args(**overrides: Any) -> dict[str, Any]:
    """Return the house default_args (owner, retries with exponential backoff, a task timeout).

    Args:
        **overrides: the keys a DAG sets otherwise, e.g. ``retries`` or ``execution_timeout``.
    """
    return {**_DEFAULT_ARGS, **overrides}


def notify_operator(context: dict[str, Any]) -> None:
    """DAG failure callback: the plugin's Apprise notifier, imported when called, not at parse time."""
    from newswatch_notify import notify_operator as send

    send(context)


# What every newswatch DAG sets alike, spread into each @dag(...): no backfill of missed intervals,
# one run at a time (the warehouse has one writer), and failures reach the operator.
DAG_DEFAULTS: dict[str, Any] = {
    "start_date": START_DATE,
    "catchup": False,
    "max_active_runs": 1,
    "on_failure_callback": notify_operator,
}


@task(pool=WRITER_POOL, queue=WRITER_QUEUE, outlets=[NEWS_WAREHOUSE])
def publish_snapshot(counts: dict[str, Any], **context: Any) -> str:
    """Publish the read-only snapshot; the asset event carries the run's counts to the alerts DAG."""
    from pipeline.warehouse import db

    context["outlet_events"][NEWS_WAREHOUSE].extra = {
        k: v for k, v in counts.items() if k.startswith("count_") or k in ("run_id", "status", "degraded")
    }
    return str(db.publish_snapshot())
