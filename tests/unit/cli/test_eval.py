"""``newswatch eval classify|facts|extraction`` on small labelled files written in tmp_path (not the shared sets)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from pipeline.classify.config import DEFAULT_TOPICS_FILE
from pipeline.cli.app import app

runner = CliRunner()

LABELS = [
    {"id": "pact", "title": "U.S. and Japan agree on auto tariff deal", "text": "", "us_japan": 2, "rare_earths": 0},
    {"id": "curbs", "title": "China tightens rare earth export controls", "text": "", "us_japan": 0, "rare_earths": 2},
    {"id": "bakery", "title": "Local bakery wins bread prize", "text": "", "us_japan": 0, "rare_earths": 0},
]


def jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def table_row(output: str, topic: str) -> dict[str, float]:
    """The metrics row of one topic in the classify report: P, R, F1, tp, fp, fn, tn."""
    [line] = [line for line in output.splitlines() if line.split()[:1] == [topic] and len(line.split()) == 10]
    values = line.split()[1:8]
    return dict(zip(["P", "R", "F1", "tp", "fp", "fn", "tn"], map(float, values), strict=True))


def strict_topics(tmp_path: Path) -> Path:
    """The packaged topics with a us_japan threshold no title reaches."""
    config = yaml.safe_load(DEFAULT_TOPICS_FILE.read_text(encoding="utf-8"))
    config["topics"]["us_japan"]["threshold"] = 0.999
    path = tmp_path / "strict.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_eval_classify_prints_the_confusion_counts_per_topic(tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval", "classify", str(jsonl(tmp_path / "labels.jsonl", LABELS)), "--rules-only"])
    assert result.exit_code == 0, result.output
    assert "(all items: 3 items," in result.stdout
    assert table_row(result.stdout, "us_japan") == {"P": 1.0, "R": 1.0, "F1": 1.0, "tp": 1, "fp": 0, "fn": 0, "tn": 2}
    assert table_row(result.stdout, "rare_earths") == {"P": 1.0, "R": 1.0, "F1": 1.0, "tp": 1, "fp": 0, "fn": 0,
                                                       "tn": 2}


def test_eval_classify_scores_with_the_topics_file_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    labels = str(jsonl(tmp_path / "labels.jsonl", LABELS))
    strict = strict_topics(tmp_path)
    by_option = runner.invoke(app, ["eval", "classify", labels, "--topics", str(strict)])
    assert by_option.exit_code == 0, by_option.output
    row = table_row(by_option.stdout, "us_japan")
    assert (row["tp"], row["fn"]) == (0, 1)  # the pact now falls under the threshold
    assert "== us_japan: worst false negatives" in by_option.stdout and "pact" in by_option.stdout
    monkeypatch.setenv("NEWS_TOPICS_FILE", str(strict))  # the default when --topics is not given
    by_env = runner.invoke(app, ["eval", "classify", labels])
    assert table_row(by_env.stdout, "us_japan") == row


def test_eval_classify_names_the_line_that_is_not_json(tmp_path: Path) -> None:
    labels = tmp_path / "labels.jsonl"
    labels.write_text(json.dumps(LABELS[0]) + "\n{not json\n", encoding="utf-8")
    result = runner.invoke(app, ["eval", "classify", str(labels)])
    assert isinstance(result.exception, ValueError)
    assert f"{labels}:2: not valid JSON" in str(result.exception)


def test_eval_facts_prints_precision_and_recall_per_field(tmp_path: Path) -> None:
    gold = jsonl(tmp_path / "gold.jsonl", [{
        "id": "tiny", "title": "Japan pledges investment", "published": "2025-10-28",
        "text": "Japan will invest $550 billion in the United States, Prime Minister Sanae Takaichi said on Tuesday.",
        "entities": [{"name": "Japan", "type": "GPE"}, {"name": "Sanae Takaichi", "type": "PERSON"}],
        "amounts": [{"value": 550e9, "currency": "USD", "text": "$550 billion"}],
        "events": [], "quotes": [],
    }])
    result = runner.invoke(app, ["eval", "facts", str(gold)])
    assert result.exit_code == 0, result.output
    assert "amounts      P 1.000  R 1.000" in result.stdout
    for field in ("entities", "amounts", "events", "quotes"):
        assert field in result.stdout


def test_eval_extraction_prints_pages_speed_and_scores(tmp_path: Path) -> None:
    body = ("Japan and the United States signed a framework on rare earth supply in Tokyo on Tuesday. "
            "The agreement covers mining, processing and stockpiles of critical minerals for both allies.")
    html = f"<html><body><nav>Home News</nav><article><p>{body}</p></article><footer>(c) Ledger</footer></body></html>"
    folder = tmp_path / "bench"
    (folder / "html").mkdir(parents=True)
    (folder / "html" / "p1.html.gz").write_bytes(gzip.compress(html.encode()))
    (folder / "ground-truth.json").write_text(json.dumps({"p1": {"articleBody": body, "url": "https://example.com/p1"}}))
    result = runner.invoke(app, ["eval", "extraction", str(folder)])
    assert result.exit_code == 0, result.output
    first, second = result.stdout.splitlines()
    assert first.startswith("pages 1 (with output 1), ") and first.endswith(" pages/s on one core")
    assert second == "precision 1.000  recall 1.000  F1 1.000"


def test_eval_needs_a_subcommand() -> None:
    result = runner.invoke(app, ["eval"])
    assert result.exit_code != 0
    assert "classify" in result.output and "extraction" in result.output
