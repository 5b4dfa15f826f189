"""Settings: every NEWS_* variable is read in settings.py and listed in the README's one table; bad values are named."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline import settings
from pipeline.errors import ConfigError

README = settings.REPO_ROOT / "README.md"
NAME = re.compile(r"\bNEWS_[A-Z0-9_]*[A-Z0-9]\b")


def table_rows() -> dict[str, tuple[str, str]]:
    """The README's settings table: variable -> (default, meaning)."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index("| variable | default | meaning |")
    rows = {}
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        variable, default, meaning = (cell.strip() for cell in line.strip("|").split("|"))
        rows[variable.strip("`")] = (default, meaning)
    return rows


def test_every_variable_read_in_settings_is_in_the_readme_table():
    read = set(NAME.findall(Path(settings.__file__).read_text(encoding="utf-8")))
    rows = table_rows()
    assert read - set(rows) == set()
    assert set(rows) - read == set()  # nothing listed that settings does not read
    assert all(default and meaning for default, meaning in rows.values())


def test_unset_variables_give_the_local_defaults(monkeypatch, isolated_settings):
    for name in ("NEWS_SHARDS", "NEWS_REJECT_RATIO", "NEWS_MIN_INTERVAL_S", "NEWS_RETENTION_RAW_DAYS"):
        monkeypatch.delenv(name, raising=False)
    cfg = settings.load()
    assert cfg.data_dir == isolated_settings.resolve()
    assert cfg.duckdb_path == cfg.data_dir / "newswatch.duckdb"
    assert (cfg.shards, cfg.reject_ratio, cfg.min_interval_s, cfg.retention_raw_days) == (4, 1.0, 1.0, 365)


@pytest.mark.parametrize(("name", "value", "message"), [
    ("NEWS_SHARDS", "four", "NEWS_SHARDS='four' is not a whole number"),
    ("NEWS_SHARDS", "0", "NEWS_SHARDS=0 must be at least 1"),
    ("NEWS_MAX_PAGE_BYTES", "100", "NEWS_MAX_PAGE_BYTES=100 must be at least 1024"),
    ("NEWS_REJECT_RATIO", "half", "NEWS_REJECT_RATIO='half' is not a number"),
    ("NEWS_REJECT_RATIO", "1.5", "NEWS_REJECT_RATIO=1.5 must be between 0 and 1.0"),
    ("NEWS_MIN_INTERVAL_S", "-1", "NEWS_MIN_INTERVAL_S=-1.0 must be between 0 and 3600.0"),
])
def test_a_bad_value_is_refused_naming_the_variable(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as exc_info:
        settings.load()
    assert str(exc_info.value) == message


def test_dag_settings_allow_a_zero_deadline(monkeypatch):
    monkeypatch.setenv("NEWS_INGEST_DEADLINE_MINUTES", "0")
    monkeypatch.delenv("NEWS_WRITER_QUEUE", raising=False)
    got = settings.dag_settings()
    assert (got.ingest_deadline_minutes, got.writer_queue) == (0, "default")


def test_sample_site_env_keeps_a_chosen_interval(monkeypatch, tmp_path):
    feeds = tmp_path / "feeds.yaml"
    monkeypatch.delenv("NEWS_MIN_INTERVAL_S", raising=False)
    env = settings.sample_site_env("http://127.0.0.1:9", feeds)
    assert env == {"NEWS_SAMPLE_SITE_URL": "http://127.0.0.1:9", "NEWS_FEEDS_FILE": str(feeds),
                   "NEWS_ALLOW_HOSTS": "127.0.0.1", "NEWS_MIN_INTERVAL_S": "0.05"}
    monkeypatch.setenv("NEWS_MIN_INTERVAL_S", "2")
    assert settings.sample_site_env("http://127.0.0.1:9", feeds)["NEWS_MIN_INTERVAL_S"] == "2"
