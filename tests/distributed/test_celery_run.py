"""news_ingest on the compose stack's executor: CeleryExecutor, two workers, PostgreSQL, Redis, all on loopback.

One triggered run over the sample site, then checked where it matters for the one-writer rule:
- the mapped fetch_feeds tasks ran on both workers (they share NEWS_DATA_DIR, the "shared volume");
- load_warehouse and publish_snapshot ran on the DuckDB worker only, from the `duckdb` queue;
- the snapshot holds the seed story, and `runs` holds the run's counts;
- nothing the test started is left running.
Opt-in: ``make test-distributed`` (see docs/DISTRIBUTED.md).
"""

from __future__ import annotations

import os
import time
from collections import Counter

import duckdb
import pytest

from pipeline import settings
from pipeline.cli import dagrun
from tests.distributed.conftest import SUMMARY
from tests.distributed.stack import WORKERS, WRITER_QUEUE, CeleryStack
from tests.e2e import checks

pytestmark = pytest.mark.distributed
RUN_ID = "distributed__celery"
SHARDS = 4
RUN_TIMEOUT_S = 300
DEFAULT_WORKER, DUCKDB_WORKER = WORKERS  # "worker-default", "worker-duckdb"
WRITER_TASKS = ("load_warehouse", "publish_snapshot")


@pytest.fixture
def celery_env(sample_env: str, monkeypatch: pytest.MonkeyPatch) -> str:
    for name in list(os.environ):
        if name.startswith("AIRFLOW"):  # a developer's own Airflow settings must not leak in
            monkeypatch.delenv(name)
    monkeypatch.setenv("NEWS_SHARDS", str(SHARDS))
    monkeypatch.setenv("NEWS_WRITER_QUEUE", WRITER_QUEUE)
    return sample_env


def table(tis: list[dict]) -> list[str]:
    cols = ("task_id", "map_index", "state", "hostname", "queue", "pool")
    return [" | ".join(f"{ti[c]!s:<16}" for c in cols).rstrip() for ti in tis]


def test_news_ingest_runs_on_two_celery_workers(celery_env: str, tmp_path, pytestconfig: pytest.Config) -> None:
    started = time.monotonic()
    stack = CeleryStack(tmp_path / "stack")
    try:
        with stack:
            try:
                stack.trigger(RUN_ID, {"force": True})
                state = stack.wait_for_run(RUN_ID, RUN_TIMEOUT_S)
                tis = stack.task_instances(RUN_ID)
                recorded = {r.get("run_id"): r for r in dagrun.dag_runs(stack.env)}
            except Exception as exc:
                tis = stack.task_instances(RUN_ID) if stack.pg_port else []
                raise AssertionError(f"{exc}\n" + "\n".join(table(tis)) + "\n" + stack.task_logs(
                    RUN_ID, {t["task_id"] for t in tis if t["state"] != "success"}) + "\n" + stack.procs.tails()) from exc
            assert state == "success", "\n".join(table(tis)) + "\n" + stack.task_logs(
                RUN_ID, {t["task_id"] for t in tis if t["state"] != "success"})
    finally:
        leftovers = stack.procs.alive()
    elapsed = time.monotonic() - started
    assert leftovers == [], f"processes still running after stop: {leftovers}"
    pytestconfig.stash.setdefault(SUMMARY, []).extend([
        f"distributed run {RUN_ID}: {elapsed:.0f}s in all ({', '.join(f'{k} {v:.0f}s' for k, v in stack.timings.items())})",
        f"celery workers and their queues: {stack.queues}",
        *table([t for t in tis if t["task_id"] in ("plan_shards", "fetch_feeds", *WRITER_TASKS, "check_run")]),
        f"all {len(tis)} task instances by hostname: {dict(Counter(t['hostname'] for t in tis))}",
    ])

    # Airflow's own record of the run (the CLI, as an operator would ask).
    assert recorded[RUN_ID]["state"] == "success"
    assert all(t["state"] == "success" for t in tis), table(tis)

    # The broker saw what compose declares: only the DuckDB worker consumes `duckdb`.
    assert stack.queues == {f"{DEFAULT_WORKER}@newswatch": ["default"],
                            f"{DUCKDB_WORKER}@newswatch": ["default", "duckdb"]}, stack.queues

    fetch = [t for t in tis if t["task_id"] == "fetch_feeds"]
    assert [t["map_index"] for t in fetch] == list(range(SHARDS))
    assert {t["queue"] for t in fetch} == {"default"}
    assert {t["hostname"] for t in fetch} == {DEFAULT_WORKER, DUCKDB_WORKER}, table(fetch)

    for task_id in WRITER_TASKS:
        (writer,) = [t for t in tis if t["task_id"] == task_id]
        assert (writer["hostname"], writer["queue"], writer["pool"]) == (DUCKDB_WORKER, WRITER_QUEUE, "duckdb_writer")
    mapped = [t for t in tis if t["map_index"] >= 0]
    # fetch_feeds, scrape_articles and process_articles (extract + classify + facts in one task) per shard
    assert len(mapped) == 3 * SHARDS and {t["hostname"] for t in mapped} <= {DEFAULT_WORKER, DUCKDB_WORKER}

    # The shared data folder: written by both workers, published by the DuckDB worker.
    snapshot = settings.load().snapshot_path
    checks.check_seed_story(snapshot)
    checks.check_bad_input_recorded(snapshot)
    with duckdb.connect(str(snapshot), read_only=True) as con:
        cur = con.execute("select * from runs where run_id = ?", [RUN_ID])
        rows = [dict(zip([d[0] for d in cur.description], row, strict=True)) for row in cur.fetchall()]
        relevant = dict(con.execute("select topic, count_relevant from run_topic_counts where run_id = ?",
                                    [RUN_ID]).fetchall())
    assert len(rows) == 1, rows
    (run,) = rows
    assert run["status"] == "success"
    assert run["count_feeds_due"] == 6 and run["count_feeds_failed"] == 2, run
    assert run["count_articles_new"] >= 30 and relevant["us_japan"] >= 1, (run, relevant)
