"""The operator's notifier: DAG failures, missed deadlines and feed-health warnings, through Apprise.

Where to send is an Airflow connection, ``newswatch_apprise`` (Apprise URLs in ``host`` or in the
extra ``{"urls": [...]}``), or else the environment variable ``NEWS_OPERATOR_APPRISE_URLS``.
The message text is built by ``pipeline.alerts.operator``; this module only turns Airflow's context into
plain values.

Used as every DAG's ``on_failure_callback`` (through ``notify_operator``), and as the callback of
the ingest DAG's ``DeadlineAlert``: the triggerer imports ``newswatch_notify.NewswatchNotifier``
by path, builds it with ``context=`` and awaits it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from airflow.sdk import BaseNotifier

logger = logging.getLogger(__name__)

CONN_ID = "newswatch_apprise"


def operator_urls() -> list[str]:
    """Apprise URLs from the ``newswatch_apprise`` connection, else from ``NEWS_OPERATOR_APPRISE_URLS``."""
    from pipeline.alerts import channels, operator

    try:
        from airflow.sdk import Connection

        conn = Connection.get(CONN_ID)
    except Exception:  # not defined, or no secrets backend reachable here: the env var is the fallback
        logger.debug("connection %s not available; using %s", CONN_ID, operator.URLS_ENV, exc_info=True)
        return operator.env_urls()
    extra = conn.extra_dejson or {}
    return channels.parse_urls(extra.get("urls") or conn.host) or operator.env_urls()


def _get(obj: Any, name: str) -> Any:
    if obj is None:
        return None
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _failed_tasks(context: dict[str, Any]) -> list[str]:
    dag_run = context.get("dag_run")
    try:
        tis = dag_run.get_task_instances(state=["failed", "upstream_failed"]) if dag_run is not None else []
    except Exception:  # a run object without database access (DAG processor): fall back to the last task
        tis = []
    names = [ti.task_id if ti.map_index < 0 else f"{ti.task_id}[{ti.map_index}]" for ti in tis]
    ti = context.get("task_instance") or context.get("ti")
    if not names and ti is not None and _get(ti, "state") in ("failed", "upstream_failed", None):
        names.append(str(_get(ti, "task_id")))
    return names


class NewswatchNotifier(BaseNotifier):
    """Tell the operator, through Apprise, that a run failed (``kind="failure"``) or is too slow
    (``kind="deadline"``).

    Args:
        kind: ``failure`` or ``deadline``.
        urls: Apprise URLs; by default the ``newswatch_apprise`` connection or
            ``NEWS_OPERATOR_APPRISE_URLS``, resolved when the notice is sent.
        context: set by the triggerer for deadline callbacks.
    """

    def __init__(self, kind: str = "failure", urls: list[str] | None = None,
                 context: dict[str, Any] | None = None) -> None:
        super().__init__(context=context)  # type: ignore[arg-type]
        self.kind = kind
        self.urls = urls

    def render_template_fields(self, context: Any, jinja_env: Any = None) -> None:
        # Nothing is templated here; and under `dag.test()` context["dag"] is a SerializedDAG,
        # which has no Jinja environment, so BaseNotifier's rendering would fail the callback.
        if self.template_fields:
            super().render_template_fields(context, jinja_env)

    def notice(self, context: dict[str, Any]) -> Any:
        """The plain-text notice for this context (``pipeline.alerts.operator.Notice``)."""
        from pipeline.alerts import operator

        dag_run = context.get("dag_run")
        dag = context.get("dag")
        dag_id = _get(dag_run, "dag_id") or _get(dag, "dag_id") or "?"
        run_id = context.get("run_id") or _get(dag_run, "run_id")
        if self.kind == "deadline":
            deadline = context.get("deadline") or {}
            return operator.deadline_notice(dag_id, run_id, deadline_at=_get(deadline, "deadline_time"),
                                          started_at=_get(dag_run, "start_date"), state=_get(dag_run, "state"))
        ti = context.get("task_instance") or context.get("ti")
        return operator.failure_notice(dag_id, run_id, reason=context.get("reason"),
                                     failed_tasks=_failed_tasks(context), log_url=_get(ti, "log_url"))

    def notify(self, context: dict[str, Any]) -> None:  # type: ignore[override]
        from pipeline.alerts import operator

        operator.send(self.urls if self.urls is not None else operator_urls(), self.notice(context))

    async def async_notify(self, context: dict[str, Any]) -> None:  # type: ignore[override]
        # Apprise and the connection lookup block; keep the triggerer's event loop free.
        await asyncio.to_thread(self.notify, context)


def notify_operator(context: dict[str, Any]) -> None:
    """A DAG's ``on_failure_callback``: send the failure notice."""
    NewswatchNotifier()(context)
