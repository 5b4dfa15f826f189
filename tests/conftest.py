"""Shared fixtures: an isolated data folder per test, and the sample site served on loopback."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline import sample_site

FIXTURES = Path(__file__).parent / "fixtures"


SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def uv() -> str:
    """The uv that runs the tests (``uv run`` sets UV), else the one on PATH. Under `make test`, `python3` is the
    venv's interpreter, which has no uv module, so `python3 -m uv` is not an option."""
    found = os.environ.get("UV") or shutil.which("uv")
    if not found:
        pytest.fail("uv is not found (UV unset, none on PATH): run the tests with `make test`, which installs it")
    return found


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the repository, where CI lays it: a clear failure, never a skip, when it is missing."""
    if not (SHARED / "eval").is_dir():
        pytest.fail(f"{SHARED} is missing: the evaluation and corpus tests need the shared folder "
                    "(eval/, corpus/) beside the repository, as CI lays it")
    return SHARED


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data folder; nothing leaks into ./data or between tests."""
    data = tmp_path / "data"
    monkeypatch.setenv("NEWS_DATA_DIR", str(data))
    for name in ("NEWS_DUCKDB_PATH", "NEWS_SNAPSHOT_PATH", "NEWS_FEEDS_FILE", "NEWS_SHARDS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NEWS_MIN_INTERVAL_S", "0")
    monkeypatch.setenv("NEWS_ALLOW_HOSTS", "")
    return data


@pytest.fixture(scope="session")
def site_url() -> Iterator[str]:
    """The bundled sample site, served on an ephemeral loopback port for the whole session."""
    with sample_site.serve() as base:
        yield base


@pytest.fixture
def sample_env(site_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the pipeline at the sample site's feeds, with loopback allow-listed."""
    monkeypatch.setenv("NEWS_SAMPLE_SITE_URL", site_url)
    monkeypatch.setenv("NEWS_FEEDS_FILE", str(sample_site.FEEDS_FILE))
    monkeypatch.setenv("NEWS_ALLOW_HOSTS", "127.0.0.1")
    return site_url
