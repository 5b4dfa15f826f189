"""Runtime settings, read from the environment when called (never at import time).

Every setting has a local-development default, so ``newswatch run`` works from a checkout.
Airflow workers, compose and tests change them through environment variables:

=====================  ===========================================  ==============================
variable               meaning                                      default
=====================  ===========================================  ==============================
NEWS_DATA_DIR          staging, raw HTML, databases                 ``<repo>/data`` (installed: ``./data``)
NEWS_DUCKDB_PATH       the live warehouse (one writer only)         ``$NEWS_DATA_DIR/newswatch.duckdb``
NEWS_SNAPSHOT_PATH     read-only copy for analysts, alerts, the UI  ``$NEWS_DATA_DIR/newswatch.snapshot.duckdb``
NEWS_FEEDS_FILE        feed list (YAML)                             ``<repo>/config/feeds.yaml``
NEWS_TOPICS_FILE       topic definitions (YAML)                     ``<repo>/config/topics.yaml``
NEWS_ALLOW_HOSTS       hosts or IPs exempt from the private-address ``""`` (none)
                       guard, comma-separated (tests: 127.0.0.1)
NEWS_USER_AGENT        User-Agent sent with every request           see ``DEFAULT_USER_AGENT``
NEWS_SHARDS            feed shards fetched in parallel              ``4``
NEWS_MAX_PAGE_BYTES    largest body read, in bytes                  ``5000000``
NEWS_MIN_INTERVAL_S    least time between two requests to one host  ``1.0``
NEWS_REJECT_RATIO      share of failed pages above which a shard    ``1.0`` (never)
                       fails
NEWS_ALERTS_FILE       alert routes (YAML, docs/ALERTS.md)          ``<repo>/config/alerts.yaml``
NEWS_ENTITIES_FILE     the gazetteer (YAML)                         ``<repo>/config/entities.yaml``
NEWS_OPERATOR_APPRISE_ operator notices when no Airflow connection  ``""`` (none)
URLS                   ``newswatch_apprise`` exists
NEWS_RETENTION_RAW_    days stored raw HTML is kept                 ``365``
DAYS
NEWS_RETENTION_STAGING days a run's staging folder is kept          ``14``
_DAYS
NEWS_FAULT             tests only: pause inside the load            ``""``
NEWS_ALERTS_FAULT      tests only: exit at a delivery step          ``""``
=====================  ===========================================  ==============================

The DAG files read their own few settings at parse time through :func:`dag_settings`:
``NEWS_WRITER_QUEUE`` (the queue of the one DuckDB writer, default ``default``),
``NEWS_INGEST_SCHEDULE`` (default ``*/30 * * * *``), ``NEWS_INGEST_DEADLINE_MINUTES`` (default 90;
0 turns the deadline off) and ``NEWS_MAINTENANCE_SCHEDULE`` (default ``@daily``).

``NEWS_SAMPLE_SITE_URL`` is not a setting: the demo sets it, and the sample feed list uses it as
``${NEWS_SAMPLE_SITE_URL}``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pipeline.errors import ConfigError

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
# A checkout keeps sql/, config/, dags/ and plugins/ at the top of the repository; a built wheel carries
# the same folders inside the package (pyproject.toml's force-include), like trafilatura's packaged
# settings.cfg, so an installed newswatch finds them from any working directory.
IS_CHECKOUT = (REPO_ROOT / "sql").is_dir() and (REPO_ROOT / "pyproject.toml").is_file()
PROJECT_DIR = REPO_ROOT if IS_CHECKOUT else PACKAGE_DIR / "_data"
CONFIG_DIR = PROJECT_DIR / "config"
SQL_DIR = PROJECT_DIR / "sql"
DAGS_DIR = PROJECT_DIR / "dags"
PLUGINS_DIR = PROJECT_DIR / "plugins"
_N = TypeVar("_N", int, float)
DEFAULT_USER_AGENT = "newswatch/0.1 (+https://github.com/newswatch/newswatch; news monitoring bot)"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    duckdb_path: Path
    snapshot_path: Path
    feeds_file: Path
    topics_file: Path
    allow_hosts: frozenset[str]
    user_agent: str
    shards: int
    max_page_bytes: int
    min_interval_s: float
    reject_ratio: float
    alerts_file: Path = CONFIG_DIR / "alerts.yaml"
    retention_raw_days: int = 365
    retention_staging_days: int = 14
    entities_file: Path = CONFIG_DIR / "entities.yaml"
    operator_apprise_urls: str = ""
    fault: str = ""
    alerts_fault: str = ""

    @property
    def staging_dir(self) -> Path:
        return self.data_dir / "staging"

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"


def _number(name: str, parse: Callable[[str], _N], kind: str) -> _N | None:
    """``name`` parsed by ``parse``, or None when unset or empty; ConfigError names the variable."""
    raw = os.environ.get(name, "")
    if not raw:
        return None
    try:
        return parse(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not {kind}") from None


def _int(name: str, default: int, minimum: int = 1) -> int:
    value = _number(name, int, "a whole number")
    if value is None:
        return default
    if value < minimum:
        raise ConfigError(f"{name}={value} must be at least {minimum}")
    return value


def _float(name: str, default: float, maximum: float = 1.0) -> float:
    value = _number(name, float, "a number")
    if value is None:
        return default
    if not 0.0 <= value <= maximum:
        raise ConfigError(f"{name}={value} must be between 0 and {maximum}")
    return value


def load() -> Settings:
    """Read the settings from the environment.

    Returns:
        The current settings.

    Raises:
        ConfigError: a variable is set to a value that cannot be used.
    """
    env = os.environ
    data_dir = Path(env.get("NEWS_DATA_DIR") or (REPO_ROOT if IS_CHECKOUT else Path.cwd()) / "data")
    data_dir = data_dir.expanduser().resolve()
    hosts = frozenset(h.strip().lower() for h in env.get("NEWS_ALLOW_HOSTS", "").split(",") if h.strip())
    return Settings(
        data_dir=data_dir,
        duckdb_path=Path(env.get("NEWS_DUCKDB_PATH") or data_dir / "newswatch.duckdb").expanduser(),
        snapshot_path=Path(env.get("NEWS_SNAPSHOT_PATH") or data_dir / "newswatch.snapshot.duckdb").expanduser(),
        feeds_file=Path(env.get("NEWS_FEEDS_FILE") or CONFIG_DIR / "feeds.yaml").expanduser(),
        topics_file=Path(env.get("NEWS_TOPICS_FILE") or CONFIG_DIR / "topics.yaml").expanduser(),
        allow_hosts=hosts,
        user_agent=env.get("NEWS_USER_AGENT") or DEFAULT_USER_AGENT,
        shards=_int("NEWS_SHARDS", 4),
        max_page_bytes=_int("NEWS_MAX_PAGE_BYTES", 5_000_000, minimum=1024),
        min_interval_s=_float("NEWS_MIN_INTERVAL_S", 1.0, maximum=3600.0),
        reject_ratio=_float("NEWS_REJECT_RATIO", 1.0),
        alerts_file=Path(env.get("NEWS_ALERTS_FILE") or CONFIG_DIR / "alerts.yaml").expanduser(),
        retention_raw_days=_int("NEWS_RETENTION_RAW_DAYS", 365),
        retention_staging_days=_int("NEWS_RETENTION_STAGING_DAYS", 14),
        entities_file=Path(env.get("NEWS_ENTITIES_FILE") or CONFIG_DIR / "entities.yaml").expanduser(),
        operator_apprise_urls=env.get("NEWS_OPERATOR_APPRISE_URLS", ""),
        fault=env.get("NEWS_FAULT", ""),
        alerts_fault=env.get("NEWS_ALERTS_FAULT", ""),
    )


def sample_site_env(base_url: str, feeds_file: Path) -> dict[str, str]:
    """The variables that point newswatch at a sample site served on loopback (the demo, ``newswatch airflow``).

    Args:
        base_url: the served site, for ``${NEWS_SAMPLE_SITE_URL}`` in its feed list.
        feeds_file: that feed list.

    Returns:
        Variables to set: the site, its feeds, loopback allowed, and a short per-host interval
        unless ``NEWS_MIN_INTERVAL_S`` is already set.
    """
    return {
        "NEWS_SAMPLE_SITE_URL": base_url,
        "NEWS_FEEDS_FILE": str(feeds_file),
        "NEWS_ALLOW_HOSTS": "127.0.0.1",
        "NEWS_MIN_INTERVAL_S": os.environ.get("NEWS_MIN_INTERVAL_S", "0.05"),
    }


@dataclass(frozen=True)
class DagSettings:
    """What the DAG files need when Airflow parses them: light, and read without touching the data dir."""

    writer_queue: str
    ingest_schedule: str
    ingest_deadline_minutes: int
    maintenance_schedule: str


def dag_settings() -> DagSettings:
    """Read the parse-time settings of the DAG files.

    Raises:
        ConfigError: ``NEWS_INGEST_DEADLINE_MINUTES`` is not a whole number.
    """
    env = os.environ
    return DagSettings(
        writer_queue=env.get("NEWS_WRITER_QUEUE") or "default",
        ingest_schedule=env.get("NEWS_INGEST_SCHEDULE") or "*/30 * * * *",
        ingest_deadline_minutes=_int("NEWS_INGEST_DEADLINE_MINUTES", 90, minimum=0),
        maintenance_schedule=env.get("NEWS_MAINTENANCE_SCHEDULE") or "@daily",
    )
