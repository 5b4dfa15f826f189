"""Runtime settings, read from the environment when called (never at import time).

Every setting has a local-development default, so ``newswatch run`` works from a checkout.
Airflow workers, compose and tests change them through environment variables. Every ``NEWS_*``
variable is read here and nowhere else; README.md ("Pointing it at real feeds") has the one table of
them: variable, default, meaning.

:func:`load` reads the run-time settings; :func:`dag_settings` the few the DAG files read at parse
time; :func:`sample_site_env` the variables that point newswatch at the served sample site.
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
    facts_max_chars: int = 200_000
    # Reminders (issue 19): a follow-up due within this many days gets one reminder per route.
    reminder_days: int = 3
    # Budgets (issue 16 case 7): wall-clock seconds per host per stage shard of a run, and per scrape shard;
    # new items staged per feed per run. What is left over waits for the next run.
    host_budget_s: float = 120.0
    scrape_budget_s: float = 1200.0
    max_new_items_per_feed: int = 200
    fetch_retries: int = 2
    request_timeout_s: float = 45.0
    # Hosts that are down (issue 17): failures in a row before a host is skipped for the rest of a run (0: never),
    # and the first wait before the next runs try it again (doubled per run it stays down; 0: the next run tries).
    host_down_after: int = 3
    host_backoff_s: float = 1800.0
    # The level of the task logs under Airflow (AIRFLOW__LOGGING__LOGGING_LEVEL, unless that is set itself).
    log_level: str = "INFO"

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
    if _number("NEWS_REQUEST_TIMEOUT_S", float, "a number") == 0:
        raise ConfigError("NEWS_REQUEST_TIMEOUT_S=0 must be more than 0")
    data_dir = Path(env.get("NEWS_DATA_DIR") or (REPO_ROOT if IS_CHECKOUT else Path.cwd()) / "data")
    data_dir = data_dir.expanduser().resolve()
    topics_file = Path(env.get("NEWS_TOPICS_FILE") or CONFIG_DIR / "topics.yaml").expanduser()
    if not topics_file.is_file():
        raise ConfigError(f"NEWS_TOPICS_FILE={topics_file}: no such file (the topic definitions; "
                          f"the default is {CONFIG_DIR / 'topics.yaml'})")
    hosts = frozenset(h.strip().lower() for h in env.get("NEWS_ALLOW_HOSTS", "").split(",") if h.strip())
    return Settings(
        data_dir=data_dir,
        duckdb_path=Path(env.get("NEWS_DUCKDB_PATH") or data_dir / "newswatch.duckdb").expanduser(),
        snapshot_path=Path(
            env.get("NEWS_SNAPSHOT_PATH") or data_dir / "newswatch.snapshot.duckdb"
        ).expanduser(),
        feeds_file=Path(env.get("NEWS_FEEDS_FILE") or CONFIG_DIR / "feeds.yaml").expanduser(),
        topics_file=topics_file,
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
        facts_max_chars=_int("NEWS_FACTS_MAX_CHARS", 200_000, minimum=1000),
        reminder_days=_int("NEWS_REMINDER_DAYS", 3, minimum=0),
        host_budget_s=_float("NEWS_HOST_BUDGET_S", 120.0, maximum=86_400.0),
        scrape_budget_s=_float("NEWS_SCRAPE_BUDGET_S", 1200.0, maximum=86_400.0),
        max_new_items_per_feed=_int("NEWS_MAX_NEW_ITEMS_PER_FEED", 200),
        fetch_retries=_int("NEWS_FETCH_RETRIES", 2, minimum=0),
        request_timeout_s=_float("NEWS_REQUEST_TIMEOUT_S", 45.0, maximum=3600.0),
        host_down_after=_int("NEWS_HOST_DOWN_AFTER", 3, minimum=0),
        host_backoff_s=_float("NEWS_HOST_BACKOFF_S", 1800.0, maximum=86_400.0),
        log_level=_log_level(),
    )


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _log_level() -> str:
    raw = os.environ.get("NEWS_LOG_LEVEL", "").strip()
    if not raw:
        return "INFO"
    if raw.upper() not in LOG_LEVELS:
        raise ConfigError(f"NEWS_LOG_LEVEL={raw!r} is not a log level: use one of {', '.join(LOG_LEVELS)}")
    return raw.upper()


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
