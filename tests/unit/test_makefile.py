"""`make demo` installs only what the product needs; `make test` adds the dev group (issue 17 point 6)."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def dry_run(target: str) -> str:
    # -B: every prerequisite counts as out of date, so the install steps are shown whatever this venv holds.
    return subprocess.run(["make", "-n", "-B", target], cwd=ROOT, capture_output=True, text=True, check=True).stdout


def test_the_demo_syncs_without_the_dev_group_and_runs_without_it():
    commands = dry_run("demo")
    assert "uv sync --frozen --no-dev --quiet" in commands
    assert "uv run --frozen --no-dev --quiet newswatch demo" in commands
    assert "uv sync --frozen --quiet\n" not in commands


def test_the_tests_sync_the_dev_group():
    commands = dry_run("test")
    assert "uv sync --frozen --quiet" in commands and "--no-dev" not in commands


def test_the_product_install_leaves_the_dev_tools_out_and_keeps_the_duckdb_cli(uv):
    # What `uv sync --no-dev` installs, from the lock file (nothing is downloaded), by the uv that runs the tests.
    done = subprocess.run([uv, "export", "--frozen", "--no-dev", "--no-hashes"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    names = {line.split("==")[0].strip() for line in out.splitlines() if "==" in line}
    assert {"apache-airflow", "duckdb", "duckdb-cli"} <= names
    assert not names & {"pytest", "ruff", "mypy", "sqlfluff", "hypothesis"}
