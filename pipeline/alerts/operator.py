"""Operator notices (a failed run, a run past its deadline, unhealthy feeds) sent through Apprise.

Airflow-free: the notifier in ``plugins/newswatch_notify.py`` resolves the Airflow connection
``newswatch_apprise`` (or ``NEWS_OPERATOR_APPRISE_URLS``), turns the Airflow context into plain
values, and calls the functions here. The alerts to recipients about matching stories are a
different channel (``pipeline/alerts/``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline import settings
from pipeline.alerts.channels import parse_urls
from pipeline.errors import NotifyError

logger = logging.getLogger(__name__)

URLS_ENV = "NEWS_OPERATOR_APPRISE_URLS"
MAX_LISTED = 20


@dataclass(frozen=True)
class Notice:
    """One message to the operator: a short title and a plain-text body."""

    title: str
    body: str
    kind: str = "failure"  # failure | deadline | health


def env_urls() -> list[str]:
    """The operator's Apprise URLs from ``NEWS_OPERATOR_APPRISE_URLS`` (read when called)."""
    return parse_urls(settings.load().operator_apprise_urls)


def failure_notice(dag_id: str, run_id: str | None, *, reason: str | None = None,
                   failed_tasks: Sequence[str] = (), log_url: str | None = None) -> Notice:
    """The notice for a DAG run that failed."""
    lines = [f"DAG {dag_id} run {run_id or '?'} failed."]
    if reason:
        lines.append(f"Reason: {reason}")
    if failed_tasks:
        lines.append("Failed task(s): " + ", ".join(failed_tasks))
    if log_url:
        lines.append(f"Log: {log_url}")
    lines.append("Feed and page failures alone never fail a run: look at the task log named above.")
    return Notice(title=f"[newswatch] {dag_id} failed", body="\n".join(lines), kind="failure")


def deadline_notice(dag_id: str, run_id: str | None, *, deadline_at: Any = None, started_at: Any = None,
                    state: str | None = None) -> Notice:
    """The notice for a DAG run that is still not finished at its deadline."""
    lines = [f"DAG {dag_id} run {run_id or '?'} missed its deadline{f' ({deadline_at})' if deadline_at else ''}."]
    if started_at:
        lines.append(f"Started: {started_at}")
    if state:
        lines.append(f"State when the deadline passed: {state}")
    lines.append("A slow feed host, a locked DuckDB file or a stuck worker are the usual causes.")
    return Notice(title=f"[newswatch] {dag_id} is too slow", body="\n".join(lines), kind="deadline")


def health_notice(problems: Sequence[Mapping[str, Any]]) -> Notice:
    """The notice listing unhealthy feeds and alert routes (``maintenance.check_feed_health`` rows)."""
    lines = [f"{len(problems)} feed(s) or alert route(s) need attention:"]
    for problem in problems[:MAX_LISTED]:
        detail = f" ({problem['detail']})" if problem.get("detail") else ""
        lines.append(f"- {problem['kind']} {problem['name']}: {problem['health']}{detail}")
    if len(problems) > MAX_LISTED:
        lines.append(f"... and {len(problems) - MAX_LISTED} more (see fct_feed_health)")
    return Notice(title="[newswatch] feed health", body="\n".join(lines), kind="health")


def send(urls: Sequence[str], notice: Notice) -> int:
    """Deliver one notice to every Apprise URL.

    Args:
        urls: Apprise URLs, e.g. ``mailto://…``, ``slack://…``, ``json://host:port/``.
        notice: what to send.

    Returns:
        How many URLs the notice went to (0 when none is configured: the notice is only logged).

    Raises:
        NotifyError: a URL is not a valid Apprise URL, or a delivery failed.
    """
    if not urls:
        logger.warning("no operator notification URL configured (%s or the Airflow connection "
                       "newswatch_apprise); notice only logged: %s\n%s", URLS_ENV, notice.title, notice.body)
        return 0
    import apprise  # imported when sending: the DAG processor parses files that never send

    client = apprise.Apprise()
    for url in urls:
        if not client.add(url):
            raise NotifyError(f"not a valid Apprise URL (check {URLS_ENV} or the connection newswatch_apprise): "
                              f"{_redact(url)}")
    notify_type = apprise.NotifyType.WARNING if notice.kind == "health" else apprise.NotifyType.FAILURE
    if not client.notify(title=notice.title, body=notice.body, notify_type=notify_type):
        raise NotifyError(f"Apprise could not deliver {notice.title!r} to every one of {len(urls)} URL(s)")
    logger.info("sent %r to %d URL(s)", notice.title, len(urls))
    return len(urls)


def _redact(url: str) -> str:
    # Apprise URLs carry tokens and passwords; keep only the scheme and host in messages.
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    return f"{scheme}://{host}/…"
