"""The distributed CeleryExecutor run is opt-in: ``make test-distributed`` (NEWS_TEST_DISTRIBUTED=1).

It starts PostgreSQL, Redis and six Airflow processes, so the default ``pytest`` run (``make test``)
does not collect it at all: not collected, rather than collected and skipped.
"""

from __future__ import annotations

import os

import pytest

ENABLE_ENV = "NEWS_TEST_DISTRIBUTED"

collect_ignore_glob = [] if os.environ.get(ENABLE_ENV) == "1" else ["test_*.py"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "distributed: runs news_ingest on Airflow's CeleryExecutor with PostgreSQL and Redis "
                   f"(slow; only with {ENABLE_ENV}=1, see docs/DISTRIBUTED.md)")


SUMMARY = pytest.StashKey[list[str]]()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """Where each task ran (hostname, queue), in the CI log even when the test passes."""
    lines = config.stash.get(SUMMARY, [])
    if lines:
        terminalreporter.section("distributed run")
        for line in lines:
            terminalreporter.write_line(line)
