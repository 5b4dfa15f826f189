"""The boundaries the project relies on: an Airflow-free core, and lint clean (ruff enforces the ban too),
mypy strict on pipeline/ and sqlfluff clean on sql/ (STYLE.md §12)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_core_package_never_imports_airflow():
    offenders = [p.relative_to(REPO) for p in (REPO / "pipeline").rglob("*.py") if "airflow" in imported_modules(p)]
    assert offenders == []


SHARED_DAG_MODULE = "newswatch_common"


def module_level_imports(path: Path) -> set[str]:
    """Full dotted names imported at module level (task bodies import inside, at run time)."""
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def light(name: str) -> bool:
    top = name.split(".")[0]
    return name == "airflow.sdk" or name.startswith("airflow.sdk.") or top == "pendulum" or (
        top != "airflow" and top in {"__future__", *sys.stdlib_module_names})


def test_dag_files_import_only_airflow_sdk_pendulum_the_stdlib_and_the_shared_module():
    dag_files = [p for p in (REPO / "dags").glob("*.py") if p.stem != SHARED_DAG_MODULE]
    assert dag_files
    for path in dag_files:
        heavy = {n for n in module_level_imports(path) if not light(n) and n != SHARED_DAG_MODULE}
        assert heavy == set(), path.name


def test_the_shared_dag_module_adds_only_the_parse_time_settings():
    path = REPO / "dags" / f"{SHARED_DAG_MODULE}.py"
    assert {n for n in module_level_imports(path) if not light(n)} == {"pipeline.settings"}


def test_the_dag_processor_skips_the_shared_module():
    ignored = (REPO / "dags" / ".airflowignore").read_text(encoding="utf-8").splitlines()
    assert f"{SHARED_DAG_MODULE}.py" in ignored


def test_ruff_is_clean():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", str(REPO)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_on_pipeline_is_clean():
    # No arguments: files and strictness come from [tool.mypy] in pyproject.toml, as for `make typecheck`.
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_sqlfluff_is_clean():
    result = subprocess.run([sys.executable, "-m", "sqlfluff", "lint", "sql"], cwd=REPO, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
