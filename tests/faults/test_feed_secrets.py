"""Secrets in feed URLs stay secret (issue 16 case 10).

A ``${VAR}`` in a feed URL (``?api_key=``, ``user:password@``) used to be expanded into the feed's
identity, so the key appeared in the log, ``feeds``, ``fetch_log``, ``articles.feed_url``, the
snapshot and the monitor page, and the userinfo went along to robots.txt. The real pipeline runs
here against a loopback site that records every request; then every table of the warehouse and the
snapshot, every staged file, every log record, the monitor page and the report are searched.
"""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import duckdb
import pyarrow.parquet as pq
import pytest

from pipeline import settings
from pipeline.ingest import feeds
from pipeline.stages import runner
from pipeline.views import monitor, report
from tests.faults.conftest import fast_options
from tests.fixtures.faulty_site import article_html, rss

KEY = "k3y-S3CRET-4f9a"
PASSWORD = "pw-S3CRET-b7e2"
USER = "reader"
TOKEN = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
SECRETS = (KEY, PASSWORD, TOKEN)


class Site(ThreadingHTTPServer):
    requests: list[tuple[str, str]]  # (path with query, Authorization header)


class Handler(BaseHTTPRequestHandler):
    server: Site

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - signature of the base class
        pass

    def _send(self, status: int, body: bytes = b"", content_type: str = "text/html; charset=utf-8",
              **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.server.requests.append((self.path, self.headers.get("Authorization") or ""))
        parts = urlsplit(self.path)
        key = parse_qs(parts.query).get("api_key", [""])[0]
        port = self.server.server_address[1]
        if parts.path == "/robots.txt":
            self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        elif parts.path == "/keyed/feed.xml":
            if key != KEY:
                self._send(403)
                return
            items = [f"<item><title>Keyed {i}</title><link>{link}</link><pubDate>Mon, 20 Oct 2025 08:00:00 GMT"
                     f"</pubDate></item>" for i, link in
                     enumerate(["/articles/keyed-1.html", f"http://127.0.0.1:{port}/articles/keyed-2.html"])]
            self._send(200, rss(items), "application/rss+xml")
        elif parts.path == "/private/feed.xml":
            if self.headers.get("Authorization") != f"Basic {TOKEN}":
                self._send(401, **{"WWW-Authenticate": 'Basic realm="feeds"'})
                return
            items = ["<item><title>Private 1</title><link>/articles/private-1.html</link>"
                     "<pubDate>Mon, 20 Oct 2025 09:00:00 GMT</pubDate></item>"]
            self._send(200, rss(items), "application/rss+xml")
        elif parts.path == "/moved.xml":  # the server echoes the key into the redirect target
            self._send(302, Location=f"/keyed/broken.xml?api_key={key}&from=moved")
        elif parts.path.startswith("/articles/"):
            self._send(200, article_html(parts.path.rsplit("/", 1)[1].removesuffix(".html")))
        else:  # /missing.xml, /keyed/broken.xml: errors whose messages name the URL
            self._send(404 if "missing" in parts.path else 500)


@contextmanager
def serve() -> Iterator[Site]:
    server = Site(("127.0.0.1", 0), Handler)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


FEEDS_YAML = """\
base_url: http://127.0.0.1:{port}
feeds:
  - {{name: Keyed, url: "/keyed/feed.xml?api_key=${{NEWS_TEST_KEY}}"}}
  - {{name: Private, url: "http://{user}:${{NEWS_TEST_PW}}@127.0.0.1:{port}/private/feed.xml"}}
  - {{name: Missing, url: "/missing.xml?api_key=${{NEWS_TEST_KEY}}"}}
  - {{name: Moved, url: "/moved.xml?api_key=${{NEWS_TEST_KEY}}"}}
  - {{name: Plain, url: /articles/plain.xml}}
"""


def _leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def _table_leaks(db: Path) -> dict[str, list[str]]:
    """Every value of every table, cast to text, that holds a secret."""
    found: dict[str, list[str]] = {}
    with duckdb.connect(str(db), read_only=True) as con:
        tables = [t for (t,) in con.execute("select table_name from duckdb_tables()").fetchall()]
        assert {"feeds", "fetch_log", "articles", "runs"} <= set(tables)
        for table in tables:
            for row in con.execute(f'select * from "{table}"').fetchall():
                hits = [str(v) for v in row if v is not None and _leaks(str(v))]
                if hits:
                    found.setdefault(table, []).extend(hits)
    return found


@pytest.fixture
def secret_run(tmp_path, isolated_settings, monkeypatch, caplog):
    with serve() as site:
        port = site.server_address[1]
        feeds_file = tmp_path / "feeds.yaml"
        feeds_file.write_text(FEEDS_YAML.format(port=port, user=USER))
        for name, value in {"NEWS_FEEDS_FILE": str(feeds_file), "NEWS_ALLOW_HOSTS": "127.0.0.1",
                            "NEWS_TEST_KEY": KEY, "NEWS_TEST_PW": PASSWORD, "NEWS_SHARDS": "1"}.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(feeds, "client_options", fast_options(read_timeout_s=2.0, total_timeout_s=5.0))
        with caplog.at_level(logging.DEBUG):
            rows = [runner.run_pipeline(f"secrets-{i}", force=True) for i in (1, 2)]
            records = list(caplog.records)  # this fixture's own (setup) records
        yield {"rows": rows, "requests": list(site.requests), "port": port, "records": records}


def test_expanded_secrets_never_reach_a_table_a_log_a_page_or_robots(secret_run):
    cfg = settings.load()
    first, second = secret_run["rows"]
    assert first["status"] == second["status"] == "success"

    # The secret went on the feed's own request (and its redirect), never to robots.txt or a page.
    requests = secret_run["requests"]
    robots = [(path, auth) for path, auth in requests if path.startswith("/robots.txt")]
    assert robots and all(path == "/robots.txt" and not auth for path, auth in robots)
    pages = [(path, auth) for path, auth in requests if path.startswith("/articles/")]
    assert pages and all(not _leaks(path) and not auth for path, auth in pages)
    assert ("/private/feed.xml", f"Basic {TOKEN}") in requests
    assert f"/keyed/feed.xml?api_key={KEY}" in [path for path, _ in requests]
    assert all(not _leaks(path) or path.split("?")[0] in ("/keyed/feed.xml", "/missing.xml", "/moved.xml",
                                                          "/keyed/broken.xml") for path, _ in requests)

    # Nothing stored holds it: every table of the warehouse and the snapshot, every staged file.
    assert _table_leaks(cfg.duckdb_path) == {}
    assert _table_leaks(cfg.snapshot_path) == {}
    staged = list(cfg.staging_dir.rglob("*.parquet"))
    assert staged and [p for p in staged if _leaks(str(pq.read_table(p).to_pylist()))] == []
    assert [p for p in cfg.data_dir.rglob("*") if p.is_file() and p.suffix in (".json", ".txt", ".html")
            and _leaks(p.read_text(errors="replace"))] == []

    # No log record, the monitor page or the report.
    assert len(secret_run["records"]) > 20  # DEBUG and up, from every logger
    leaked = [r.getMessage() for r in secret_run["records"] if _leaks(r.getMessage() + (r.exc_text or ""))]
    assert leaked == []
    assert _leaks(monitor.render_html(monitor.read())) == []
    assert _leaks(report.write_report().read_text()) == []

    # The identity is the URL as written: stable across runs, the same for feeds without ${VAR}.
    with duckdb.connect(str(cfg.snapshot_path), read_only=True) as con:
        feed_urls = {name: url for name, url in con.execute("select name, feed_url from feeds").fetchall()}
        loaded = dict(con.execute("select feed_url, count(*) from articles group by 1").fetchall())
        errors = dict(con.execute("select feed_url, last_error_class from feeds").fetchall())
    port = secret_run["port"]
    assert feed_urls == {
        "Keyed": f"http://127.0.0.1:{port}/keyed/feed.xml?api_key=${{NEWS_TEST_KEY}}",
        "Private": f"http://{USER}:${{NEWS_TEST_PW}}@127.0.0.1:{port}/private/feed.xml",
        "Missing": f"http://127.0.0.1:{port}/missing.xml?api_key=${{NEWS_TEST_KEY}}",
        "Moved": f"http://127.0.0.1:{port}/moved.xml?api_key=${{NEWS_TEST_KEY}}",
        "Plain": f"http://127.0.0.1:{port}/articles/plain.xml",
    }
    assert loaded[feed_urls["Keyed"]] == 2 and loaded[feed_urls["Private"]] == 1  # the secrets worked
    assert errors[feed_urls["Missing"]] == "http_404" and errors[feed_urls["Moved"]] == "http_500"
    assert second["count_articles_new"] == 0


def test_a_literal_password_is_stored_as_stars_and_a_plain_url_unchanged(tmp_path, monkeypatch):
    feeds_file = tmp_path / "feeds.yaml"
    feeds_file.write_text("feeds:\n"
                          "  - {name: A, url: 'https://reader:hunter2@news.example/feed.xml'}\n"
                          "  - {name: B, url: 'https://news.example/rss?lang=en'}\n"
                          "  - {name: C, url: 'https://news.example/${NEWS_TEST_PATH}/rss'}\n")
    monkeypatch.setenv("NEWS_TEST_PATH", "tok-S3CRET")
    a, b, c = feeds.load_sources(feeds_file)
    assert (a.url, a.send_url, a.secrets) == ("https://reader:***@news.example/feed.xml",
                                              "https://reader:hunter2@news.example/feed.xml", ("hunter2",))
    assert (b.url, b.send_url, b.secrets) == ("https://news.example/rss?lang=en", None, ())
    assert (c.url, c.send_url, c.host) == ("https://news.example/${NEWS_TEST_PATH}/rss",
                                           "https://news.example/tok-S3CRET/rss", "news.example")
    assert "hunter2" not in repr(a) and "tok-S3CRET" not in repr(c)
