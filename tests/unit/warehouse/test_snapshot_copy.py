"""pipeline.warehouse.db.clone_file / write_snapshot: the snapshot is a byte-identical copy, reflinked where possible."""

from __future__ import annotations

import os

import duckdb

from pipeline.warehouse import db


def test_clone_file_gives_identical_bytes_by_reflink_or_by_copy(tmp_path):
    source = tmp_path / "live.bin"
    source.write_bytes(os.urandom(3 << 20))
    target = tmp_path / "copy.bin"
    target.write_bytes(b"an older, longer file that must not leave a tail" * 100_000)
    how = db.clone_file(source, target)
    assert how in ("reflink", "copy")
    assert target.read_bytes() == source.read_bytes()


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
