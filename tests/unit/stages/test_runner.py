"""pipeline.stages.runner: ``newswatch run`` takes the DAG's path, stage by stage, in one process."""

from __future__ import annotations

from pipeline import settings, staging
from pipeline.stages import runner


def test_run_pipeline_stages_every_dataset_of_the_dag_path_and_loads_it(sample_env, monkeypatch):
    monkeypatch.setenv("NEWS_SHARDS", "2")
    monkeypatch.setenv("NEWS_MIN_INTERVAL_S", "0")
    row = runner.run_pipeline("by-hand", force=True)
    assert row["status"] == "success" and row["count_articles_new"] > 0
    run = staging.run_dir("by-hand")
    staged = {path.name for path in run.iterdir() if path.is_dir()}
    assert {"items", "plan", "pages", "articles", "classifications", "fact_mentions"} <= staged
    # One file per shard and stage, as the DAG's mapped tasks write them.
    assert sorted(p.name for p in (run / "items").glob("*.parquet")) == ["000.parquet", "001.parquet"]
    # The plan re-shards the items of every feed shard: each new article once, none lost or doubled.
    items = {r["article_id"] for p in (run / "items").glob("*.parquet") for r in staging.read_rows(p)}
    planned = [r["article_id"] for p in (run / "plan").glob("*.parquet") for r in staging.read_rows(p)]
    assert sorted(planned) == sorted(items)
    assert settings.load().snapshot_path.exists()  # published for the analysts
