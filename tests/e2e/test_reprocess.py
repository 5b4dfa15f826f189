"""`newswatch reprocess`: stored articles go through the stages again, without fetching, idempotently."""

from __future__ import annotations

import duckdb

from pipeline import reprocess, runner, settings
from tests.e2e import checks


def snapshot_rows(sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.load().snapshot_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_reprocess_after_a_topics_edit_rescores_everything_and_adds_nothing(sample_env, monkeypatch, tmp_path):
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
    assert snapshot_rows("select count(*) from articles where text_source = 'page' and extractor_version is null") \
        == [(0,)]
    checks.check_seed_story(settings.load().snapshot_path)
