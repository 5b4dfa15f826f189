"""The README's commands for a paused DAG are what Airflow 3 accepts: unpause first, then trigger, by the CLI and by
the REST API (checked against the installed Airflow's own OpenAPI description of /api/v2)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import airflow
import pytest
import yaml

README = Path(__file__).resolve().parents[2] / "README.md"
SPEC = Path(airflow.__file__).parent / "api_fastapi" / "core_api" / "openapi" / "v2-rest-api-generated.yaml"
SECTION = "a run triggered on a paused DAG stays `queued`"


def trigger_block() -> list[list[str]]:
    """The commands of the README's bash block that follows the paused-DAG paragraph, as argument lists."""
    text = README.read_text(encoding="utf-8")
    start = text.index(SECTION)
    block = re.search(r"```bash\n(.*?)```", text[start:], re.S)
    assert block is not None, "no bash block after the paused-DAG paragraph"
    joined = block.group(1).replace("\\\n", " ")
    return [shlex.split(line) for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def curl_calls(commands: list[list[str]]) -> list[tuple[str, str, dict]]:
    calls = []
    for argv in commands:
        if argv[0] != "curl":
            continue
        method = argv[argv.index("-X") + 1]
        body = json.loads(argv[argv.index("-d") + 1]) if "-d" in argv else {}
        url = next(a for a in argv if a.startswith("http"))
        calls.append((method, re.sub(r"^https?://[^/]+", "", url), body))
    return calls


@pytest.fixture(scope="module")
def spec() -> dict:
    return yaml.safe_load(SPEC.read_text(encoding="utf-8"))


def _schema(spec: dict, ref: str) -> dict:
    return spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def test_the_cli_unpauses_before_it_triggers():
    airflow_cmds = [argv[3:5] for argv in trigger_block() if argv[:3] == ["uv", "run", "airflow"]]
    assert airflow_cmds == [["dags", "unpause"], ["dags", "trigger"]]
    from airflow.cli import cli_parser

    parser = cli_parser.get_parser()
    for sub in (["dags", "unpause", "news_ingest"], ["dags", "trigger", "news_ingest", "--conf", "{}"]):
        parser.parse_args(sub)  # exits (SystemExit) on a command or option Airflow 3 does not have


def test_the_rest_calls_are_routes_of_api_v2_with_bodies_they_accept(spec):
    calls = curl_calls(trigger_block())
    assert [(m, p) for m, p, _ in calls] == [("PATCH", "/api/v2/dags/news_ingest"),
                                             ("POST", "/api/v2/dags/news_ingest/dagRuns")]
    for method, path, body in calls:
        template = re.sub(r"/dags/news_ingest", "/dags/{dag_id}", path)
        operation = spec["paths"][template][method.lower()]
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        schema = _schema(spec, ref)
        assert set(body) <= set(schema["properties"]), (path, set(body) - set(schema["properties"]))
        assert set(schema.get("required", [])) <= set(body), (path, schema.get("required"))
    _, _, unpause = calls[0]
    assert unpause == {"is_paused": False}
    _, _, trigger = calls[1]
    assert trigger["conf"] == {"force": True} and "logical_date" in trigger
