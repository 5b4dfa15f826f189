"""``newswatch run`` and ``demo --no-airflow`` over the sample site on loopback: a warehouse is loaded, counted and summarised."""

from __future__ import annotations

import itertools
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner, Result

from pipeline import sample_site, settings
from pipeline.alerts import channels
from pipeline.cli.app import app
from pipeline.errors import ConfigError, StageError


@pytest.fixture(scope="module")
def first_run(site_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Result]]:
    """One ``newswatch run --force`` into its own data folder, shared by the tests of this module."""
    data = tmp_path_factory.mktemp("run") / "data"
    with pytest.MonkeyPatch.context() as mp:
        _point_at_site(mp, data, site_url)
        result = CliRunner().invoke(app, ["run", "--force", "--feeds", str(sample_site.FEEDS_FILE)])
    yield data, result


@pytest.fixture
def run_data(first_run: tuple[Path, Result], site_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shared run's data folder, made current again (the autouse fixture gives each test its own)."""
    data, result = first_run
    assert result.exit_code == 0, result.output
    _point_at_site(monkeypatch, data, site_url)
    return data


def _point_at_site(mp: pytest.MonkeyPatch, data: Path, site_url: str) -> None:
    mp.setenv("NEWS_DATA_DIR", str(data))
    mp.setenv("NEWS_SAMPLE_SITE_URL", site_url)
    mp.setenv("NEWS_FEEDS_FILE", str(sample_site.FEEDS_FILE))
    mp.setenv("NEWS_ALLOW_HOSTS", "127.0.0.1")
    mp.setenv("NEWS_MIN_INTERVAL_S", "0")


def _query(sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(settings.load().duckdb_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def _counts(line: str) -> dict[str, int]:
    """``run_id: a=1, b=2`` -> ``{"a": 1, "b": 2}``."""
    _, _, pairs = line.partition(": ")
    return {k: int(v) for k, v in (pair.split("=") for pair in pairs.split(", "))}


def test_run_prints_its_run_id_and_the_counts_it_loaded(run_data, first_run):
    printed = " ".join(first_run[1].stdout.split())  # the console may wrap the long line
    [(run_id, status, new, feeds_ok, feeds_failed)] = _query(
        "SELECT run_id, status, count_articles_new, count_feeds_ok, count_feeds_failed FROM runs")
    assert printed.startswith(f"{run_id}: ")
    counts = _counts(printed)
    assert status == "success"
    assert (counts["articles_new"], counts["feeds_ok"], counts["feeds_failed"]) == (new, feeds_ok, feeds_failed)
    # the sample site has broken feeds on purpose: some fail, the rest load
    assert feeds_ok > 0 and feeds_failed > 0
    assert counts["relevant_us_japan"] > 0 and counts["relevant_rare_earths"] > 0


def test_run_loads_every_new_article_with_its_classifications(run_data):
    [(runs_new,)] = _query("SELECT count_articles_new FROM runs")
    [(articles,)] = _query("SELECT count(*) FROM articles")
    assert articles == runs_new > 0
    [(classified,)] = _query("SELECT count(DISTINCT article_id) FROM classifications")
    assert classified == articles


def test_run_leaves_its_staged_files_under_the_run_folder(run_data):
    [run_folder] = (run_data / "staging").iterdir()
    assert (run_folder / "counts").is_dir() and any((run_folder / "articles").glob("*.parquet"))


def test_a_second_forced_run_fetches_again_but_adds_no_article(run_data):
    [(before,)] = _query("SELECT count(*) FROM articles")
    result = CliRunner().invoke(app, ["run", "--force"])
    assert result.exit_code == 0, result.output
    assert _counts(" ".join(result.stdout.split()))["articles_new"] == 0
    assert _query("SELECT count(*) FROM articles") == [(before,)]
    assert _query("SELECT count(*) FROM runs") == [(2,)]


def test_run_fails_loudly_when_every_due_feed_fails(tmp_path, sample_env):
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("base_url: ${NEWS_SAMPLE_SITE_URL}\nfeeds:\n  - name: Down\n    url: /feeds/down.xml\n")
    result = CliRunner().invoke(app, ["run", "--force", "--feeds", str(feeds)])
    assert isinstance(result.exception, StageError)
    assert "every one of the 1 feeds due failed" in str(result.exception)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def demo_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """``demo`` points os.environ at the site it serves; this puts the variables back after the test."""
    monkeypatch.delenv("NEWS_SAMPLE_SITE_URL", raising=False)


def test_demo_without_airflow_runs_summarises_and_delivers_to_the_outbox(demo_env) -> None:
    port = free_port()
    result = CliRunner().invoke(app, ["demo", "--no-airflow", "--port", str(port)])
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert f"newswatch demo: sample site at http://127.0.0.1:{port}" in out
    # A short summary: the run's counts per stage, failures by class, the best stories, open follow-ups.
    assert len(result.stdout.splitlines()) <= 60, result.stdout
    for heading in ("  feeds ", "  pages ", "  articles ", "  relevant ", "  facts ", "  failures "):
        assert heading in result.stdout, heading
    assert "feed http_500" in out  # the sample site's feed that is down, by its class
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Top stories ("))
    stories = list(itertools.takewhile(lambda line: line.startswith("  "), lines[start + 1:]))
    scores = [float(line.split()[0]) for line in stories]
    assert stories and scores == sorted(scores, reverse=True)
    assert all(" — " in line and line.rstrip().endswith("]") for line in stories)  # source, then [topics]
    assert "127.0.0.1" not in " ".join(stories)  # publications by name, not the host
    assert "Open follow-ups (" in out
    sent = [line for line in result.stdout.splitlines() if line.startswith("sent   outbox")]
    assert sent and out.endswith(f"{len(sent)} messages sent, 0 failed")
    assert len(channels.outbox_file().read_text(encoding="utf-8").splitlines()) == len(sent)
    [(articles,)] = _query("SELECT count(*) FROM articles")
    assert articles > 0


def test_demo_on_a_busy_port_says_which_option_to_pass(demo_env) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(app, ["demo", "--no-airflow", "--port", str(port)])
    assert isinstance(result.exception, ConfigError)
    assert f"port {port} on 127.0.0.1 is busy" in str(result.exception) and "pass --port" in str(result.exception)
