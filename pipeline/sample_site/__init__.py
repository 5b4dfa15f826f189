"""The bundled offline news site, served on loopback for the demo, the tests and the benchmark.

``site/`` holds real-shaped feeds and article pages (see ``site/README.md``). Besides the static
files, the server answers a few paths that misbehave the way real servers do:

- ``/feeds/down.xml``: HTTP 500 every time;
- ``/feeds/not-a-feed.xml``: an HTML page served as a feed;
- ``/articles/missing-*.html``: 404.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

logger = logging.getLogger(__name__)

SITE_DIR = Path(__file__).resolve().parent / "site"
FEEDS_FILE = Path(__file__).resolve().parent / "feeds.yaml"
BASE_URL_ENV = "NEWS_SAMPLE_SITE_URL"


class SiteHandler(SimpleHTTPRequestHandler):
    """Static files with conditional GET (Last-Modified), plus the fault paths above."""

    def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches on
        path = self.path.split("?", 1)[0]
        if path == "/feeds/down.xml":
            self.send_error(HTTPStatus.INTERNAL_SERVER_ERROR, "upstream feed generator crashed")
            return
        if path == "/feeds/not-a-feed.xml":
            body = b"<!doctype html><html><head><title>Feeds moved</title></head><body><p>Our feeds moved.</p></body></html>"
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        name = str(path)
        if name.endswith((".xml", ".rss")):
            return "application/rss+xml"
        if name.endswith(".atom"):
            return "application/atom+xml"
        if name.endswith(".html"):
            return "text/html; charset=utf-8"
        return super().guess_type(path)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - signature of the base class
        logger.debug("sample site: " + format, *args)


@contextmanager
def serve(host: str = "127.0.0.1", port: int = 0, site_dir: Path = SITE_DIR) -> Iterator[str]:
    """Serve the sample site in a background thread.

    Args:
        host: the address to bind; loopback by default.
        port: the port, 0 for any free one.
        site_dir: the folder to serve.

    Yields:
        The base URL, e.g. ``http://127.0.0.1:43117``.
    """
    handler = functools.partial(SiteHandler, directory=str(site_dir))
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="sample-site", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
