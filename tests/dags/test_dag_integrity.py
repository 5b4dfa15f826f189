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
HEAVY = ["duckdb", "trafilatura", "lxml", "spacy", "pyarrow", "feedparser", "httpx", "pipeline"]

PROBE = """
import json, sys, time
from pathlib import Path
from airflow.sdk import dag  # what Airflow itself loads is not the DAG files' cost
from airflow.dag_processing.dagbag import DagBag
before = set(sys.modules)
bag = DagBag(dag_folder=sys.argv[1])
print(json.dumps({
    "errors": {k: str(v) for k, v in bag.import_errors.items()},
    "dags": {d.dag_id: {"tags": sorted(d.tags), "file": Path(d.fileloc).stem,
                        "retries": [t.retries for t in d.tasks], "owners": d.owner,
                        "doc": bool(d.doc_md)} for d in bag.dags.values()},
    "heavy": sorted(m for m in HEAVY_MODULES if m in sys.modules and m not in before),
    "per_file_s": {Path(s.file).name: s.duration.total_seconds() for s in bag.dagbag_stats},
}))
""".replace("HEAVY_MODULES", repr(HEAVY))


@pytest.fixture(scope="module")
def parsed(tmp_path_factory):
    home = tmp_path_factory.mktemp("airflow-home")
    env = {**os.environ, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
           "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db"}
    out = subprocess.run([sys.executable, "-c", PROBE, str(DAGS)], env=env, capture_output=True, text=True,
                         check=True, timeout=300)
    return json.loads(out.stdout.strip().splitlines()[-1])


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


def test_each_dag_file_parses_well_under_a_second(parsed):
    assert parsed["per_file_s"]
    for name, seconds in parsed["per_file_s"].items():
        assert seconds < 0.5, f"{name} took {seconds:.2f}s to parse"
