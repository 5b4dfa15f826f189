"""Run-scoped Parquet files: how stages hand data to each other without XCom payloads.

Where each run's staged files live: ``<staging>/<run_id>/<stage>/<shard>.parquet``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import settings
from pipeline.errors import StorageError

logger = logging.getLogger(__name__)


def write_rows(path: Path, rows: Iterable[Mapping[str, Any]], schema: pa.Schema) -> Path:
    """Write rows to ``path`` atomically (temp file + rename), so a crashed task leaves no half file."""
    table = pa.Table.from_pylist(list(rows), schema=schema)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    try:
        pq.write_table(table, tmp)
    except OSError as exc:
        # A full disk (or a file-size limit): drop the partial temp file and say which file failed.
        tmp.unlink(missing_ok=True)
        raise StorageError(f"cannot write staged file {path}: {exc}; free space in NEWS_DATA_DIR "
                            "and re-run the task") from exc
    tmp.replace(path)
    return path


def read_rows(path: Path) -> list[dict[str, Any]]:
    return pq.read_table(path).to_pylist()


def write_counts(run: Path, name: str, counts: Mapping[str, int]) -> None:
    """Each stage shard leaves its counts beside its output; the loader sums them into ``runs``."""
    path = run / "counts" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")  # atomic too: a half-written counts file would break the load
    try:
        tmp.write_text(json.dumps(dict(counts), sort_keys=True))
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StorageError(f"cannot write staged file {path}: {exc}; free space in NEWS_DATA_DIR "
                            "and re-run the task") from exc
    tmp.replace(path)
    # The task log's line of what this stage shard did (the level is NEWS_LOG_LEVEL under Airflow).
    logger.info("counts %s: %s", name, ", ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "nothing to do")


def read_counts(run: Path) -> dict[str, int]:
    total: dict[str, int] = {}
    for path in sorted((run / "counts").glob("*.json")):
        for key, value in json.loads(path.read_text()).items():
            total[key] = total.get(key, 0) + int(value)
    return total

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
