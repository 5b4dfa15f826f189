"""The learned relevance model: the committed artifact is what training gives, it is used only with its own
rules, its scores come with the rules' evidence and its own top features, and an analyst's mark teaches it."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipeline import settings
from pipeline.classify import model, train
from pipeline.classify.config import DEFAULT_TOPICS_FILE, Topics, load_topics
from pipeline.classify.score import classify, result_to_json
from pipeline.cli.app import app
from pipeline.eval.classify import read_all, reliability_table
from pipeline.stages import load, reprocess
from pipeline.urls import article_id
from tests.unit.warehouse.test_feedback import stage_run

# The shipped model is opt-in: it lives under config/models/ and is used once copied (or trained) beside the
# topics file as classifier_model.json.
ARTIFACT = DEFAULT_TOPICS_FILE.parent / "models" / "relevance_model.json"
# Two nationalities in one sentence and an award: the rules' us+japan rule fires, the model agrees,
# and an analyst says it is not US-Japan relations.
PRIZE_URL = "http://news.test/science/physics-prize"
PRIZE = ("US and Japanese scientists share physics prize",
         "Researchers from the United States and Japan were honoured in Stockholm for work on neutrinos.")
cli = CliRunner()


@pytest.fixture(scope="module")
def topics(tmp_path_factory: pytest.TempPathFactory) -> Topics:
    config = tmp_path_factory.mktemp("config")
    shutil.copy(DEFAULT_TOPICS_FILE, config / DEFAULT_TOPICS_FILE.name)
    shutil.copy(ARTIFACT, config / model.DEFAULT_MODEL_FILE_NAME)
    return load_topics(config / DEFAULT_TOPICS_FILE.name)


def test_the_default_configuration_scores_with_the_rules_alone() -> None:
    default = load_topics()
    assert default.model is None and default.version == default.rules_version


def labelled(shared: Path) -> list[Path]:
    return [shared / "eval" / "classify_dev.jsonl", shared / "eval" / "classify_train.jsonl"]


def test_retraining_gives_the_committed_artifact_byte_for_byte(topics: Topics, shared_dir: Path) -> None:
    built = train.build(train.merge_items([read_all(labelled(shared_dir))]), topics)
    assert built == ARTIFACT.read_bytes(), "retrain with `newswatch train classify` and commit the artifact"
    assert len(built) < 3_000_000


def test_the_committed_model_is_the_one_in_use_and_versions_every_row(topics: Topics) -> None:
    assert topics.model is not None
    assert topics.version == f"{topics.rules_version}+{topics.model.version}"
    assert topics.model.version.startswith(model.MODEL_CODE_VERSION + "-")


def test_a_model_trained_for_other_rules_is_not_used(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    edited = tmp_path / "topics.yaml"
    edited.write_text(DEFAULT_TOPICS_FILE.read_text(encoding="utf-8") + "\n# an analyst's edit\n", encoding="utf-8")
    shutil.copy(ARTIFACT, tmp_path / model.DEFAULT_MODEL_FILE_NAME)
    with caplog.at_level(logging.WARNING):
        stale = load_topics(edited)
    assert stale.model is None and stale.version == stale.rules_version
    assert "scoring with the rules alone" in caplog.text


def test_a_relevant_story_keeps_the_rules_evidence_and_adds_the_models_features(topics: Topics) -> None:
    title = "U.S. and Japan sign rare earths supply pact"
    text = ("President Trump and Prime Minister Takaichi signed a framework in Tokyo to secure supplies of rare "
            "earths and critical minerals, part of the alliance's answer to Chinese export controls.")
    results = classify(title, text, topics)
    for name in ("us_japan", "rare_earths"):
        result = results[name]
        assert result.relevant and 0.5 < result.score <= 1.0, name
        assert result.rule_score is not None and result.rule_score > 0
        assert result.evidence and all(
            (title if e.field == "title" else text)[e.start:e.end] == e.text for e in result.evidence)
        assert result.features and all(isinstance(f, str) and f for f in result.features)
    data = result_to_json(results)["us_japan"]
    assert set(data) == {"score", "relevant", "evidence", "features", "rule_score"}


def test_a_story_without_evidence_is_never_relevant(topics: Topics) -> None:
    # The words a model has learned ("lithium", "mine") without anything the rules can show an analyst.
    result = classify("Lithium battery recycler opens plant", "The plant will recycle batteries.", topics)
    assert all(not r.relevant for r in result.values() if not r.evidence)
    empty = classify("", "", topics)
    assert not any(r.relevant for r in empty.values())


def test_rules_alone_when_asked(topics: Topics) -> None:
    result = classify("U.S. and Japan agree on auto tariff deal", "", topics, use_model=False)["us_japan"]
    assert result.rule_score is None and result.features == ()


def test_describe_puts_features_in_words() -> None:
    assert model.describe("japan alliance") == "japan \u2026 alliance"
    assert model.describe("title:tariff") == "tariff (headline)"
    assert model.describe("rule:us+japan +context") == "rule: us+japan +context"
    assert model.describe("ja:日米") == "日米"


def test_text_counts_read_japanese_by_character_pairs() -> None:
    counts = model.text_counts("日米首脳会談", "")
    assert counts["ja:日米"] == 1 and counts["ja:会談"] == 1 and "title:日米" not in counts


def test_the_threshold_keeps_the_recall_target_and_never_falls_below_the_floor() -> None:
    probabilities = [0.9, 0.8, 0.7, 0.6, 0.01, 0.3]
    labels = [1, 1, 1, 1, 1, 0]
    assert train.choose_threshold(probabilities, labels, 0.8) == 0.5  # capped: 0.6 keeps 4/5
    assert train.choose_threshold(probabilities, labels, 1.0) == train.THRESHOLD_FLOOR


def test_reliability_table_bins_scores_against_the_share_relevant() -> None:
    rows = reliability_table([(0.05, 0), (0.15, 0), (0.85, 2), (0.9, 2), (0.95, 0), (0.5, 1)], bins=10)
    assert [(r.low, r.items) for r in rows] == [(0.0, 1), (0.1, 1), (0.8, 1), (0.9, 2)]
    assert rows[-1].relevant_share == 0.5 and rows[-1].mean_score == pytest.approx(0.925)


def snapshot_rows(sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.load().snapshot_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_an_analysts_false_positive_mark_teaches_the_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          shared_dir: Path) -> None:
    """The loop end to end: mark a false positive, load, retrain into a temp artifact, reprocess."""
    config = tmp_path / "config"
    config.mkdir()
    shutil.copy(DEFAULT_TOPICS_FILE, config / "topics.yaml")
    shutil.copy(ARTIFACT, config / model.DEFAULT_MODEL_FILE_NAME)
    monkeypatch.setenv("NEWS_TOPICS_FILE", str(config / "topics.yaml"))
    load.load_warehouse(stage_run("r1", {PRIZE_URL: PRIZE}), run_id="r1")
    prize = article_id(PRIZE_URL)
    query = f"select is_relevant, classifier_version from classifications where article_id = '{prize}' " \
            "and topic = 'us_japan'"
    [(relevant, version)] = snapshot_rows(query)
    assert relevant, "the story must start as a false positive"

    marked = cli.invoke(app, ["feedback", PRIZE_URL, "--topic", "us_japan", "--not-relevant", "--by", "ana"])
    assert marked.exit_code == 0, marked.output
    load.load_warehouse(stage_run("r2", {}), run_id="r2")  # the next load writes the mark
    assert snapshot_rows("select is_relevant, classifier_version from relevance_feedback") == [(False, version)]

    trained = cli.invoke(app, ["train", "classify", *map(str, labelled(shared_dir))])
    assert trained.exit_code == 0, trained.output
    assert "1 with analysts' marks" in trained.output
    assert "flips us_japan: True -> False" in trained.output and PRIZE[0] in trained.output
    reprocess.reprocess(("classify",))
    [(relevant_after, version_after)] = snapshot_rows(query)
    assert not relevant_after and version_after != version
    # The committed artifact is untouched: the analyst retrained the copy beside their topics file.
    assert (config / model.DEFAULT_MODEL_FILE_NAME).read_bytes() != ARTIFACT.read_bytes()


def test_a_mark_wins_over_the_file_label_of_the_same_story() -> None:
    files = [[{"id": "a", "title": "T", "text": "X", "us_japan": 2, "rare_earths": 0}]]
    marks = [{"id": "feedback:123", "title": "T", "text": "X", "labels": {"us_japan": 0}, "us_japan": 0}]
    [item] = train.merge_items(files, marks)
    assert (item["id"], item["us_japan"], item["rare_earths"], item["weight"]) == ("a", 0, 0, train.FEEDBACK_WEIGHT)
    assert json.dumps(item)


def test_eval_classify_cross_validates_the_model_and_prints_a_reliability_table(tmp_path: Path,
                                                                               shared_dir: Path) -> None:
    lines = (shared_dir / "eval" / "classify_dev.jsonl").read_text(encoding="utf-8").splitlines()[:150]
    labels = tmp_path / "labels.jsonl"
    labels.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = tmp_path / "config"
    config.mkdir()
    shutil.copy(DEFAULT_TOPICS_FILE, config / DEFAULT_TOPICS_FILE.name)
    shutil.copy(ARTIFACT, config / model.DEFAULT_MODEL_FILE_NAME)
    result = cli.invoke(app, ["eval", "classify", str(labels), "--folds", "2",
                              "--topics", str(config / DEFAULT_TOPICS_FILE.name)])
    assert result.exit_code == 0, result.output
    assert "+model (nested 2-fold CV)" in result.stdout and "(all items: 150 items," in result.stdout
    assert "reliability (out-of-fold calibrated probability" in result.stdout
    assert "== us_japan: worst false positives" in result.stdout
    rules = cli.invoke(app, ["eval", "classify", str(labels), "--rules-only"])
    assert "(rules only)" in rules.stdout and "reliability" not in rules.stdout
