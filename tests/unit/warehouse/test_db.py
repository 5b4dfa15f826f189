"""The live file and its snapshot: a migrated transaction that commits or rolls back, publishing, reading."""

from __future__ import annotations

import duckdb
import pytest

from pipeline import settings
from pipeline.warehouse import db


def test_a_live_transaction_migrates_and_commits_what_the_block_wrote():
    with db.live_transaction(checkpoint=True) as con:
        con.execute("insert into run_topic_counts values ('r1', 'solar', 2)")
    with duckdb.connect(str(settings.load().duckdb_path), read_only=True) as con:
        assert con.execute("select * from run_topic_counts").fetchall() == [("r1", "solar", 2)]


def test_a_block_that_raises_keeps_nothing_of_it():
    with pytest.raises(RuntimeError), db.live_transaction() as con:
        con.execute("insert into run_topic_counts values ('r1', 'solar', 2)")
        raise RuntimeError("stage failed")
    with db.live_transaction() as con:
        assert con.execute("select count(*) from run_topic_counts").fetchall() == [(0,)]


def test_no_snapshot_yet_reads_as_no_rows_and_a_published_one_as_the_live_data():
    assert db.query_snapshot("select 1") == []
    with db.snapshot() as con:
        assert con is None
    with db.live_transaction(checkpoint=True) as con:
        con.execute("insert into run_topic_counts values ('r1', 'solar', 2)")
    path = db.publish_snapshot()
    assert path == settings.load().snapshot_path
    assert db.query_snapshot("select topic, count_relevant from run_topic_counts where run_id = ?", ["r1"]) == [
        ("solar", 2)]
    with db.snapshot() as con, pytest.raises(duckdb.Error):
        con.execute("create table nope (x int)")  # read-only
