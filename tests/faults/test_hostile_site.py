"""The hostile loopback site (tests/fixtures/hostile_site.py) against the real ``newswatch run`` (issue 16 part 9).

One run in a child process, with the production client options: it exits 0, the good feed's articles
load, every row of ``CASES`` is recorded as the row expects (and the run's counts agree with the table),
the child's peak memory stays under 1 GB, and nothing is requested from the trap server (another
loopback address and port) nor any disallowed path. The test prints the fault figures the README
quotes: cases run, survived, and what was recorded.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb

from tests.fixtures import hostile_site
from tests.fixtures.hostile_site import CASES, Case

REPO = Path(__file__).resolve().parents[2]
NEWSWATCH = Path(sys.executable).parent / "newswatch"
MAX_RSS_BYTES = 1 << 30
RUN_TIMEOUT_S = 120


def _env(data: Path, feeds_file: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWS_")}
    env.update(NEWS_DATA_DIR=str(data), NEWS_FEEDS_FILE=str(feeds_file), NEWS_ALLOW_HOSTS="127.0.0.1",
               NEWS_MIN_INTERVAL_S="0")
    return env


def _run(args: list[str], env: dict[str, str]) -> tuple[int, str, int, float]:
    """Run ``newswatch ARGS`` as a child; (exit code, output, its peak RSS in bytes, seconds)."""
    started = time.monotonic()
    log = env["NEWS_DATA_DIR"] + f"-{args[0]}.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([str(NEWSWATCH), *args], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = started + RUN_TIMEOUT_S
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                raise AssertionError(f"newswatch {' '.join(args)} ran past {RUN_TIMEOUT_S} s")
            time.sleep(0.1)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, Path(log).read_text(), usage.ru_maxrss * 1024, time.monotonic() - started


def _slug(url: str | None) -> str:
    return (url or "").split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0]


def _records(snapshot: Path, export: Path) -> dict[str, dict[str, Any]]:
    """What the run recorded, by case name: the same fields as ``Expect``."""
    out: dict[str, dict[str, Any]] = {}

    def rec(name: str) -> dict[str, Any]:
        return out.setdefault(name, {"staged": False})

    with duckdb.connect(str(snapshot), read_only=True) as con:
        for url, status, error_class, title, text_source, relevant in con.execute(
                "select a.canonical_url, a.page_status, a.error_class, a.title, a.text_source, "
                "coalesce(bool_or(c.is_relevant), false) from articles a "
                "left join classifications c using (article_id) group by all").fetchall():
            rec(_slug(url)).update(staged=True, page_status=status, error_class=error_class, title=title,
                                   text_source=text_source, relevant=relevant)
        for url, error_class in con.execute("select url, error_class from fetch_log where kind = 'item'").fetchall():
            rec(_slug(url))["item_error"] = error_class
        for url, error_class in con.execute("select feed_url, coalesce(last_error_class, 'ok') from feeds").fetchall():
            rec(_slug(url))["feed_error"] = error_class
        cursor = con.execute("select * from runs")
        (run,) = cursor.fetchall()
        out["(run)"] = {column[0]: value for column, value in zip(cursor.description, run, strict=True)
                        if column[0] == "status" or column[0].startswith("count_")}
    limit = csv.field_size_limit(1 << 28)  # the digits page's text is one 150 KB cell
    try:
        with open(export / "articles.csv", newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                rec(_slug(row["canonical_url"]))["csv_title"] = row["title"]
    finally:
        csv.field_size_limit(limit)
    return out


def _verdict(case: Case, got: dict[str, Any]) -> tuple[bool, str]:
    """(survived, what was recorded) for one case."""
    want = case.expect
    checks = {
        "page_status": got.get("page_status") == want.page_status,
        "error_class": got.get("error_class") == want.error_class,
        "item_error": got.get("item_error") == want.item_error,
        "staged": got.get("staged") == want.staged,
        "feed_error": got.get("feed_error") == want.feed_error,
        "title_has": want.title_has is not None and want.title_has in (got.get("title") or ""),
        "csv_title_starts": str(got.get("csv_title", "")).startswith(str(want.csv_title_starts)),
        "relevant": got.get("relevant") == want.relevant,
        "text_source": got.get("text_source") == want.text_source,
    }
    wanted = [k for k, v in vars(want).items() if v is not None]
    shown = {"title_has": "title", "csv_title_starts": "csv_title"}
    recorded = ", ".join(f"{shown.get(k, k)}={str(got.get(shown.get(k, k)))[:40]}" for k in wanted)
    return all(checks[k] for k in wanted), recorded


def test_the_hostile_site(tmp_path: Path) -> None:
    with hostile_site.serve() as sites:
        feeds_file = tmp_path / "feeds.yaml"
        feeds_file.write_text(f"base_url: {sites.url}\nfeeds:\n" + "".join(
            f"  - {{name: {name}, url: {path}}}\n" for name, path in hostile_site.feed_paths().items()))
        env = _env(tmp_path / "data", feeds_file)
        code, output, rss_bytes, seconds = _run(["run", "--force"], env)
        assert code == 0, output[-3000:]
        code, export_output, _, _ = _run(["export", "--format", "csv", "--out", str(tmp_path / "export")], env)
        assert code == 0, export_output[-3000:]
        site_hits, trap_hits = dict(sites.site.hits), dict(sites.trap.hits)

    records = _records(tmp_path / "data" / "newswatch.snapshot.duckdb", tmp_path / "export")
    run = records["(run)"]
    verdicts = {case.name: _verdict(case, records.get(case.name, {})) for case in CASES}
    survived = sum(ok for ok, _ in verdicts.values())
    lines = [f"hostile site: {len(CASES)} cases run, {survived} survived; exit 0 in {seconds:.0f} s, "
             f"peak RSS {rss_bytes / 2**20:.0f} MB; trap requests {sum(trap_hits.values())}",
             f"{'case':<26} {'kind':<6} {'ok':<3} recorded"]
    lines += [f"{c.name:<26} {c.kind:<6} {'yes' if verdicts[c.name][0] else 'NO':<3} {verdicts[c.name][1]}"
              for c in CASES]
    lines.append("run counts: " + ", ".join(f"{k.removeprefix('count_')}={v}" for k, v in run.items() if v))
    print("\n".join(lines))
    failed = {name: (recorded, next(c for c in CASES if c.name == name).expect.describe())
              for name, (ok, recorded) in verdicts.items() if not ok}
    assert not failed, failed
    # The run's counts agree with the table: the good and the hostile feed are healthy, each feed row failed...
    n_feed_rows = sum(c.kind == "feed" for c in CASES)
    assert run["status"] == "success", run
    assert (run["count_feeds_ok"], run["count_feeds_failed"]) == (2, n_feed_rows), run
    # ... and every page the table expects to load, or to fail, is counted so, once.
    n_ok = sum(c.expect.page_status == "ok" for c in CASES)
    n_failed = sum(c.expect.page_status not in (None, "ok") for c in CASES)
    assert (run["count_pages_fetched"], run["count_pages_failed"], run["count_articles_new"]) == (
        n_ok, n_failed, n_ok + n_failed), run
    assert rss_bytes < MAX_RSS_BYTES, f"peak RSS {rss_bytes / 2**20:.0f} MB"
    assert trap_hits == {}, trap_hits
    assert not [p for p in site_hits if "/private/" in p], site_hits
    assert sites.url.endswith(str(sites.site.server_port))
