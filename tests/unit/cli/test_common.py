"""``pipeline.cli.common``: JSON Lines in and out, dates from the command line, the summary tables, logging."""

from __future__ import annotations

import io
import json
import logging
from datetime import date, datetime
from pathlib import Path

import pytest
import typer

from pipeline.cli import common
from pipeline.views.summary import Table


def test_read_jsonl_yields_each_object_and_skips_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "a"}\n\n   \n{"id": "b", "title": "東京"}\n', encoding="utf-8")
    assert list(common.read_jsonl(str(path))) == [{"id": "a"}, {"id": "b", "title": "東京"}]


def test_read_jsonl_reads_stdin_for_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO('{"id": 1}\n{"id": 2}\n'))
    assert [o["id"] for o in common.read_jsonl("-")] == [1, 2]


def test_read_jsonl_names_the_file_and_line_that_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "a"}\n\n{"id": \n', encoding="utf-8")
    items = common.read_jsonl(str(path))
    assert next(items) == {"id": "a"}  # lines before the bad one are already out
    with pytest.raises(typer.BadParameter, match=rf"{path}:3 is not JSON"):
        next(items)


def test_read_jsonl_of_a_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        list(common.read_jsonl(str(tmp_path / "missing.jsonl")))


def test_emit_writes_one_line_of_json_keeping_unicode_and_dates(capsys: pytest.CaptureFixture[str]) -> None:
    common.emit({"id": "a", "title": "日米 summit", "published": date(2025, 10, 28), "path": Path("/x")})
    common.emit({"id": "b"})
    out = capsys.readouterr().out
    first, second = out.splitlines()
    assert "日米" in first  # not \\u escapes
    assert json.loads(first) == {"id": "a", "title": "日米 summit", "published": "2025-10-28", "path": "/x"}
    assert json.loads(second) == {"id": "b"} and out.endswith("\n")


@pytest.mark.parametrize(("value", "expected"), [
    ("2025-10-28", date(2025, 10, 28)),
    ("2025-10-28T23:30:00+09:00", date(2025, 10, 28)),  # the date as written, not converted to UTC
    ("2025-10-28T01:02:03Z", date(2025, 10, 28)),
    (datetime(2025, 10, 28, 12), date(2025, 10, 28)),
    ("", None),
    (None, None),
    ("yesterday", None),
    ("2025-13-40", None),
])
def test_parse_date_takes_iso_dates_and_timestamps(value: object, expected: date | None) -> None:
    assert common.parse_date(value) == expected


def test_print_table_titles_a_table_with_its_row_count(capsys: pytest.CaptureFixture[str]) -> None:
    common.print_table("Stories", Table(columns=["title", "score"], rows=[("Pact signed", 0.9), ("Curbs", None)]))
    out = capsys.readouterr().out
    assert "Stories (2)" in out
    assert "Pact signed" in out and "0.9" in out and "None" not in out  # an empty cell is blank


def test_print_table_shortens_long_cells(capsys: pytest.CaptureFixture[str]) -> None:
    common.print_table("Facts", Table(columns=["id"], rows=[("x" * 500,)]))
    out = capsys.readouterr().out
    assert "x" * 157 + "..." in "".join(line.strip(" │┃|\n") for line in out.splitlines())
    assert "x" * 158 not in out.replace("\n", "").replace("│", "").replace(" ", "")


def test_print_table_shows_one_wide_row_as_column_value_pairs(capsys: pytest.CaptureFixture[str]) -> None:
    columns = [f"count_{i}" for i in range(10)]
    common.print_table("Last run", Table(columns=columns, rows=[tuple(range(10))]))
    out = capsys.readouterr().out
    assert "Last run" in out and "Last run (1)" not in out
    pairs = [line.split() for line in out.splitlines() if "count_" in line]
    assert [(p[1], p[3]) for p in pairs] == [(f"count_{i}", str(i)) for i in range(10)]


def test_verbose_logging_shows_info_but_keeps_httpx_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])  # basicConfig only configures a root without handlers
    monkeypatch.setattr(root, "level", root.level)
    httpx_logger = logging.getLogger("httpx")
    monkeypatch.setattr(httpx_logger, "level", httpx_logger.level)
    common.setup_logging(verbose=True)
    assert root.level == logging.INFO
    assert httpx_logger.level == logging.WARNING


def test_quiet_logging_shows_warnings_only(monkeypatch: pytest.MonkeyPatch) -> None:
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(root, "level", root.level)
    common.setup_logging(verbose=False)
    assert root.level == logging.WARNING
