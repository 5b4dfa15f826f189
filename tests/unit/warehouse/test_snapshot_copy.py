"""pipeline.warehouse.db.write_snapshot: the snapshot replaces the old one atomically; open readers keep theirs."""

from __future__ import annotations

import duckdb

from pipeline.warehouse import db


def test_write_snapshot_replaces_atomically_and_leaves_no_temporary_file(tmp_path):
    live = tmp_path / "live.duckdb"
    with duckdb.connect(str(live)) as con:
        con.execute("create table t as select 1 as x")
    snap = tmp_path / "snap" / "snapshot.duckdb"
    db.write_snapshot(live, snap)
    with duckdb.connect(str(snap), read_only=True) as reader:  # a reader of the first snapshot
        with duckdb.connect(str(live)) as con:
            con.execute("insert into t values (2)")
        db.write_snapshot(live, snap)
        assert reader.execute("select count(*) from t").fetchone() == (1,)  # its own inode, unchanged
    with duckdb.connect(str(snap), read_only=True) as fresh:
        assert fresh.execute("select count(*) from t").fetchone() == (2,)
    assert sorted(p.name for p in snap.parent.iterdir()) == ["snapshot.duckdb"]
