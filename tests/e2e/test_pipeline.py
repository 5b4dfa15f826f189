"""The real stages, in process, against the sample site on loopback and a temp DuckDB file."""

from __future__ import annotations

import duckdb
import pytest

from pipeline import settings, staging
from pipeline.stages import load, runner
from tests.e2e import checks


@pytest.fixture
def two_shards(sample_env, monkeypatch):
    monkeypatch.setenv("NEWS_SHARDS", "2")
    return sample_env


def test_one_run_lands_facts_and_a_second_adds_nothing(two_shards):
    cfg = settings.load()
    first = runner.run_pipeline("run-1", force=True)
    assert first["status"] == "success"
    assert first["count_articles_new"] >= 30
    assert first["count_feeds_failed"] == 2
    checks.check_seed_story(cfg.snapshot_path)
    checks.check_bad_input_recorded(cfg.snapshot_path)
    before = checks.table_counts(cfg.snapshot_path)
    with duckdb.connect(str(cfg.snapshot_path), read_only=True) as con:
        (matching,) = con.execute("select count(*) from fct_matching_stories").fetchone()
    assert first["count_alerts_queued"] == matching > 0  # every matching story is new, none sent yet

    second = runner.run_pipeline("run-2", force=True)
    assert second["count_articles_new"] == 0
    assert second["count_alerts_queued"] == 0
    assert second["count_feeds_not_modified"] >= 3  # conditional GET: Last-Modified -> 304
    assert checks.table_counts(cfg.snapshot_path) == before
    with duckdb.connect(str(cfg.snapshot_path), read_only=True) as con:
        health = dict(con.execute("select name, health from fct_feed_health").fetchall())
    # The merge-conflicted feed answered 304 to run-2: the same broken body, so it is still shown as broken.
    assert health["Capitol Wire (merge-conflicted feed)"] == "degraded"
    with duckdb.connect(str(cfg.snapshot_path), read_only=True) as con:
        requests = con.execute(
            "select l.kind, count(*), count(distinct l.url) from fetch_log l join feeds f on l.url = f.feed_url "
            "where l.run_id = 'run-2' and f.last_status = 'not_modified' group by 1 union all "
            "select kind, count(*), 0 from fetch_log where run_id = 'run-2' and kind = 'page' group by 1"
        ).fetchall()
    (feed_requests,) = [(n, distinct) for kind, n, distinct in requests if kind == "feed"]
    assert feed_requests[0] == feed_requests[1]  # one request per unchanged feed
    assert not [r for r in requests if r[0] == "page"]  # no article fetched again


def test_loading_the_same_run_twice_changes_nothing(two_shards):
    cfg = settings.load()
    runner.run_pipeline("run-1", force=True)

    def everything() -> dict[str, list]:
        with duckdb.connect(str(cfg.snapshot_path), read_only=True) as con:
            tables = [r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()]
            return {t: sorted(map(repr, con.execute(f"select * from {t}").fetchall())) for t in tables}

    before = everything()
    load.load_warehouse(staging.run_dir("run-1"), run_id="run-1")
    after = everything()
    # A run's own counts (runs, run_topic_counts) are rewritten by a reload: nothing is new the second time.
    changed = [t for t in before if before[t] != after[t] and t not in ("runs", "run_topic_counts")]
    assert changed == []
