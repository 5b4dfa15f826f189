"""Staged files: run folders, the atomic Parquet and counts round trips, and the failure a full disk gives."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline import staging
from pipeline.errors import StorageError

SCHEMA = pa.schema([("id", pa.string()), ("n", pa.int64()), ("text", pa.string())])
ROWS = [{"id": "a", "n": 1, "text": "Tokyo"}, {"id": "b", "n": None, "text": "東京 – ünïcode"}]


def test_rows_round_trip_in_order_with_nulls_and_unicode(tmp_path: Path) -> None:
    path = staging.write_rows(tmp_path / "stage" / "0.parquet", ROWS, SCHEMA)
    assert path == tmp_path / "stage" / "0.parquet"
    assert staging.read_rows(path) == ROWS
    assert pq.read_schema(path).equals(SCHEMA)


def test_no_rows_still_writes_a_file_with_the_schema(tmp_path: Path) -> None:
    path = staging.write_rows(tmp_path / "empty.parquet", [], SCHEMA)
    assert staging.read_rows(path) == []
    assert pq.read_schema(path).names == ["id", "n", "text"]


def test_rewriting_a_shard_replaces_it_and_leaves_no_temp_file(tmp_path: Path) -> None:
    path = tmp_path / "0.parquet"
    staging.write_rows(path, ROWS, SCHEMA)
    staging.write_rows(path, ROWS[:1], SCHEMA)
    assert staging.read_rows(path) == ROWS[:1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0.parquet"]


def test_a_failed_write_keeps_the_old_file_and_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "0.parquet"
    staging.write_rows(path, ROWS, SCHEMA)

    def disk_full(table: pa.Table, where: Path) -> None:
        Path(where).write_bytes(b"PAR1 half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(staging.pq, "write_table", disk_full)
    with pytest.raises(StorageError, match=r"cannot write staged file .*0\.parquet.*No space left"):
        staging.write_rows(path, ROWS[:1], SCHEMA)
    monkeypatch.undo()
    assert staging.read_rows(path) == ROWS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0.parquet"]


def test_rows_that_do_not_fit_the_schema_are_refused(tmp_path: Path) -> None:
    with pytest.raises(pa.ArrowInvalid):
        staging.write_rows(tmp_path / "0.parquet", [{"id": "a", "n": "not a number", "text": ""}], SCHEMA)
    assert not list(tmp_path.iterdir())


def test_counts_of_every_shard_are_summed(tmp_path: Path) -> None:
    staging.write_counts(tmp_path, "fetch-0", {"pages_ok": 3, "pages_failed": 1})
    staging.write_counts(tmp_path, "fetch-1", {"pages_ok": 2})
    staging.write_counts(tmp_path, "load", {"articles_new": 4})
    assert staging.read_counts(tmp_path) == {"pages_ok": 5, "pages_failed": 1, "articles_new": 4}
    assert sorted(p.name for p in (tmp_path / "counts").iterdir()) == ["fetch-0.json", "fetch-1.json", "load.json"]


def test_rewriting_a_shards_counts_replaces_them(tmp_path: Path) -> None:
    staging.write_counts(tmp_path, "fetch-0", {"pages_ok": 3})
    staging.write_counts(tmp_path, "fetch-0", {"pages_ok": 1})  # a retried task does not count twice
    assert staging.read_counts(tmp_path) == {"pages_ok": 1}


def test_a_run_without_counts_has_none(tmp_path: Path) -> None:
    assert staging.read_counts(tmp_path) == {}


def test_a_failed_counts_write_raises_storage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(self: Path, text: str) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", disk_full)
    with pytest.raises(StorageError, match=r"counts/fetch-0\.json"):
        staging.write_counts(tmp_path, "fetch-0", {"pages_ok": 1})
    monkeypatch.undo()
    assert staging.read_counts(tmp_path) == {}


@pytest.mark.parametrize(("run_id", "safe"), [
    ("manual__2026-12-07T11:18:18.310990+00:00", "manual__2026-12-07T11_18_18.310990_00_00"),
    ("scheduled__2025-01-01T00:00:00+00:00", "scheduled__2025-01-01T00_00_00_00_00"),
    ("../../etc", ".._.._etc"),
    (":::", "run"),
])
def test_run_ids_become_safe_folder_names(run_id: str, safe: str) -> None:
    assert staging.safe_run_id(run_id) == safe
    assert "/" not in staging.safe_run_id(run_id)


def test_run_dir_is_created_under_the_staging_folder_of_the_settings(isolated_settings: Path) -> None:
    run = staging.run_dir("manual__2026-01-01T00:00:00+00:00")
    assert run == isolated_settings / "staging" / "manual__2026-01-01T00_00_00_00_00" and run.is_dir()
    assert staging.run_dir("manual__2026-01-01T00:00:00+00:00") == run  # the same run gets the same folder


def test_stage_files_live_under_their_run_and_stage(tmp_path: Path) -> None:
    run = staging.run_dir("r1", staging_dir=tmp_path)
    path = staging.stage_file(run, "articles", "shard-3")
    assert path == tmp_path / "r1" / "articles" / "shard-3.parquet" and path.parent.is_dir()
    assert staging.stage_file(run, "raw", "0", suffix="jsonl").name == "0.jsonl"
    assert staging.run_of(path) == run
