"""The one containment boundary: where the stage layer calls the pure per-feed and per-item code.

A hostile feed or item must never stop a run. Every per-feed and per-item step the stages drive
runs inside ``contained``, which turns any exception into a recorded failure (its class and a short
reason, written wherever the caller's ``record`` puts it: feed state, ``fetch_log``, the run counts)
and lets the loop go on. Only configuration and storage errors pass through: they fail the task,
because no other item could succeed either.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from pipeline.errors import ConfigError, FetchError, StorageError
from pipeline.ingest.http import FetchLog

logger = logging.getLogger(__name__)

REASON_CHARS = 300
# What the boundary never contains: they fail the task.
FATAL: tuple[type[BaseException], ...] = (ConfigError, StorageError)

Record = Callable[[str, str], None]


def describe(exc: BaseException) -> tuple[str, str]:
    """The failure's class (a FetchError's own ``error_class``, else the exception's name) and a short reason."""
    error_class = exc.error_class if isinstance(exc, FetchError) else type(exc).__name__
    reason = f"{type(exc).__name__}: {exc}"
    if len(reason) > REASON_CHARS:
        reason = reason[: REASON_CHARS - 1] + "…"
    return error_class, reason


@contextmanager
def contained(what: str, record: Record) -> Iterator[None]:
    """Run the block; on any exception but ``FATAL`` call ``record(error_class, reason)`` and go on.

    Args:
        what: names the feed or item in the log line.
        record: stores the failure (feed state, ``fetch_log``, counts).
    """
    try:
        yield
    except FATAL:
        raise
    except Exception as exc:
        error_class, reason = describe(exc)
        logger.warning("%s failed, recorded and skipped (%s): %s", what, error_class, reason)
        record(error_class, reason)


def log_failure(log: FetchLog, *, kind: str, url: str, feed_url: str | None, error_class: str, reason: str) -> None:
    """Put a contained failure in ``fetch_log``: on the last request row for ``url``, else on a row of its own."""
    if any(row["url"] == url for row in log.rows):
        log.mark(url, error_class, reason)
    else:
        log.add(kind=kind, url=loggable(url), status=None, n_bytes=0, started=time.monotonic(),
                error_class=error_class, error=reason, feed_url=feed_url)


def loggable(url: str) -> str:
    """The URL as fetch_log can hold it: a bracket that makes it unparseable (``http://[::1``) is escaped."""
    try:
        urlsplit(url)
    except ValueError:
        return url.replace("[", "%5B").replace("]", "%5D")
    return url
