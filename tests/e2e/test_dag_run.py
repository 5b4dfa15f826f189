"""news_ingest run through Airflow itself (`airflow dags test`), against the sample site on loopback."""

from __future__ import annotations

import pytest

from pipeline import settings
from pipeline.cli import dagrun
from tests.e2e import checks

pytestmark = pytest.mark.airflow


def test_the_dag_loads_the_warehouse_and_a_second_run_adds_nothing(sample_env, monkeypatch):
    monkeypatch.setenv("NEWS_SHARDS", "2")
    cfg = settings.load()

    first = dagrun.test_dag({"force": True}, quiet=True)
    assert first["state"] == "success"
    checks.check_seed_story(cfg.snapshot_path)
    checks.check_bad_input_recorded(cfg.snapshot_path)
    before = checks.table_counts(cfg.snapshot_path)

    dagrun.test_dag({"force": True}, quiet=True)
    assert checks.table_counts(cfg.snapshot_path) == before

    runs = dagrun.dag_runs(dagrun.airflow_env())
    assert [r["state"] for r in runs] == ["success", "success"]
