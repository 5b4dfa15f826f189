"""DAG integrity, as in Astronomer's template: imports, tags, retries, parse budget, no heavy imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "dags"
HEAVY = ["duckdb", "trafilatura", "lxml", "spacy", "datasketch", "pyarrow", "feedparser", "httpx"]
# newswatch_common reads the parse-time settings; no other pipeline module may load while parsing.
LIGHT_PIPELINE = ["pipeline", "pipeline.errors", "pipeline.settings"]

PROBE = """
import json, sys, time
from pathlib import Path
from airflow.sdk import dag  # what Airflow itself loads is not the DAG files' cost
from airflow.dag_processing.dagbag import BundleDagBag
before = set(sys.modules)
# As the DAG processor and the task runner parse: the bundle root (dags/) goes on sys.path,
# which is how the DAG files import newswatch_common.
bag = BundleDagBag(dag_folder=sys.argv[1], bundle_path=Path(sys.argv[1]))
print(json.dumps({
    "errors": {k: str(v) for k, v in bag.import_errors.items()},
    "dags": {d.dag_id: {"tags": sorted(d.tags), "file": Path(d.fileloc).stem,
                        "retries": [t.retries for t in d.tasks], "owners": d.owner,
                        "doc": bool(d.doc_md),
                        "timeouts": [t.execution_timeout.total_seconds() if t.execution_timeout else None
                                     for t in d.tasks],
                        "backoff": [t.retry_exponential_backoff for t in d.tasks],
                        "task_ids": [t.task_id for t in d.tasks],
                        "writer_queues": sorted({t.queue for t in d.tasks if t.pool == "duckdb_writer"}),
                        "schedule": str(d.schedule) if d.schedule is not None else None,
                        "params": sorted(d.params.keys()),
                        "on_failure_callback": d.has_on_failure_callback,
                        "deadline": [str(a.interval) for a in (d.deadline or [])]} for d in bag.dags.values()},
    "heavy": sorted(m for m in HEAVY_MODULES if m in sys.modules and m not in before),
    "pipeline": sorted(m for m in set(sys.modules) - before if m.split(".")[0] == "pipeline"),
    "files": sorted(Path(s.file).name for s in bag.dagbag_stats),
    "per_file_s": {Path(s.file).name: s.duration.total_seconds() for s in bag.dagbag_stats},
}))
""".replace("HEAVY_MODULES", repr(HEAVY))


def parse_dags(home: Path, **settings: str) -> dict:
    env = {**os.environ, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
           "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db", **settings}
    out = subprocess.run([sys.executable, "-c", PROBE, str(DAGS)], env=env, capture_output=True, text=True,
                         check=True, timeout=300)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def parsed(tmp_path_factory):
    return parse_dags(tmp_path_factory.mktemp("airflow-home"))


def test_no_import_errors(parsed):
    assert parsed["errors"] == {}
    assert "news_ingest" in parsed["dags"]


def test_dag_id_matches_file_and_has_tags_owner_docs(parsed):
    for dag_id, info in parsed["dags"].items():
        assert info["file"] == dag_id
        assert info["tags"], dag_id
        assert info["owners"] != "airflow", dag_id
        assert info["doc"], dag_id


def test_every_task_retries(parsed):
    for dag_id, info in parsed["dags"].items():
        assert min(info["retries"]) >= 1, dag_id


def test_parsing_imports_nothing_heavy(parsed):
    assert parsed["heavy"] == []
    assert set(parsed["pipeline"]) <= set(LIGHT_PIPELINE), parsed["pipeline"]


def test_the_shared_module_is_imported_not_parsed_as_a_dag_file(parsed):
    assert "newswatch_common.py" not in parsed["files"]
    assert set(parsed["files"]) == {f"{dag_id}.py" for dag_id in parsed["dags"]}


def test_each_dag_file_parses_well_under_a_second(parsed):
    assert parsed["per_file_s"]
    for name, seconds in parsed["per_file_s"].items():
        assert seconds < 0.5, f"{name} took {seconds:.2f}s to parse"


# The DAGs whose failures reach the operator through plugins/newswatch_notify.py.
NOTIFYING = {"news_ingest", "news_maintenance", "news_reprocess", "news_alerts"}


def test_the_operator_dags_are_all_there(parsed):
    assert {"news_ingest", "news_maintenance", "news_reprocess"} <= set(parsed["dags"])
    assert parsed["dags"]["news_reprocess"]["schedule"] is None
    assert parsed["dags"]["news_reprocess"]["params"] == ["since", "stages", "topics", "until"]
    assert parsed["dags"]["news_maintenance"]["task_ids"] == [
        "refresh_followups", "checkpoint_warehouse", "publish_snapshot", "check_feed_health",
        "purge_raw_html", "purge_staging_files"]


def test_news_ingest_runs_the_per_article_stages_of_a_shard_in_one_task(parsed):
    # One task process per page shard pays trafilatura's, the topic rules' and spaCy's imports once (issue 18).
    assert parsed["dags"]["news_ingest"]["task_ids"] == [
        "plan_shards", "fetch_feeds", "plan_pages", "scrape_articles", "process_articles", "load_warehouse",
        "publish_snapshot", "check_run"]


def test_every_task_has_a_timeout_and_exponential_backoff(parsed):
    for dag_id, info in parsed["dags"].items():
        assert None not in info["timeouts"], dag_id
        for backoff in info["backoff"]:
            assert isinstance(backoff, float) and backoff > 1.0, (dag_id, backoff)


def test_failures_notify_the_operator_and_a_slow_ingest_misses_a_deadline(parsed):
    for dag_id in NOTIFYING:
        assert parsed["dags"][dag_id]["on_failure_callback"], dag_id
    assert parsed["dags"]["news_ingest"]["deadline"] == ["1:30:00"]


def test_the_parse_time_settings_reach_every_dag(tmp_path):
    dags = parse_dags(tmp_path, NEWS_WRITER_QUEUE="duckdb", NEWS_INGEST_SCHEDULE="@hourly",
                      NEWS_INGEST_DEADLINE_MINUTES="0", NEWS_MAINTENANCE_SCHEDULE="@weekly")["dags"]
    assert {dag_id: info["writer_queues"] for dag_id, info in dags.items()} == {
        "news_ingest": ["duckdb"], "news_alerts": ["duckdb"], "news_maintenance": ["duckdb"],
        "news_reprocess": ["duckdb"]}
    assert dags["news_ingest"]["schedule"] == "@hourly"
    assert dags["news_ingest"]["deadline"] == []
    assert dags["news_maintenance"]["schedule"] == "@weekly"


def test_by_default_the_writer_tasks_share_the_default_queue(parsed):
    for dag_id, info in parsed["dags"].items():
        assert info["writer_queues"] == ["default"], dag_id
