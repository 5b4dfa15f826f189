"""Where each run's staged files live: ``<staging>/<run_id>/<stage>/<shard>.parquet``."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline import settings

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def safe_run_id(run_id: str) -> str:
    """Airflow run ids contain ``:`` and ``+``; keep a file-system-safe form."""
    return _UNSAFE.sub("_", run_id).strip("_") or "run"


def run_dir(run_id: str, staging_dir: Path | None = None) -> Path:
    """Return (and create) the staging folder of one run."""
    base = staging_dir or settings.load().staging_dir
    path = base / safe_run_id(run_id)
    path.mkdir(parents=True, exist_ok=True)
    return path


def stage_file(run: Path, stage: str, shard: str, suffix: str = "parquet") -> Path:
    """The file one shard of one stage writes; re-running the task overwrites it."""
    folder = run / stage
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{shard}.{suffix}"


def run_of(stage_path: Path) -> Path:
    """The run folder a staged file belongs to."""
    return stage_path.parent.parent
