"""`newswatch reprocess`: stored articles go through the stages again, without fetching, idempotently."""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pytest

from pipeline import settings
from pipeline.cli import dagrun
from pipeline.errors import ConfigError
from pipeline.stages import reprocess, runner
from tests.e2e import checks


def snapshot_rows(sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.load().snapshot_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_reprocess_after_a_topics_edit_rescores_everything_and_adds_nothing(
    sample_env, monkeypatch, tmp_path
):
    runner.run_pipeline("run-1", force=True)
    before = checks.table_counts(settings.load().snapshot_path)
    (old_version,) = snapshot_rows("select distinct classifier_version from classifications")[0]
    fetches = snapshot_rows("select count(*) from fetch_log")

    edited = tmp_path / "topics.yaml"
    edited.write_text((settings.CONFIG_DIR / "topics.yaml").read_text() + "\n# analyst edit\n")
    monkeypatch.setenv("NEWS_TOPICS_FILE", str(edited))
    row = reprocess.reprocess(("classify",))

    assert row["status"] == "success" and row["count_articles_new"] == 0
    versions = snapshot_rows("select distinct classifier_version from classifications")
    assert len(versions) == 1 and versions[0][0] != old_version
    assert checks.table_counts(settings.load().snapshot_path) == before  # facts kept, nothing duplicated
    assert snapshot_rows("select count(*) from fetch_log") == fetches  # nothing fetched


def test_reextracting_from_raw_html_twice_changes_nothing(sample_env):
    runner.run_pipeline("run-1", force=True)
    before = checks.table_counts(settings.load().snapshot_path)
    texts = snapshot_rows("select article_id, text_hash from articles order by 1")
    first = reprocess.reprocess()
    assert first["counts"] and '"reprocess_reextracted": 33' in first["counts"]
    reprocess.reprocess()
    assert checks.table_counts(settings.load().snapshot_path) == before
    assert snapshot_rows("select article_id, text_hash from articles order by 1") == texts
    assert snapshot_rows(
        "select count(*) from articles where text_source = 'page' and extractor_version is null"
    ) == [(0,)]
    checks.check_seed_story(settings.load().snapshot_path)


def test_topic_and_date_filters_choose_the_articles(sample_env):
    runner.run_pipeline("run-1", force=True)
    (expected,) = snapshot_rows(
        "select count(*) from articles where coalesce(published_at, first_seen_at)::date between '2025-10-01' "
        "and '2025-10-31' and article_id in (select article_id from classifications "
        "where topic = 'us_japan' and is_relevant)"
    )[0]
    assert expected >= 2  # the seed story and its syndicated copy
    row = reprocess.reprocess(
        ["classify"], topics=["us_japan"], since="2025-10-01", until=date(2025, 10, 31), publish=False
    )
    assert json.loads(row["counts"])["reprocess_articles"] == expected
    assert reprocess.reprocess(["facts"], topic="us_japan", topics=["rare_earths"])["status"] == "success"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"topics": ["volcanoes"]}, "unknown topic", id="unknown-topic"),
        pytest.param({"since": "2025-11-01", "until": "2025-10-01"}, "is after", id="reversed-range"),
        pytest.param({"since": "last tuesday"}, "since='last tuesday' is not a date", id="bad-date"),
        pytest.param({"stages": ["scrape"]}, "unknown stage", id="unknown-stage"),
    ],
)
def test_bad_filters_fail_before_touching_anything(kwargs, message):
    stages = kwargs.pop("stages", reprocess.STAGES)
    with pytest.raises(ConfigError, match=message):
        reprocess.reprocess(stages, **kwargs)


@pytest.mark.airflow
def test_the_news_reprocess_dag_runs_with_params_and_publishes(sample_env):
    runner.run_pipeline("run-1", force=True)
    before = checks.table_counts(settings.load().snapshot_path)
    run = dagrun.test_dag(
        {
            "stages": ["classify", "facts"],
            "topics": ["us_japan"],
            "since": "2025-10-28",
            "until": "2025-10-28",
        },
        quiet=True,
        dag_id="news_reprocess",
    )
    assert run["state"] == "success"
    ((counts,),) = snapshot_rows(f"select counts from runs where run_id = '{run['run_id']}'")
    assert json.loads(counts)["reprocess_articles"] >= 2
    assert checks.table_counts(settings.load().snapshot_path) == before
    checks.check_seed_story(settings.load().snapshot_path)


def test_reprocessing_with_a_new_extractor_version_closes_the_old_fact_versions_and_keeps_them(
    sample_env, monkeypatch
):
    runner.run_pipeline("run-1", force=True)
    columns = (
        "fact_id, valid_from, event_type, status, event_date, participants, amount_value, "
        "amount_currency, percent, subject, followup_status, due_date, article_id, extractor_version, run_id"
    )
    before = snapshot_rows(f"select {columns} from fact_versions where valid_to is null order by all")
    assert before and {row[13] for row in before} - {None}

    from pipeline.stages import extract

    monkeypatch.setattr(extract, "EXTRACTOR_VERSION", extract.EXTRACTOR_VERSION + "-next")
    reprocess.reprocess()

    # every earlier version is still there, unchanged but for its valid_to: the reprocess closed each one an
    # extractor produced; one from feed text (no extractor) stays open
    kept = snapshot_rows(f"select {columns} from fact_versions where run_id = 'run-1' order by all")
    assert kept == before
    still_open = snapshot_rows(
        "select extractor_version from fact_versions where run_id = 'run-1' and valid_to is null"
    )
    assert {version for (version,) in still_open} <= {None}
    assert len(still_open) < len(before)
    # the open versions are the reprocess's, and name the new extractor wherever an article gave one
    current = snapshot_rows("select fact_id, extractor_version from fact_versions where valid_to is null")
    assert {fact for fact, _ in current} == {row[0] for row in before}
    assert {version for _, version in current} - {None} == {extract.EXTRACTOR_VERSION}
    assert snapshot_rows("select count(*) from fact_versions where run_id <> 'run-1'") == [
        (len(before) - len(still_open),)
    ]
