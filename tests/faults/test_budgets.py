"""Budgets over real loopback HTTP (issue 16 case 7): per host, per feed, and the scrape shard's own.

Two loopback servers are two hosts (the client keys hosts by ``host:port``): ``drip`` answers every
page with headers at once and then one byte every ``DRIP_GAP_S`` (a dripping URL), until the test
tells it to behave; ``site`` serves the feeds and good pages at once. Whatever a budget leaves over
must be staged as ``deferred``, recorded with the setting that deferred it, and fetched next run,
even when the feed itself answers 304.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest

from pipeline import settings, staging
from pipeline.stages import extract, load, scrape
from pipeline.stages.feeds import fetch_feeds
from pipeline.stages.plan_pages import plan_pages
from tests.faults.conftest import kill9, python
from tests.fixtures.faulty_site import article_html, item, rss, send

DRIP_GAP_S = 0.2
DRIP_MAX_BYTES = 200          # bounded: a drip ends by itself after 40 s
N_DRIP_PAGES = 10
N_GOOD_PAGES = 3
BIG_FEED_ITEMS = 5000


@dataclass
class Site:
    """What one server serves and what it was asked."""

    dripping: bool = True
    page_delay_s: float = 0.0
    feeds: dict[str, bytes] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    not_modified: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def answer(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
            send(self, status, body, content_type, headers)

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            path = self.path
            with site.lock:
                site.hits[path] += 1
            if path == "/robots.txt":
                self.answer(404, b"", "text/plain")
            elif path in site.feeds:
                etag = f'"{len(site.feeds[path])}"'
                if self.headers.get("If-None-Match") == etag:
                    with site.lock:
                        site.not_modified += 1
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                else:
                    self.answer(200, site.feeds[path], "application/rss+xml", {"ETag": etag})
            elif path.startswith("/drip/") and site.dripping:
                self.drip(path)
            else:
                time.sleep(site.page_delay_s)
                self.answer(200, article_html(path.strip("/").replace("/", "-")), "text/html; charset=utf-8")

        def drip(self, path: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", "50000")
            self.end_headers()
            self.wfile.flush()
            try:
                for byte in article_html(path)[:DRIP_MAX_BYTES]:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(DRIP_GAP_S)
            except OSError:
                pass  # the client gave up, as it should
            self.close_connection = True

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up on a drip or a slow page is the point here


@contextmanager
def serve(site: Site) -> Iterator[str]:
    server = _Server(("127.0.0.1", 0), _handler(site))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def feeds_file(tmp_path: Path, urls: dict[str, str]) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text("feeds:\n" + "".join(f"  - name: {name}\n    url: {url}\n" for name, url in urls.items()))
    return path


def one_run(run_id: str, *, force: bool = False) -> tuple[Path, float, str]:
    """Feeds, plan, scrape (timed), extract and load of one run in one shard: the run, the scrape time, the load line."""
    cfg = settings.load()
    run = staging.run_dir(run_id)
    items = fetch_feeds(run, 0, 1, snapshot=cfg.snapshot_path, run_id=run_id, force=force)
    (plan,) = plan_pages([items], snapshot=cfg.snapshot_path)
    started = time.monotonic()
    pages = scrape.scrape_articles(plan, run_id=run_id)
    spent = time.monotonic() - started
    extract.extract_articles(pages)
    return run, spent, load.summary(load.load_warehouse(run, run_id=run_id))


def articles(where: str = "true") -> dict[str, tuple[str, str | None]]:
    with duckdb.connect(str(settings.load().snapshot_path), read_only=True) as con:
        rows = con.execute(f"select canonical_url, page_status, error_class from articles where {where}").fetchall()
    return {url.rsplit("/", 2)[-2] + "/" + url.rsplit("/", 1)[-1]: (status, error) for url, status, error in rows}


@pytest.fixture
def base_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_ALLOW_HOSTS", "127.0.0.1")
    monkeypatch.setenv("NEWS_MIN_INTERVAL_S", "0")
    monkeypatch.setenv("NEWS_SHARDS", "1")


def test_a_dripping_host_costs_its_budget_other_hosts_are_fetched_and_the_rest_comes_next_run(
        tmp_path, monkeypatch, base_env):
    budget, deadline = 3.0, 1.0
    monkeypatch.setenv("NEWS_HOST_BUDGET_S", str(budget))
    monkeypatch.setenv("NEWS_REQUEST_TIMEOUT_S", str(deadline))
    monkeypatch.setenv("NEWS_FETCH_RETRIES", "1")
    drip, site = Site(dripping=True), Site()
    with serve(drip) as drip_url, serve(site) as site_url:
        links = ([f"{drip_url}/drip/{i}.html" for i in range(N_DRIP_PAGES)]
                 + [f"{site_url}/good/{i}.html" for i in range(N_GOOD_PAGES)])
        site.feeds["/feed.xml"] = rss([item(link, f"Story {n}") for n, link in enumerate(links)])
        monkeypatch.setenv("NEWS_FEEDS_FILE", str(feeds_file(tmp_path, {"mixed": f"{site_url}/feed.xml"})))

        run, spent, line = one_run("budget-1")
        # At most about one deadline (and a retry's pause) beyond the host's budget, not 10 x 3 x deadline.
        assert spent < budget + 2 * deadline + 1.0
        stored = articles()
        assert [stored[f"good/{i}.html"][0] for i in range(N_GOOD_PAGES)] == ["ok"] * N_GOOD_PAGES
        drip_states = Counter(stored[f"drip/{i}.html"][0] for i in range(N_DRIP_PAGES))
        assert drip_states["deferred"] >= N_DRIP_PAGES - 2 and drip_states["ok"] == 0
        assert sum(drip.hits[f"/drip/{i}.html"] for i in range(N_DRIP_PAGES)) <= 4  # the spent host is left alone
        counts = staging.read_counts(run)
        assert counts["pages_deferred"] == drip_states["deferred"]
        assert f"pages_deferred={drip_states['deferred']}" in line  # the run's summary line tells the operator
        log = staging.read_rows(run / "fetch_log" / "pages-000.parquet")
        deferred = [r for r in log if r["error_class"] == "deferred_host_budget"]
        assert len(deferred) == drip_states["deferred"]
        assert all("NEWS_HOST_BUDGET_S=3s" in r["error"] for r in deferred)

        # Next run: the host behaves, the feed answers 304 (no items at all), and the deferred pages are fetched.
        drip.dripping = False
        run2, _, line2 = one_run("budget-2", force=True)  # forced: the feed is asked (with its ETag) though not due
        assert site.not_modified == 1
        assert staging.read_counts(run2)["pages_replanned"] == drip_states["deferred"]
        stored = articles()
        now_ok = [k for k, (status, _) in stored.items() if k.startswith("drip/") and status == "ok"]
        assert len(now_ok) == drip_states["deferred"]
        assert not any(status == "deferred" for status, _ in stored.values())
        assert "deferred" not in line2


def _big_feed(site_url: str, n: int) -> bytes:
    """``n`` items, newest first, one hour apart; item ``i`` links to ``/big/<i>.html``."""
    newest = datetime(2025, 10, 20, 8, tzinfo=UTC)
    return rss([item(f"{site_url}/big/{i}.html", f"Big {i}", date=format_datetime(newest - timedelta(hours=i)))
                for i in range(n)])


def test_a_huge_feed_stages_the_cap_of_new_items_per_run_newest_first(tmp_path, monkeypatch, base_env):
    cap = 100
    monkeypatch.setenv("NEWS_MAX_NEW_ITEMS_PER_FEED", str(cap))
    site = Site()
    with serve(site) as site_url:
        site.feeds["/big.xml"] = _big_feed(site_url, BIG_FEED_ITEMS)
        monkeypatch.setenv("NEWS_FEEDS_FILE", str(feeds_file(tmp_path, {"big": f"{site_url}/big.xml"})))
        cfg = settings.load()

        run = staging.run_dir("cap-1")
        items = fetch_feeds(run, 0, 1, snapshot=cfg.snapshot_path, run_id="cap-1")
        # What the rest of the run holds in memory is bounded by the cap, not by the feed.
        staged = staging.read_rows(items)
        assert sorted(int(i["url"].rsplit("/", 1)[1].split(".")[0]) for i in staged) == list(range(cap))
        counts = staging.read_counts(run)
        assert counts["items_deferred"] == BIG_FEED_ITEMS - cap and counts["feeds_capped"] == 1
        log = staging.read_rows(run / "fetch_log" / "feeds-000.parquet")
        (note,) = [r for r in log if r["error_class"] == "deferred_item_cap"]
        assert f"NEWS_MAX_NEW_ITEMS_PER_FEED={cap}" in note["error"]
        (plan,) = plan_pages([items], snapshot=cfg.snapshot_path)
        extract.extract_articles(scrape.scrape_articles(plan, run_id="cap-1"))
        load.load_warehouse(run, run_id="cap-1")

        # The next run fetches the feed again (no 304: its validators were not kept) and stages the next 100.
        run2 = staging.run_dir("cap-2")
        items2 = fetch_feeds(run2, 0, 1, snapshot=cfg.snapshot_path, run_id="cap-2")
        assert site.not_modified == 0
        staged2 = staging.read_rows(items2)
        new2 = sorted(int(i["url"].rsplit("/", 1)[1].split(".")[0]) for i in staged2)
        assert [n for n in new2 if n >= cap] == list(range(cap, 2 * cap))
        assert staging.read_counts(run2)["items_deferred"] == BIG_FEED_ITEMS - 2 * cap


def _slow_plan(site_url: str, n: int) -> Path:
    from pipeline.stages import schemas

    now = datetime.now(UTC)
    rows = [{"article_id": f"slow{i:03d}", "url": f"{site_url}/slow/{i}.html", "original_url": None,
             "feed_url": f"{site_url}/feed.xml", "feed_name": "slow", "guid": None, "title": f"Slow {i}",
             "summary": "A short summary.", "author": None, "published_at": now, "seen_at": now,
             "page_attempts": 0} for i in range(n)]
    return staging.write_rows(staging.run_dir("slow") / "plan" / "000.parquet", rows, schemas.PLAN)


def test_the_scrape_budget_stages_what_was_fetched_and_defers_the_rest(monkeypatch, base_env):
    monkeypatch.setenv("NEWS_SCRAPE_BUDGET_S", "1")
    site = Site(page_delay_s=0.2)
    with serve(site) as site_url:
        plan = _slow_plan(site_url, 30)
        started = time.monotonic()
        pages = staging.read_rows(scrape.scrape_articles(plan, run_id="slow"))
        assert time.monotonic() - started < 2.5
    statuses = Counter(p["page_status"] for p in pages)
    assert len(pages) == 30 and 1 <= statuses["ok"] <= 6 and statuses["deferred"] == 30 - statuses["ok"]
    assert {p["error_class"] for p in pages if p["page_status"] == "deferred"} == {"deferred_scrape_budget"}
    counts = staging.read_counts(staging.run_of(plan))
    assert counts == {"pages_wanted": 30, "pages_ok": statuses["ok"], "pages_deferred": statuses["deferred"]}


def test_a_task_timeout_mid_scrape_still_stages_the_pages_fetched(monkeypatch, base_env):
    # Airflow's own execution_timeout mechanism (SIGALRM raising AirflowTaskTimeout, a BaseException).
    from airflow.sdk.exceptions import AirflowTaskTimeout  # noqa: TID251 - the test stops the stage as Airflow does
    from airflow.sdk.execution_time.timeout import timeout  # noqa: TID251

    monkeypatch.setenv("NEWS_SCRAPE_BUDGET_S", "0")
    site = Site(page_delay_s=0.2)
    with serve(site) as site_url:
        plan = _slow_plan(site_url, 30)
        with pytest.raises(AirflowTaskTimeout), timeout(1.1):
            scrape.scrape_articles(plan, run_id="slow")
    run = staging.run_of(plan)
    pages = staging.read_rows(run / "pages" / "000.parquet")
    statuses = Counter(p["page_status"] for p in pages)
    assert len(pages) == 30 and statuses["ok"] >= 1 and statuses["deferred"] >= 20
    assert statuses["ok"] + statuses["deferred"] == 30
    log = staging.read_rows(run / "fetch_log" / "pages-000.parquet")
    assert sum(r["error_class"] == "deferred_stopped" for r in log) == statuses["deferred"]
    assert all("AirflowTaskTimeout" in r["error"] for r in log if r["error_class"] == "deferred_stopped")


def test_a_killed_scrape_leaves_its_checkpoint_and_the_retry_fetches_only_the_rest(monkeypatch, base_env, holder):
    monkeypatch.setenv("NEWS_SCRAPE_BUDGET_S", "0")
    site = Site(page_delay_s=0.2)
    with serve(site) as site_url:
        plan = _slow_plan(site_url, 30)
        env = {name: value for name, value in os.environ.items() if name.startswith("NEWS_")}
        proc = python(f"from pathlib import Path\nfrom pipeline.stages import scrape\nscrape.CHECKPOINT_S = 0.3\n"
                      f"scrape.scrape_articles(Path({str(plan)!r}), run_id='slow')\n", env)
        holder.append(proc)
        staged = staging.run_of(plan) / "pages" / "000.parquet"
        deadline = time.monotonic() + 60
        while not (staged.exists() and len(staging.read_rows(staged)) >= 3):
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.05)
        kill9(proc)  # no chance to stage anything more: only the checkpoint is left
        kept = {row["url"] for row in staging.read_rows(staged)}
        assert 3 <= len(kept) < 30

        pages = staging.read_rows(scrape.scrape_articles(plan, run_id="slow"))
    assert len(pages) == 30 and {p["page_status"] for p in pages} == {"ok"}
    for url in kept:  # what the killed attempt staged is not fetched again
        assert site.hits[url.removeprefix(site_url)] == 1
    assert sum(site.hits[f"/slow/{i}.html"] for i in range(30)) <= 31  # at most the page in flight, twice
