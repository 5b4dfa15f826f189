"""`newswatch eval facts`: the scores, the event recall by type and the misses, on a gold file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.eval import facts as eval_facts

DOC = {
    "id": "tiny",
    "title": "Japan pledges investment",
    "published": "2025-10-28",
    "text": ("Japan will invest $550 billion in the United States, Prime Minister Sanae Takaichi said on Tuesday. "
             "“This is a new golden age,” Takaichi told reporters."),
    "entities": [{"name": "Japan", "type": "GPE"}, {"name": "United States", "type": "GPE"},
                 {"name": "Sanae Takaichi", "type": "PERSON"}, {"name": "Mars Mining Corp", "type": "ORG"}],
    "amounts": [{"value": 550e9, "currency": "USD", "text": "$550 billion"}],
    "events": [{"type": "investment", "status": "announced", "date": None, "participants": ["Japan"],
                "evidence": "Japan will invest $550 billion in the United States"}],
    "quotes": [{"speaker": "Sanae Takaichi", "starts_with": "This is a new golden age"}],
}


def test_the_report_scores_each_field_and_lists_the_misses(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(DOC) + "\n")
    result = CliRunner().invoke(app, ["eval", "facts", str(gold)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "amounts      P 1.000  R 1.000" in out
    assert "speaker acc 1.000" in out
    assert "event recall by type:" in out and "investment" in out
    # the gold entity the text never names is reported as a miss, by document
    assert "tiny: missed Mars Mining Corp (ORG)" in out


@pytest.fixture(scope="module")
def shared_reports(shared_dir) -> dict[str, eval_facts.Report]:
    """Every gold file of ../shared/eval, scored once for the module."""
    return {path.name: report for path, report in eval_facts.evaluate_all(shared_dir / "eval")}


def test_the_dev_gold_meets_the_issue_numbers(shared_reports):
    report = shared_reports["facts_dev.jsonl"]
    overall = report.overall
    assert overall["entities"].counts.f1 >= 0.85
    assert overall["amounts"].counts.f1 >= 0.95
    events = overall["events"]
    assert events.counts.recall >= 0.70
    assert events.extra["status_ok"] / events.tp >= 0.80
    assert events.extra["date_ok"] / events.tp >= 0.90
    quotes = overall["quotes"]
    assert quotes.extra["speaker_ok"] / quotes.tp >= 0.90


def test_a_field_with_nothing_predicted_scores_zero_not_one(tmp_path):
    doc = {**DOC, "id": "silent", "text": "Nothing happened today.", "title": "",
           "events": [DOC["events"][0]], "quotes": [DOC["quotes"][0]]}
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(doc) + "\n")
    result = CliRunner().invoke(app, ["eval", "facts", str(gold)])
    assert result.exit_code == 0, result.output
    assert "events       P 0.000  R 0.000  F1 0.000   (tp 0, pred 0, gold 1)" in result.stdout
    assert "quotes       P 0.000  R 0.000  F1 0.000   (tp 0, pred 0, gold 1)" in result.stdout


JA_DOC = {
    "id": "ja-tiny",
    "title": "日米外相会談",
    "published": "2025-06-11",
    "text": "茂木外務大臣は12日、ルビオ国務長官と会談する予定です。茂木外務大臣は「同盟の強化を確認したい」と述べました。",
    "entities": [{"name": "Toshimitsu Motegi", "type": "PERSON", "surface": "茂木外務大臣"},
                 {"name": "Marco Rubio", "type": "PERSON", "surface": "ルビオ国務長官"},
                 {"name": "Japan", "type": "GPE", "surface": "日米"},
                 {"name": "United States", "type": "GPE", "surface": "日米"}],
    "amounts": [],
    "events": [{"type": "meeting", "status": "planned", "date": "2025-06-12",
                "participants": ["Toshimitsu Motegi", "Marco Rubio"], "field": "text",
                "evidence": "茂木外務大臣は12日、ルビオ国務長官と会談する予定です。"},
               {"type": "agreement", "status": "proposed", "date": None, "participants": ["Japan"], "field": "text",
                "evidence": "茂木外務大臣は「同盟の強化を確認したい」と述べました。"}],
    "quotes": [{"speaker": "Toshimitsu Motegi", "starts_with": "同盟の強化", "field": "text"}],
}


def test_a_japanese_gold_file_gets_the_table_recall_by_type_and_its_misses(tmp_path):
    gold = tmp_path / "gold_ja.jsonl"
    gold.write_text(json.dumps(JA_DOC, ensure_ascii=False) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "facts", str(gold)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "CJK characters" in out and "ms per 1,000 CJK characters" in out  # not "1 words"
    assert "status acc 1.000  date acc 1.000" in out
    assert "speaker acc 1.000" in out
    assert "meeting              1 / 1" in out and "agreement            0 / 1" in out
    assert "ja-tiny: missed agreement (proposed)" in out


def test_the_japanese_dev_gold_meets_the_issue_numbers(shared_reports):
    report = shared_reports["facts_ja_dev.jsonl"]
    overall = report.overall
    assert overall["entities"].counts.f1 >= 0.85
    events = overall["events"]
    assert events.counts.recall >= 0.70
    assert events.extra["status_ok"] / events.tp >= 0.80
    quotes = overall["quotes"]
    assert quotes.tp and quotes.extra["speaker_ok"] / quotes.tp >= 0.90


def test_every_shared_gold_file_is_scored_english_and_japanese(shared_dir, shared_reports):
    assert {"facts_dev.jsonl", "facts_train.jsonl", "facts_ja_dev.jsonl"} <= set(shared_reports)
    assert eval_facts.default_gold_dir() == shared_dir / "eval"
    assert shared_reports["facts_ja_dev.jsonl"].cjk_chars > 1000  # the Japanese file went the Japanese way
    assert shared_reports["facts_train.jsonl"].overall["events"].gold == 55  # the issue's 55 new events


def _gold_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "eval"
    folder.mkdir()
    (folder / "facts_dev.jsonl").write_text(json.dumps(DOC) + "\n")
    (folder / "facts_new.jsonl").write_text(json.dumps(JA_DOC, ensure_ascii=False) + "\n", encoding="utf-8")
    (folder / "classify_dev.jsonl").write_text("{}\n")  # not a facts file: left alone
    return folder


def test_a_folder_gets_one_table_row_per_gold_file_and_says_which_were_developed_on(tmp_path):
    result = CliRunner().invoke(app, ["eval", "facts", str(_gold_folder(tmp_path))])
    assert result.exit_code == 0, result.output
    out = result.stdout
    header = "| set | docs | developed on | entities F1 | amounts F1 | event recall | status acc | date acc | speaker acc |"
    assert header in out
    assert "| facts_dev.jsonl | 1 | yes | 0.857 | 1.000 | 1.000 | 1.000 |" in out  # entities: 6 of 7 gold found
    assert "| facts_new.jsonl | 1 | no | 1.000 | — | 0.500 | 1.000 | 1.000 | 1.000 |" in out
    assert "classify_dev" not in out
    # each file's own report follows, with its provenance, its recall by type and its misses
    assert "== facts_dev.jsonl: developed on:" in out and "== facts_new.jsonl: not developed on" in out
    assert "ja-tiny: missed agreement (proposed)" in out and "tiny: missed Mars Mining Corp (ORG)" in out
    assert out.count("event recall by type:") == 2


def test_no_argument_scores_the_default_gold_folder(tmp_path, monkeypatch):
    folder = _gold_folder(tmp_path)
    monkeypatch.setattr(eval_facts, "default_gold_dir", lambda: folder)
    result = CliRunner().invoke(app, ["eval", "facts"])
    assert result.exit_code == 0, result.output
    assert "| facts_dev.jsonl | 1 | yes |" in result.stdout and "| facts_new.jsonl | 1 | no |" in result.stdout


def test_one_file_still_gets_its_report_and_its_provenance(tmp_path):
    gold = _gold_folder(tmp_path) / "facts_dev.jsonl"
    result = CliRunner().invoke(app, ["eval", "facts", str(gold)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("facts_dev.jsonl: developed on: English rules")
    assert "| set |" not in result.stdout


def test_a_folder_without_gold_files_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(app, ["eval", "facts", str(tmp_path)])
    assert result.exit_code != 0
    assert "no facts*.jsonl gold facts files" in result.output
