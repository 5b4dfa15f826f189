"""`newswatch eval classify`: the typer command, including ``--half`` (pipeline.eval.classify.split_half)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.eval.classify import split_half

ROWS = [
    {"id": f"item-{i}", "title": "U.S. and Japan agree on auto tariff deal" if i % 2 else "Stocks climb in Tokyo",
     "text": "", "us_japan": 2 if i % 2 else 0, "rare_earths": 0}
    for i in range(12)
]


def _labels(tmp_path: Path) -> Path:
    labels = tmp_path / "labels.jsonl"
    labels.write_text("\n".join(json.dumps(r) for r in ROWS) + "\n", encoding="utf-8")
    return labels


def test_eval_classify_reports_every_item_without_half(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "classify", str(_labels(tmp_path))])
    assert result.exit_code == 0, result.output
    assert f"(all items: {len(ROWS)} items," in result.stdout
    assert "us_japan" in result.stdout and "rare_earths" in result.stdout


def test_half_evaluates_only_that_half_and_the_halves_partition_the_file(tmp_path: Path) -> None:
    labels = _labels(tmp_path)
    sizes = {}
    for half in ("A", "B"):
        result = CliRunner().invoke(app, ["eval", "classify", str(labels), "--half", half])
        assert result.exit_code == 0, result.output
        expected = sum(split_half(str(row["id"])) == half for row in ROWS)
        assert f"(half {half}: {expected} items," in result.stdout
        sizes[half] = expected
    assert sizes["A"] + sizes["B"] == len(ROWS) and 0 < sizes["A"] < len(ROWS)


def test_half_rejects_anything_but_a_or_b(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "classify", str(_labels(tmp_path)), "--half", "C"])
    assert result.exit_code == 2
    assert "--half" in result.output


def test_the_help_documents_half() -> None:
    result = CliRunner().invoke(app, ["eval", "classify", "--help"])
    assert result.exit_code == 0
    words = " ".join(result.stdout.replace("\u2502", " ").split())  # rich wraps the help in a box
    assert "--half <A|B> Evaluate only half A or half B of the items" in words
