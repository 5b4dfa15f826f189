"""`newswatch eval classify`: the typer command, including ``--half`` (pipeline.eval.classify.split_half)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.classify.config import Topics, load_topics
from pipeline.cli.app import app
from pipeline.eval.classify import evaluate, format_report, split_half

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
    result = CliRunner().invoke(app, ["eval", "classify", str(_labels(tmp_path)), "--rules-only"])
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


@pytest.fixture(scope="module")
def topics() -> Topics:
    return load_topics()


# ------------------------------------------------------------------------------------------------------
# Evaluation harness


def test_evaluate_counts_and_excludes_label_one(tmp_path: Path, topics: Topics) -> None:
    rows = [
        {
            "id": "a",
            "title": "U.S. and Japan agree on auto tariff deal",
            "text": "",
            "us_japan": 2,
            "rare_earths": 0,
        },
        {
            "id": "b",
            "title": "Stocks climb in Tokyo and New York",
            "text": "",
            "us_japan": 0,
            "rare_earths": 0,
        },
        {
            "id": "c",
            "title": "China tightens rare earth export controls",
            "text": "",
            "us_japan": 1,
            "rare_earths": 2,
        },
        {"id": "d", "title": "Senator pays a rare visit", "text": "", "us_japan": 0, "rare_earths": 2},
    ]
    labels = tmp_path / "labels.jsonl"
    labels.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    report = evaluate(labels, topics)
    by_topic = {t.topic: t for t in report.topics}
    us_japan, rare = by_topic["us_japan"], by_topic["rare_earths"]
    assert (us_japan.tp, us_japan.fp, us_japan.fn, us_japan.tn, us_japan.excluded) == (1, 0, 0, 2, 1)
    assert (rare.tp, rare.fp, rare.fn, rare.tn, rare.excluded) == (1, 0, 1, 2, 0)
    assert rare.recall == 0.5 and rare.precision == 1.0
    assert [m.id for m in rare.worst_false_negatives] == ["d"]
    text = format_report(report)
    assert "us_japan" in text and "rare_earths" in text
    assert "Senator pays a rare visit" in text  # the false negative is listed with its title


def test_split_half_is_deterministic() -> None:
    halves = [split_half(f"item-{i}") for i in range(200)]
    assert halves == [split_half(f"item-{i}") for i in range(200)]
    assert set(halves) == {"A", "B"}


# The quality gate on the shared dev labels. CI runs with ../shared beside the clone, so the gate always
# runs there; it never skips.
def test_dev_set_quality_gate(topics: Topics, shared_dir: Path) -> None:
    dev = shared_dir / "eval" / "classify_dev.jsonl"
    # Pinned a little below the measured scores (see the classifier report) so that a config edit that
    # loses real quality fails here; tighten when the rules improve.
    for result in evaluate(dev, topics).topics:
        assert result.precision >= 0.90, result.topic
        assert result.recall >= 0.95, result.topic
