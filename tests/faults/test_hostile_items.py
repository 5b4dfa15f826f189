"""Hostile feed entries beside good ones, served on loopback: ``newswatch run`` exits 0, the good items load,
and each bad one is recorded with its class and reason (issue 16, case 1).

The entries: character references to no character (``&#xD800;``, a lone surrogate, made feedparser raise
UnicodeEncodeError; ``&#x110000;``, past Unicode, ValueError), an IPv6 literal link (made ``canonical_url``
raise) and a port above 65535. Before the containment boundary any one of them made the run exit 1 with
nothing loaded.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from pipeline import settings
from pipeline.cli.app import app
from tests.faults.test_pipeline_faults import faulty_env
from tests.fixtures.faulty_site import ROBOTS, article_html, item, rss

GOOD = ("good-1", "good-2", "good-3")
# Pages whose redirect the client could not follow: httpx raised InvalidURL on the first, and the address
# guard ValueError on the second (issue 16 case 2); the scrape boundary keeps either inside its page.
REDIRECTS = {"redirect-garbage": "http:\\\\127.0.0.1:9\\x", "redirect-port": "http://127.0.0.1:99999/articles/x.html"}


def hostile_feed() -> bytes:
    return rss([
        item("/articles/good-1.html", "A good item"),
        item("/articles/surrogate.html", "A lone surrogate &#xD800; in the title"),
        item("/articles/beyond.html", "Past Unicode &#x110000; in the title"),
        item("http://[2001:db8::1]/ipv6.html", "An IPv6 literal"),
        item("http://127.0.0.1:99999/articles/port.html", "A port above 65535"),
        item("/articles/good-2.html", "Another good item"),
        *(item(f"/articles/{slug}.html", f"A page that redirects to {location}") for slug, location in REDIRECTS.items()),
    ], title="Hostile")


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - signature of the base class
        pass

    def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches on
        path = self.path.split("?", 1)[0]
        if path == "/robots.txt":
            body, ctype = ROBOTS, "text/plain"
        elif path == "/feeds/hostile.xml":
            body, ctype = hostile_feed(), "application/rss+xml"
        elif path == "/feeds/good.xml":
            body, ctype = rss([item("/articles/good-3.html", "A good item of a good feed")]), "application/rss+xml"
        elif path.removeprefix("/articles/").removesuffix(".html") in REDIRECTS:
            self.send_response(302)
            self.send_header("Location", REDIRECTS[path.removeprefix("/articles/").removesuffix(".html")])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        elif path.startswith("/articles/") and path.endswith(".html"):
            body, ctype = article_html(path.removeprefix("/articles/").removesuffix(".html")), "text/html"
        else:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serve() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="hostile-site", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_hostile_entries_are_recorded_and_the_good_ones_load(tmp_path: Path, isolated_settings: Path) -> None:
    feeds_file = tmp_path / "feeds.yaml"
    feeds_file.write_text("base_url: ${HOSTILE_SITE_URL}\nfeeds:\n"
                          "  - {name: Hostile, url: /feeds/hostile.xml}\n  - {name: Good, url: /feeds/good.xml}\n")
    with serve() as url, faulty_env(isolated_settings, HOSTILE_SITE_URL=url, NEWS_FEEDS_FILE=str(feeds_file)):
        result = CliRunner().invoke(app, ["run", "--force"])
        assert result.exit_code == 0, result.output
        snapshot = settings.load().snapshot_path

    with duckdb.connect(str(snapshot), read_only=True) as con:
        articles = {slug: (status, title) for slug, status, title in con.execute(
            "select regexp_extract(canonical_url, '/([^/]+)\\.html$', 1), page_status, title from articles").fetchall()}
        page_errors = dict(con.execute("select regexp_extract(canonical_url, '/([^/]+)\\.html$', 1), error_class "
                                       "from articles").fetchall())
        feeds = dict(con.execute("select regexp_extract(feed_url, '[^/]+$'), coalesce(last_error_class, 'ok') "
                                 "from feeds").fetchall())
        items = {u.rsplit("/", 1)[-1]: (c, e) for u, c, e in con.execute(
            "select url, error_class, error from fetch_log where kind = 'item'").fetchall()}
        (feeds_ok, feeds_failed) = con.execute("select count_feeds_ok, count_feeds_failed from runs").fetchone()

    # Both feeds are healthy: a bad entry fails only itself.
    assert feeds == {"hostile.xml": "ok", "good.xml": "ok"}
    assert (feeds_ok, feeds_failed) == (2, 0)
    for slug in GOOD:
        assert articles[slug][0] == "ok", articles
    # Text that cannot be encoded is stored with the bad characters replaced, and flagged.
    assert articles["surrogate"] == ("ok", "A lone surrogate \ufffd in the title")
    assert articles["beyond"] == ("ok", "Past Unicode \ufffd in the title")
    assert items["surrogate.html"][0] == items["beyond.html"][0] == "text_replaced"
    # The IPv6 literal is a well-formed link: staged under its bracketed URL, its page refused by the address guard.
    assert articles["ipv6"][0] != "ok"
    # The port above 65535 names no page: recorded with its class and reason, never staged.
    assert "port" not in articles
    error_class, reason = items["port.html"]
    assert error_class == "ValueError" and "port outside 1-65535" in reason
    # A redirect the client cannot follow fails its page only: recorded with its class, retried on a later run.
    for slug in REDIRECTS:
        assert articles[slug][0] in ("failed", "gave_up", "blocked"), articles
        assert page_errors[slug], page_errors
