"""The two layering rules of pipeline/ (docs/ARCHITECTURE.md): pure packages do no staged-file or database
work, and only the stage layer reads and writes staged files."""

from __future__ import annotations

import ast
from pathlib import Path

PIPELINE = Path(__file__).resolve().parents[1] / "pipeline"
PURE = ("ingest", "extract", "classify", "facts", "text.py", "urls.py")
NOT_IN_PURE = ("pipeline.staging", "pipeline.stages", "pipeline.warehouse")


def imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth (task bodies and functions included)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def files(*parts: str) -> list[Path]:
    out: list[Path] = []
    for part in parts:
        target = PIPELINE / part
        out.extend([target] if target.is_file() else sorted(target.rglob("*.py")))
    return out


def test_pure_packages_import_no_staging_stage_or_warehouse_code():
    offenders = {
        str(path.relative_to(PIPELINE)): sorted(n for n in imports(path) if n.startswith(NOT_IN_PURE))
        for path in files(*PURE)
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_only_the_stage_layer_touches_staged_files():
    stages = PIPELINE / "stages"
    users = sorted(
        str(path.relative_to(PIPELINE))
        for path in PIPELINE.rglob("*.py")
        if stages not in path.parents and path.name != "staging.py"
        and any(n == "pipeline.staging" for n in imports(path))
    )
    assert users == []


def test_the_rules_see_imports_inside_functions(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from pipeline import staging\n    from pipeline.warehouse import db\n")
    assert {"pipeline.staging", "pipeline.warehouse.db"} <= imports(sample)
