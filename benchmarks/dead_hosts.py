"""A run whose every article host is down (issue 17, point 3): how long ``newswatch run`` takes.

One loopback server serves the feeds; every item links to a page on one of ``--hosts`` other loopback
addresses (``127.0.0.<n>``) on a port nobody listens on, so each page request is refused at once, as a
host that is down (or a DNS name that no longer resolves) answers. The run goes through every stage
(``pipeline.stages.runner.run_pipeline``), with the settings' defaults for retries and timeouts and the
sample site's 0.05 s host interval, and prints its wall time, the page counts and the ``runs`` row.

    uv run python -m benchmarks.dead_hosts --items 702 --hosts 24

The figure of the issue: 702 items from real feeds with their article hosts unreachable took 18 min 12 s;
the target is under 2 minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

TOPIC_WORDS = (
    "Japan and the United States agree on tariffs and defense spending in Tokyo talks",
    "Rare earth magnets: China tightens export controls on critical minerals",
    "Local bakery wins a regional prize for its sourdough",
    "Prime minister meets the US president to discuss the alliance and trade",
    "Lithium and gallium supply chains under pressure as refiners expand",
    "Football club signs a new striker before the season opens",
)


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def feeds_xml(n_items: int, n_feeds: int, hosts: list[str], port: int) -> dict[str, bytes]:
    """``n_items`` items over ``n_feeds`` feeds, page links spread over ``hosts`` (all refusing)."""
    feeds: dict[str, list[str]] = {f"/feed-{f}.xml": [] for f in range(n_feeds)}
    names = list(feeds)
    for i in range(n_items):
        host = hosts[i % len(hosts)]
        title = f"{TOPIC_WORDS[i % len(TOPIC_WORDS)]} (report {i})"
        feeds[names[i % n_feeds]].append(
            f"<item><title>{title}</title><link>http://{host}:{port}/news/{i}.html</link>"
            f"<guid isPermaLink=\"false\">dead-{i}</guid><description>{title}. More in the full story.</description>"
            "<pubDate>Mon, 20 Oct 2025 08:00:00 GMT</pubDate></item>")
    return {path: (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wire {path}</title>'
                   f"<link>/</link><description>dead hosts</description>{''.join(items)}</channel></rss>").encode()
            for path, items in feeds.items()}


def serve(feeds: dict[str, bytes]) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            body = feeds.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@contextmanager
def dead_hosts_site(n_items: int, n_hosts: int, n_feeds: int, data_dir: Path) -> Iterator[dict[str, str]]:
    """Serve the feeds on loopback while the block runs; yields the NEWS_* variables that point a run at them."""
    hosts = [f"127.0.0.{10 + h}" for h in range(n_hosts)]
    port = free_port()
    server, url = serve(feeds_xml(n_items, n_feeds, hosts, port))
    feeds_file = data_dir / "feeds.yaml"
    feeds_file.write_text("feeds:\n" + "".join(
        f"  - name: Wire {f}\n    url: {url}/feed-{f}.xml\n    topics: [us_japan, rare_earths]\n"
        for f in range(n_feeds)), encoding="utf-8")
    try:
        yield {"NEWS_DATA_DIR": str(data_dir), "NEWS_FEEDS_FILE": str(feeds_file),
               "NEWS_ALLOW_HOSTS": ",".join(["127.0.0.1", *hosts]), "NEWS_MIN_INTERVAL_S": "0.05",
               "NEWS_MAX_NEW_ITEMS_PER_FEED": str(n_items)}
    finally:
        server.shutdown()
        server.server_close()


def run(n_items: int, n_hosts: int, n_feeds: int, data_dir: Path) -> dict[str, object]:
    """One ``run_pipeline`` over the dead-hosts site in ``data_dir``; its wall time, counts and ``runs`` row."""
    with dead_hosts_site(n_items, n_hosts, n_feeds, data_dir) as env:
        os.environ.update(env)
        return _timed_run(n_items, n_hosts)


def _timed_run(n_items: int, n_hosts: int) -> dict[str, object]:
    from pipeline.stages import runner
    from pipeline.warehouse import db

    stages: dict[str, float] = {}
    for module, name in ((runner.feeds, "fetch_feeds"), (runner.plan_pages, "plan_pages"),
                         (runner.scrape, "scrape_articles"), (runner.extract, "extract_articles"),
                         (runner.classify, "classify_articles"), (runner.facts, "extract_facts"),
                         (runner.load, "load_warehouse")):
        setattr(module, name, _timed(getattr(module, name), name, stages))
    started, cpu = time.monotonic(), time.process_time()
    row = runner.run_pipeline(force=True)
    wall, cpu = time.monotonic() - started, time.process_time() - cpu
    pages = db.query_snapshot("select page_status, count(*) from articles group by all order by 1")
    requests = db.query_snapshot("select count(*) from fetch_log where kind in ('page', 'robots') "
                                 "and coalesce(error_class, '') not like 'deferred%'")[0][0]
    return {"items": n_items, "hosts": n_hosts, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
            "stages_wall_s": {k: round(v, 1) for k, v in stages.items()}, "page_requests_sent": requests,
            "pages": dict(pages),
            "run": {k: (v if isinstance(v, int | float | str | bool) or v is None else str(v)) for k, v in row.items()}}


def _timed(fn: Callable[..., Any], name: str, spent: dict[str, float]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.monotonic()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.monotonic() - started
    return timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=702)
    parser.add_argument("--hosts", type=int, default=24)
    parser.add_argument("--feeds", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newswatch-dead-hosts-") as tmp:
        print(json.dumps(run(args.items, args.hosts, args.feeds, Path(tmp)), indent=2, default=str))


if __name__ == "__main__":
    main()
