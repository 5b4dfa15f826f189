"""Analysts can query at any moment: a reader on the snapshot never blocks a run, and a reader on the live file
by mistake only delays the load (the loader waits with backoff) until it lets go.

Readers run in other processes, because DuckDB's file lock is per process.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from pipeline import sample_site, settings, staging
from pipeline.errors import LoadError
from pipeline.stages import load, runner
from pipeline.warehouse import db

HOLD_S = 3.0  # how long the mistaken reader keeps the live file; well inside db.LOCK_WAIT_S

# Keeps one read-only connection to the snapshot and queries it until told to stop. The held
# connection must keep seeing the snapshot it opened, unchanged, while the pipeline publishes.
SNAPSHOT_READER = """
import pathlib, sys, time
import duckdb

snapshot, stop = sys.argv[1], pathlib.Path(sys.argv[2])
con = duckdb.connect(snapshot, read_only=True)
(first,) = con.execute("select count(*) from articles").fetchone()
print("ready", first, flush=True)
queries, deadline = 0, time.monotonic() + 180
while not stop.exists() and time.monotonic() < deadline:
    (count,) = con.execute("select count(*) from articles").fetchone()
    con.execute("select * from fct_matching_stories order by score desc").fetchall()
    con.execute("select * from fct_facts where amount_usd is not null").fetchall()
    assert count == first, (count, first)
    queries += 1
    time.sleep(0.02)
con.close()
print("queries", queries, "stopped" if stop.exists() else "timed-out", flush=True)
"""

# Opens the LIVE file read-write, as `duckdb data/newswatch.duckdb` would, and keeps it for a while.
LIVE_HOLDER = """
import sys, time
import duckdb

con = duckdb.connect(sys.argv[1])
con.execute("select count(*) from articles").fetchone()
print("ready", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
print("closed", flush=True)
"""


def _start(script: str, *args: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("ready"):
        proc.kill()
        pytest.fail(f"reader did not start: {line!r} {proc.stderr.read() if proc.stderr else ''}")
    return proc


def _feeds_subset(tmp_path: Path, keep: str) -> Path:
    """The sample site's feed list with only the feed whose URL ends with ``keep``."""
    lines = sample_site.FEEDS_FILE.read_text().splitlines()
    start = lines.index("feeds:")
    entries = "\n".join(lines[start + 1:]).split("\n  - ")
    kept = [e for e in entries if f"url: /feeds/{keep}" in e]
    path = tmp_path / "feeds-subset.yaml"
    path.write_text("\n".join(lines[: start + 1]) + "\n  - " + kept[0].lstrip(" -") + "\n")
    return path


def test_a_reader_held_on_the_snapshot_during_a_full_run(sample_env, tmp_path, monkeypatch):
    cfg = settings.load()
    # A first run over one feed publishes a small snapshot; the second run loads the rest of the site.
    monkeypatch.setenv("NEWS_FEEDS_FILE", str(_feeds_subset(tmp_path, "minerals.atom")))
    runner.run_pipeline("run-1", force=True)
    monkeypatch.setenv("NEWS_FEEDS_FILE", str(sample_site.FEEDS_FILE))

    stop = tmp_path / "stop-reading"
    reader = _start(SNAPSHOT_READER, str(cfg.snapshot_path), str(stop))
    cli_results: list[subprocess.CompletedProcess[str]] = []
    running = threading.Event()
    running.set()

    def query_with_the_cli() -> None:
        # `newswatch sql` opens the snapshot afresh each time, so it may see either run; it must never fail.
        while running.is_set():
            cli_results.append(subprocess.run(
                [sys.executable, "-m", "pipeline.cli.app", "sql", "--csv", "select count(*) as n from fct_matching_stories"],
                capture_output=True, text=True, timeout=60))

    cli = threading.Thread(target=query_with_the_cli)
    cli.start()
    try:
        row = runner.run_pipeline("run-2", force=True)
    finally:
        running.clear()
        cli.join(timeout=90)
        stop.touch()
        out, errors = reader.communicate(timeout=60)

    assert row["status"] == "success" and row["count_articles_new"] > 0
    assert reader.returncode == 0, errors
    assert "stopped" in out and int(out.split()[1]) > 10, out  # it kept querying the whole time
    assert cli_results and all(r.returncode == 0 for r in cli_results), [r.stderr for r in cli_results]
    assert all(r.stdout.splitlines()[0] == "n" for r in cli_results)
    with duckdb.connect(str(cfg.snapshot_path), read_only=True) as con:  # a new connection sees run-2
        assert con.execute("select count(*) from runs").fetchone() == (2,)


def test_the_loader_waits_for_a_reader_on_the_live_file(sample_env, caplog):
    assert HOLD_S * 3 < db.LOCK_WAIT_S
    cfg = settings.load()
    runner.run_pipeline("run-1", force=True)

    holder = _start(LIVE_HOLDER, str(cfg.duckdb_path), str(HOLD_S))
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="pipeline.warehouse.db"):
        row = load.load_warehouse(staging.run_dir("run-1"), run_id="run-1-again")
    waited = time.monotonic() - started
    out, errors = holder.communicate(timeout=30)

    assert holder.returncode == 0 and "closed" in out, errors
    assert row["status"] == "success"
    assert waited >= HOLD_S * 0.8  # it really was blocked, and recovered once the reader closed
    assert any("locked by another process" in r.getMessage() for r in caplog.records)
    with duckdb.connect(str(cfg.snapshot_path), read_only=True) as con:
        assert {r[0] for r in con.execute("select run_id from runs").fetchall()} == {"run-1", "run-1-again"}


def test_the_loader_gives_up_after_its_wait_budget_and_names_the_snapshot(sample_env):
    cfg = settings.load()
    runner.run_pipeline("run-1", force=True)
    holder = _start(LIVE_HOLDER, str(cfg.duckdb_path), str(HOLD_S))
    try:
        with pytest.raises(LoadError, match="snapshot"):
            db.connect_live(cfg.duckdb_path, wait_s=0.5)
    finally:
        holder.communicate(timeout=30)
    assert holder.returncode == 0
