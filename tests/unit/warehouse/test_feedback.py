"""Analysts' relevance marks: queued by the CLI, written by the next load exactly once, read back for training."""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipeline import settings, staging
from pipeline.classify.feedback import training_items
from pipeline.cli.app import app
from pipeline.errors import ConfigError, StorageError
from pipeline.stages import classify, load, schemas
from pipeline.urls import article_id
from pipeline.warehouse import feedback

T0 = datetime(2025, 10, 28, 9, 0, tzinfo=UTC)
PACT_URL = "http://news.test/world/us-japan-pact?utm_source=rss"
PACT = ("US and Japan sign rare earths pact",
        "President Trump and Prime Minister Takaichi signed a framework on rare earths and critical minerals "
        "in Tokyo, securing supply of lithium and gallium for both countries.")
BAKERY_URL = "http://news.test/local/bakery"
BAKERY = ("Local bakery wins prize", "The bread was excellent, said the judges.")
cli = CliRunner()


def stage_run(run_id: str, articles: dict[str, tuple[str, str]]) -> Path:
    """A run with staged articles (by URL) and their real classifications."""
    rows = [{"article_id": article_id(url), "url": url, "original_url": url, "title": title, "text": text,
             "published_at": T0, "language": "en", "page_status": "ok", "seen_at": T0}
            for url, (title, text) in articles.items()]
    run = staging.run_dir(run_id)
    classify.classify_articles(staging.write_rows(staging.stage_file(run, "articles", "000"), rows,
                                                  schemas.ARTICLES))
    return run


def snapshot_rows(sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.load().snapshot_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def queue_names(folder: str) -> list[str]:
    path = feedback.feedback_dir() / folder
    return sorted(p.name for p in path.glob("*.json")) if path.is_dir() else []


def test_a_mark_goes_from_the_cli_through_the_queue_and_the_load_into_training_items():
    load.load_warehouse(stage_run("r1", {PACT_URL: PACT, BAKERY_URL: BAKERY}), run_id="r1")
    pact = article_id(PACT_URL)
    (version, was_relevant), = snapshot_rows(
        f"select classifier_version, is_relevant from classifications where article_id = '{pact}' "
        "and topic = 'us_japan'")
    assert was_relevant

    # The analyst names the story by the URL they saw (trackers and all) and calls it a false positive.
    result = cli.invoke(app, ["feedback", PACT_URL, "--topic", "us_japan", "--not-relevant", "--by", "ana",
                              "--note", "a signing ceremony, not bilateral policy"])
    assert result.exit_code == 0, result.output
    assert "Queued" in result.output
    (queued,) = queue_names("queue")
    # The CLI did not write the warehouse: the snapshot has no mark yet.
    assert snapshot_rows("select count(*) from relevance_feedback") == [(0,)]

    row = load.load_warehouse(stage_run("r2", {}), run_id="r2")
    assert json.loads(row["counts"])["feedback_marks"] == 1
    assert snapshot_rows("select article_id, topic, is_relevant, marked_by, note, source, classifier_version, "
                         "classifier_relevant, run_id from relevance_feedback") == [
        (pact, "us_japan", False, "ana", "a signing ceremony, not bilateral policy", "cli", version, True, "r2")]
    assert queue_names("queue") == [] and queue_names("applied") == [queued]

    items = training_items(feedback.training_rows())
    assert items == [{"id": f"feedback:{pact}", "title": PACT[0], "text": PACT[1], "language": "en",
                      "labels": {"us_japan": 0}, "us_japan": 0}]


def test_a_crash_between_the_commit_and_the_archive_does_not_duplicate_a_mark(monkeypatch):
    load.load_warehouse(stage_run("r1", {BAKERY_URL: BAKERY}), run_id="r1")
    feedback.submit(BAKERY_URL, "rare_earths", True, marked_by="ana", source="cli")
    (queued,) = queue_names("queue")

    def crash(_applied: feedback.Applied) -> None:
        raise KeyboardInterrupt("killed after the commit")

    with monkeypatch.context() as patch, pytest.raises(KeyboardInterrupt):
        patch.setattr(feedback, "archive", crash)
        load.load_warehouse(stage_run("r2", {}), run_id="r2", publish=False)
    assert queue_names("queue") == [queued]  # committed, but still queued

    load.load_warehouse(stage_run("r3", {}), run_id="r3")
    assert snapshot_rows("select count(*), any_value(run_id) from relevance_feedback") == [(1, "r2")]
    assert queue_names("queue") == [] and queue_names("applied") == [queued]

    # The same file queued once more (restored from a backup, say) still gives one row.
    shutil.copy(feedback.feedback_dir() / "applied" / queued, feedback.feedback_dir() / "queue" / queued)
    load.load_warehouse(stage_run("r4", {}), run_id="r4")
    assert snapshot_rows("select count(*) from relevance_feedback") == [(1,)]


def test_a_rolled_back_load_keeps_the_marks_queued(monkeypatch):
    load.load_warehouse(stage_run("r1", {BAKERY_URL: BAKERY}), run_id="r1")
    feedback.submit(BAKERY_URL, "us_japan", False, marked_by="ana", source="cli")
    with monkeypatch.context() as patch, pytest.raises(RuntimeError):
        patch.setattr(load, "_run_row", lambda *a: (_ for _ in ()).throw(RuntimeError("boom")))
        load.load_warehouse(stage_run("r2", {}), run_id="r2")
    assert len(queue_names("queue")) == 1
    load.load_warehouse(stage_run("r3", {}), run_id="r3")
    assert snapshot_rows("select run_id from relevance_feedback") == [("r3",)]


def test_the_latest_mark_per_article_and_topic_wins_in_training():
    load.load_warehouse(stage_run("r1", {PACT_URL: PACT, BAKERY_URL: BAKERY}), run_id="r1")
    pact, bakery = article_id(PACT_URL), article_id(BAKERY_URL)
    feedback.submit(pact, "us_japan", False, marked_by="ana", source="cli")
    feedback.submit(pact, "us_japan", True, marked_by="ben", source="cli")  # ben changes it back, later
    feedback.submit(pact, "rare_earths", True, marked_by="ana", source="cli")
    feedback.submit(bakery, "rare_earths", False, marked_by="ana", source="cli")
    load.load_warehouse(stage_run("r2", {}), run_id="r2")
    assert snapshot_rows("select count(*) from relevance_feedback") == [(4,)]
    labels = {item["id"]: item["labels"] for item in training_items(feedback.training_rows())}
    assert labels == {f"feedback:{pact}": {"rare_earths": 1, "us_japan": 1},
                      f"feedback:{bakery}": {"rare_earths": 0}}


def test_unknown_topics_and_articles_are_refused_with_a_clear_error():
    load.load_warehouse(stage_run("r1", {BAKERY_URL: BAKERY}), run_id="r1")
    result = cli.invoke(app, ["feedback", BAKERY_URL, "--topic", "bakeries", "--relevant"])
    assert result.exit_code != 0
    assert isinstance(result.exception, ConfigError) and "topic 'bakeries'" in str(result.exception)
    with pytest.raises(ConfigError, match="no stored article"):
        feedback.submit("http://news.test/never-seen", "us_japan", True, marked_by="ana", source="cli")
    with pytest.raises(ConfigError, match="no stored article"):
        feedback.submit("0123456789abcdef", "us_japan", True, marked_by="ana", source="cli")
    result = cli.invoke(app, ["feedback", BAKERY_URL, "--topic", "us_japan"])
    assert result.exit_code == 2 and "--relevant or --not-relevant" in result.output
    assert queue_names("queue") == []


def test_a_file_that_is_not_a_mark_is_set_aside_and_the_load_goes_on(caplog):
    load.load_warehouse(stage_run("r1", {BAKERY_URL: BAKERY}), run_id="r1")
    queue = feedback.feedback_dir() / "queue"
    queue.mkdir(parents=True)
    (queue / "garbage.json").write_text("{not json")
    (queue / ".half-written.123.tmp").write_text('{"mark_id": ')
    feedback.submit(BAKERY_URL, "us_japan", False, marked_by="ana", source="cli")
    load.load_warehouse(stage_run("r2", {}), run_id="r2")
    assert snapshot_rows("select count(*) from relevance_feedback") == [(1,)]
    assert queue_names("rejected") == ["garbage.json"]
    assert "garbage.json" in caplog.text
    assert os.listdir(queue) == [".half-written.123.tmp"]  # a write in progress is not touched


def test_before_the_first_load_a_mark_is_refused_naming_the_missing_snapshot():
    with pytest.raises(StorageError, match="no snapshot"):
        feedback.submit(BAKERY_URL, "us_japan", True, marked_by="ana", source="cli")
    assert queue_names("queue") == []
