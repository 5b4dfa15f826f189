"""Alert routes: ``config/alerts.yaml`` read, checked and resolved into :class:`Route` values.

An alert goes to a *story cluster* and topic, never to each copy of a story. Routes come from
``config/alerts.yaml`` (``NEWS_ALERTS_FILE``); each names its topics (those of the topic config,
``NEWS_TOPICS_FILE``), a minimum score, a mode (``immediate``, or ``digest`` at set UTC times), flood
control (``max_immediate``), whether to send updates, and its channels: the local outbox and/or
Apprise URLs read from an environment variable or an Airflow connection, never from the committed file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

from pipeline import settings
from pipeline.alerts.channels import parse_urls
from pipeline.classify import config
from pipeline.config_schema import AlertRoute, AlertsFile, check
from pipeline.errors import ConfigError

MODES = ("immediate", "digest")
ROUTE_KEYS = {"name", "enabled", "topics", "min_score", "mode", "digest_at", "max_immediate", "updates",
              "urls_env", "conn_id", "outbox", "console", "since"}
RETRY_BASE = timedelta(minutes=5)
RETRY_MAX = timedelta(hours=6)


@dataclass(frozen=True)
class Route:
    """One delivery route of ``config/alerts.yaml``, with its channel URLs resolved."""

    name: str
    topics: tuple[str, ...]
    min_score: float = 0.0
    mode: str = "immediate"
    digest_at: tuple[time, ...] = ()
    max_immediate: int = 10
    updates: bool = False
    urls: tuple[str, ...] = field(default=(), repr=False)  # secrets: never logged
    outbox: bool = False
    console: bool = False
    since: datetime | None = None


@dataclass(frozen=True)
class AlertsConfig:
    routes: tuple[Route, ...]
    retry_base: timedelta = RETRY_BASE
    retry_max: timedelta = RETRY_MAX
    outbox_path: Path | None = None


ConnectionResolver = Callable[[str], Sequence[str]]


def topic_names() -> tuple[str, ...]:
    """The topics a route may name: those of the topic config (``NEWS_TOPICS_FILE``), in its order."""
    return config.load_topics(settings.load().topics_file).names


def _env_connection_urls(conn_id: str) -> list[str]:
    """Outside Airflow: read ``AIRFLOW_CONN_<ID>`` (JSON) the way Airflow would, for its URLs."""
    raw = os.environ.get(f"AIRFLOW_CONN_{conn_id.upper()}", "")
    if not raw:
        raise ConfigError(f"connection {conn_id!r} is not available: run in Airflow, or set "
                          f"AIRFLOW_CONN_{conn_id.upper()} (JSON with extra.urls)")
    try:
        doc = json.loads(raw)
    except json.JSONDecodeError:
        raise ConfigError(f"AIRFLOW_CONN_{conn_id.upper()} must be JSON with extra.urls") from None
    return connection_urls(doc.get("extra") or {}, doc.get("host"))


def connection_urls(extra: Any, host: str | None = None) -> list[str]:
    """The Apprise URLs held by a connection: ``extra.urls`` (list or string), else a URL host."""
    if isinstance(extra, str):
        extra = json.loads(extra or "{}")
    urls = (extra or {}).get("urls") if isinstance(extra, dict) else None
    if isinstance(urls, str | list):
        return parse_urls(urls)
    return [host] if host and "://" in host else []


def _time(value: Any, where: str) -> time:
    text = str(value)
    try:
        hour, minute = text.split(":")
        return time(int(hour), int(minute), tzinfo=UTC)
    except ValueError:
        raise ConfigError(f"{where}.digest_at: {text!r} is not a UTC time HH:MM") from None


def _route(doc: Any, where: str, resolve: ConnectionResolver, index: int = 0, *, resolve_urls: bool = True
           ) -> Route | None:
    if not isinstance(doc, dict) or not doc.get("name"):
        raise ConfigError(f"{where}: each route needs a name")
    name = str(doc["name"])
    where = f"{where} route {name!r}"
    unknown = set(doc) - ROUTE_KEYS
    if "urls" in unknown:
        raise ConfigError(f"{where}: urls must not be in the committed file; name an environment variable "
                          f"(urls_env) or an Airflow connection (conn_id)")
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s) {sorted(unknown)}; known: {sorted(ROUTE_KEYS)}")
    schema = check(AlertRoute, doc, where, prefix=f"routes[{index}]")
    if not schema.enabled:
        return None
    topics = doc.get("topics") or []
    topics = [topics] if isinstance(topics, str) else list(topics)
    known = topic_names()
    if not topics or set(topics) - set(known):
        raise ConfigError(f"{where}.topics: {topics} must be one or more of {list(known)} (NEWS_TOPICS_FILE)")
    mode = str(doc.get("mode", "immediate"))
    if mode not in MODES:
        raise ConfigError(f"{where}.mode: {mode!r} must be one of {list(MODES)}")
    digest_at = tuple(_time(v, where) for v in doc.get("digest_at") or [])
    if mode == "digest" and not digest_at:
        raise ConfigError(f"{where}.digest_at: a digest route needs at least one UTC time, e.g. ['08:00']")
    try:
        min_score = float(doc.get("min_score", 0.0))
        max_immediate = int(doc.get("max_immediate", 10))
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: min_score must be a number and max_immediate a whole number") from None
    if not 0.0 <= min_score <= 1.0 or max_immediate < 0:
        raise ConfigError(f"{where}: min_score must be in 0..1 and max_immediate at least 0")
    urls: list[str] = []
    if not resolve_urls:  # a preview plans the route's messages and sends nothing: no secrets needed
        return Route(name=name, topics=tuple(topics), min_score=min_score, mode=mode, digest_at=digest_at,
                     max_immediate=max_immediate, updates=bool(doc.get("updates", False)),
                     outbox=bool(doc.get("outbox", False)), console=bool(doc.get("console", False)),
                     since=_since(schema.since))
    if doc.get("urls_env"):
        env_name = str(doc["urls_env"])
        raw = os.environ.get(env_name, "")
        if not raw.strip():
            raise ConfigError(f"{where}.urls_env: environment variable {env_name} is not set "
                              f"(Apprise URLs, separated by spaces); set it or disable the route")
        urls += parse_urls(raw)
    if doc.get("conn_id"):
        found = list(resolve(str(doc["conn_id"])))
        if not found:
            raise ConfigError(f"{where}.conn_id: connection {doc['conn_id']!r} holds no Apprise URL (extra.urls)")
        urls += found
    outbox = bool(doc.get("outbox", False))
    if not urls and not outbox:
        raise ConfigError(f"{where}: no channel; set outbox: true, urls_env or conn_id")
    _check_urls(urls, where)
    return Route(name=name, topics=tuple(topics), min_score=min_score, mode=mode, digest_at=digest_at,
                 max_immediate=max_immediate, updates=bool(doc.get("updates", False)), urls=tuple(urls),
                 outbox=outbox, console=bool(doc.get("console", False)), since=_since(schema.since))


def _since(since: datetime | None) -> datetime | None:
    return since.replace(tzinfo=UTC) if since is not None and since.tzinfo is None else since


def _check_urls(urls: Iterable[str], where: str) -> None:
    import apprise

    for n, url in enumerate(urls, 1):
        if apprise.Apprise.instantiate(url) is None:
            # The URL itself may hold a secret: name its position and scheme only.
            raise ConfigError(f"{where}: URL #{n} ({url.split(':', 1)[0]}://…) is not a valid Apprise URL")


def load_config(path: Path | None = None, *, resolve_connection: ConnectionResolver | None = None,
                resolve_urls: bool = True) -> AlertsConfig:
    """Read the routes from ``NEWS_ALERTS_FILE`` and resolve their channel URLs.

    Args:
        path: the routes file (default: the ``NEWS_ALERTS_FILE`` setting).
        resolve_connection: conn_id -> Apprise URLs; the DAG passes one backed by Airflow
            connections. Without it, ``AIRFLOW_CONN_<ID>`` is read from the environment.
        resolve_urls: False for a preview: the routes are checked and planned, but their channel URLs
            (secrets) are neither read nor required.

    Returns:
        The enabled routes.

    Raises:
        ConfigError: the file, a route, a topic, a mode, a time or a URL variable is wrong.
    """
    import yaml

    path = path or settings.load().alerts_file
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"NEWS_ALERTS_FILE={path}: cannot read the alert routes: {exc}") from exc
    where = f"NEWS_ALERTS_FILE={path}"
    if not isinstance(doc, dict) or not isinstance(doc.get("routes"), list):
        raise ConfigError(f"{where}: expected a mapping with a 'routes' list")
    schema = check(AlertsFile, doc, where)
    routes = [_route(r, where, resolve_connection or _env_connection_urls, i, resolve_urls=resolve_urls)
              for i, r in enumerate(doc["routes"])]
    names = [r.name for r in routes if r]
    if len(names) != len(set(names)):
        raise ConfigError(f"{where}: route names must be unique, got {names}")
    retry = schema.retry
    base = RETRY_BASE if retry is None or retry.base_minutes is None else timedelta(minutes=retry.base_minutes)
    cap = RETRY_MAX if retry is None or retry.max_minutes is None else timedelta(minutes=retry.max_minutes)
    return AlertsConfig(routes=tuple(r for r in routes if r), retry_base=base, retry_max=cap)


def demo_config() -> AlertsConfig:
    """The demo's one route: every match to the local outbox and the console, whatever the file says."""
    return AlertsConfig(routes=(Route(name="outbox", topics=topic_names(), max_immediate=10, updates=True,
                                      outbox=True, console=False),))


def connection_ids(path: Path | None = None) -> list[str]:
    """The Airflow connection ids the enabled routes name (the DAG resolves them)."""
    import yaml

    doc = yaml.safe_load((path or settings.load().alerts_file).read_text(encoding="utf-8")) or {}
    return sorted({str(r["conn_id"]) for r in doc.get("routes") or []
                   if isinstance(r, dict) and r.get("conn_id") and r.get("enabled", True)})


