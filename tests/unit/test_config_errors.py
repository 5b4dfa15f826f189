"""Config mistakes an operator makes give one clear error that names the setting or the file and key (issue 17)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import settings
from pipeline.cli import dagrun
from pipeline.errors import ConfigError
from pipeline.ingest.feeds import load_sources


def test_a_missing_topics_file_names_the_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("NEWS_TOPICS_FILE", str(tmp_path / "nope.yaml"))
    with pytest.raises(ConfigError, match=r"NEWS_TOPICS_FILE=.*nope\.yaml: no such file"):
        settings.load()


def test_every_problem_of_a_feeds_file_is_named_at_once_unknown_topics_included(tmp_path: Path):
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds:\n"
                     "  - {name: A, url: 'https://a.example/feed', topics: [us_japan, rare_earth]}\n"
                     "  - {name: B, url: /relative}\n"
                     "  - {name: C, url: 'https://a.example/feed'}\n"
                     "  - {name: D, url: 'https://d.example/feed', topics: [bogus]}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_sources(feeds)
    message = str(info.value)
    assert "feeds[0].topics: unknown topic 'rare_earth' (NEWS_TOPICS_FILE defines rare_earths, us_japan)" in message
    assert "feeds[1].url '/relative' is not an absolute http(s) URL" in message
    assert "feeds[2].url https://a.example/feed is listed twice" in message
    assert "feeds[3].topics: unknown topic 'bogus'" in message


def test_the_shipped_feeds_file_names_only_known_topics():
    assert load_sources(settings.CONFIG_DIR / "feeds.yaml")


def test_task_logs_are_at_info_unless_news_log_level_says_otherwise(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("AIRFLOW__LOGGING__LOGGING_LEVEL", raising=False)
    assert dagrun.airflow_env()["AIRFLOW__LOGGING__LOGGING_LEVEL"] == "INFO"
    monkeypatch.setenv("NEWS_LOG_LEVEL", "warning")
    assert dagrun.airflow_env()["AIRFLOW__LOGGING__LOGGING_LEVEL"] == "WARNING"
    monkeypatch.setenv("NEWS_LOG_LEVEL", "loud")
    with pytest.raises(ConfigError, match="NEWS_LOG_LEVEL='loud' is not a log level"):
        settings.load()
