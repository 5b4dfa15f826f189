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


def test_dag_files_import_only_airflow_sdk_pendulum_and_the_standard_library():
    allowed = {"airflow", "pendulum", "__future__", *sys.stdlib_module_names}
    for path in (REPO / "dags").glob("*.py"):
        top_level = set()
        for node in ast.parse(path.read_text()).body:  # module level only: tasks import inside
            if isinstance(node, ast.Import):
                top_level.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                top_level.add(node.module.split(".")[0])
        assert top_level <= allowed, (path.name, top_level - allowed)


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
