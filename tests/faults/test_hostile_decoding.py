"""Hostile content-codings and entity declarations in other encodings, served on loopback (issue 16, cases 4 and 6).

Case 4: a reply of about 12 kB with ``Content-Encoding: gzip, gzip`` holds 5 GiB of zeros. httpx decoded every
layer of a chunk before the size cap was checked, so the process grew by gigabytes; now each layer is decoded
within the cap (``pipeline/ingest/decoding.py``) and the reply is one recorded ``too_large`` failure. Single-layer
bombs stay refused, a third coding or an unknown one is refused, and honest gzip/deflate/br pages decode as before.

Case 6: the ``<!ENTITY`` check ran on the raw bytes, so a feed in UTF-16 (or UTF-32, or UTF-7 named by the HTTP
charset) declared entities unseen and feedparser expanded them. Now the body is read as text in every encoding
a parser might use first; such a feed is refused as ``xml_entities`` through the real fetch stage, nothing of it
is staged, and the good feeds of the run still are.

Memory is measured with tracemalloc: the decoded bytes are Python objects, so a layer that grew would show.
"""

from __future__ import annotations

import gzip
import threading
import tracemalloc
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import brotli
import pytest

from pipeline import settings, staging
from pipeline.errors import FetchError
from pipeline.ingest.decoding import ACCEPT_ENCODING
from pipeline.ingest.feeds import FeedSource
from pipeline.ingest.http import ClientOptions, FetchLog, PoliteClient
from pipeline.stages.feeds import fetch_feeds
from tests.faults.test_pipeline_faults import MAX_BYTES, faulty_env
from tests.fixtures import bombs
from tests.fixtures.faulty_site import ROBOTS, article_html, entity_bomb

BOMB_MIB = 5 * 1024          # what the double-gzip bomb decodes to: 5 GiB of zeros
SINGLE_BOMB_MIB = 500        # a single layer of 500 MiB travels as ~0.5 MB, under the 1 MB cap
MEMORY_LIMIT = 100_000_000   # peak Python memory a refused bomb may cost
PAGE = article_html("decoded")


def raw_deflate(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return c.compress(data) + c.flush()


def rss_text(items: str, encoding: str, doctype: str = "") -> str:
    return (f'<?xml version="1.0" encoding="{encoding}"?>\n{doctype}<rss version="2.0"><channel>'
            f"<title>Feed in {encoding}</title><link>/</link><description>Test feed</description>{items}"
            "</channel></rss>\n")


def laughs_text(encoding: str) -> str:
    """The billion-laughs feed of the faulty site, declaring ``encoding`` instead of UTF-8."""
    return entity_bomb().decode().replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding}"?>')


def utf7_laughs() -> bytes:
    # UTF-7 may spell any character in base64: "+ADwAIQ-" is "<!", so the raw bytes hold no "<!ENTITY".
    body = laughs_text("utf-7").encode("utf-7")
    return body.replace(b"<!ENTITY", b"+ADwAIQ-ENTITY").replace(b"<!DOCTYPE", b"+ADwAIQ-DOCTYPE")


def utf16_item(slug: str) -> str:
    return f"<item><title>Größe und Maß: ein Beitrag in UTF-16</title><link>/articles/{slug}.html</link></item>"
RSS = "application/rss+xml"
# path -> (extra headers, body, content type); built once, before any memory is measured.
ROUTES: dict[str, tuple[dict[str, str], bytes, str]] = {}


def build_routes() -> None:
    if ROUTES:
        return
    pages = {
        "double-gzip-bomb": ("gzip, gzip", bombs.double_gzip(BOMB_MIB)),
        "gzip-bomb": ("gzip", bombs.zeros(SINGLE_BOMB_MIB, "gzip")),
        "deflate-bomb": ("deflate", bombs.zeros(SINGLE_BOMB_MIB, "deflate")),
        "raw-deflate-bomb": ("deflate", bombs.zeros(SINGLE_BOMB_MIB, "raw-deflate")),
        "br-bomb": ("br", brotli.compress(b"\0" * 200_000_000, quality=1)),
        "triple-gzip": ("gzip, gzip, gzip", gzip.compress(gzip.compress(gzip.compress(PAGE)))),
        "unknown-coding": ("compress", PAGE),
        "gzip": ("gzip", gzip.compress(PAGE)),
        "x-gzip": ("x-gzip", gzip.compress(PAGE)),
        "deflate": ("deflate", zlib.compress(PAGE)),
        "raw-deflate": ("deflate", raw_deflate(PAGE)),
        "br": ("br", brotli.compress(PAGE)),
        "gzip-then-br": ("gzip, br", brotli.compress(gzip.compress(PAGE))),
        "identity": ("identity", PAGE),
    }
    for name, (coding, body) in pages.items():
        ROUTES[f"/pages/{name}.html"] = ({"Content-Encoding": coding}, body, "text/html; charset=utf-8")
    feeds = {
        "good": ({}, rss_text("<item><title>Good</title><link>/articles/good.html</link></item>", "utf-8").encode(), RSS),
        "utf16": ({}, rss_text(utf16_item("utf16"), "utf-16").encode("utf-16"), RSS),
        "utf16be-no-bom": ({}, rss_text(utf16_item("utf16be"), "utf-16be").encode("utf-16-be"), RSS),
        "laughs-utf16": ({}, laughs_text("utf-16").encode("utf-16"), RSS),
        "laughs-utf16be": ({}, laughs_text("utf-16be").encode("utf-16-be"), RSS),
        "laughs-utf32": ({}, laughs_text("utf-32").encode("utf-32"), RSS),
        "laughs-utf8-bom": ({}, laughs_text("utf-8").encode("utf-8-sig"), RSS),
        "laughs-utf7-http-charset": ({}, utf7_laughs(), f"{RSS}; charset=utf-7"),
        "double-gzip-bomb": ({"Content-Encoding": "gzip, gzip"}, bombs.double_gzip(BOMB_MIB), RSS),
        "triple-gzip": ({"Content-Encoding": "gzip, gzip, gzip"},
                        gzip.compress(gzip.compress(gzip.compress(entity_bomb()))), RSS),
    }
    for name, (headers, body, ctype) in feeds.items():
        ROUTES[f"/feeds/{name}.xml"] = (headers, body, ctype)


class Handler(BaseHTTPRequestHandler):
    server: Site

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - signature of the base class
        pass

    def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches on
        path = self.path.split("?", 1)[0]
        self.server.accept_encodings.append(self.headers.get("Accept-Encoding", ""))
        if path == "/robots.txt":
            headers, body, ctype = {}, ROBOTS, "text/plain"
        elif path in ROUTES:
            headers, body, ctype = ROUTES[path]
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass  # the client stopped reading a bomb, as it should


class Site(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.accept_encodings: list[str] = []  # the Accept-Encoding of every request, in order

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"


@contextmanager
def serve() -> Iterator[Site]:
    build_routes()
    server = Site()
    thread = threading.Thread(target=server.serve_forever, name="hostile-decoding-site", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with serve() as server:
        yield server


@contextmanager
def peak_memory() -> Iterator[list[int]]:
    """The peak of traced Python memory inside the block, in bytes (``result[0]`` once it ends)."""
    result: list[int] = []
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        yield result
    finally:
        result.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()


def client() -> PoliteClient:
    options = ClientOptions(user_agent="newswatch-test", allow_hosts=frozenset({"127.0.0.1"}), min_interval_s=0.0,
                            max_bytes=MAX_BYTES, retries=0, read_timeout_s=5.0, total_timeout_s=20.0)
    return PoliteClient(options, FetchLog("hostile-decoding"))


def test_a_double_gzip_bomb_is_one_recorded_failure_in_bounded_memory(site):
    url = f"{site.url}/pages/double-gzip-bomb.html"
    assert len(ROUTES["/pages/double-gzip-bomb.html"][1]) < 20_000  # ~12 kB on the wire, 5 GiB decoded
    with client() as c, peak_memory() as peak, pytest.raises(FetchError) as caught:
        c.get(url, kind="page")
    assert caught.value.error_class == "too_large"
    assert "gzip layer" in str(caught.value)
    (row,) = [r for r in c.log.rows if r["url"] == url]
    assert row["error_class"] == "too_large" and row["status"] == 200
    assert peak[0] < MEMORY_LIMIT, f"peak {peak[0] / 1e6:.0f} MB"


@pytest.mark.parametrize(("name", "error_class"), [
    ("gzip-bomb", "too_large"),
    ("deflate-bomb", "too_large"),
    ("raw-deflate-bomb", "too_large"),
    ("br-bomb", "too_large"),
    ("triple-gzip", "decoding"),
    ("unknown-coding", "decoding"),
])
def test_bombs_and_codings_we_do_not_decode_are_refused(site, name, error_class):
    url = f"{site.url}/pages/{name}.html"
    assert len(ROUTES[f"/pages/{name}.html"][1]) < MAX_BYTES  # so the declared length does not refuse it first
    with client() as c, peak_memory() as peak, pytest.raises(FetchError) as caught:
        c.get(url, kind="page")
    assert caught.value.error_class == error_class
    assert [r["error_class"] for r in c.log.rows if r["url"] == url] == [error_class]
    assert peak[0] < MEMORY_LIMIT, f"peak {peak[0] / 1e6:.0f} MB"


def test_the_reason_for_stacked_codings_is_clear(site):
    with client() as c, pytest.raises(FetchError) as caught:
        c.get(f"{site.url}/pages/triple-gzip.html", kind="page")
    assert "3 content-codings (gzip, gzip, gzip); at most 2" in str(caught.value)


@pytest.mark.parametrize("name", ["gzip", "x-gzip", "deflate", "raw-deflate", "br", "gzip-then-br", "identity"])
def test_honest_codings_still_decode_byte_identically(site, name):
    with client() as c:
        response = c.get(f"{site.url}/pages/{name}.html", kind="page")
    assert response.body == PAGE


def test_the_client_asks_only_for_the_codings_it_decodes():
    with serve() as own, client() as c:  # a server of its own: its log holds only these requests
        c.get(f"{own.url}/pages/gzip.html", kind="page")
    assert own.accept_encodings == [ACCEPT_ENCODING, ACCEPT_ENCODING]  # robots.txt, then the page
    assert {coding.strip() for coding in ACCEPT_ENCODING.split(",")} == {"gzip", "deflate", "br"}


HOSTILE_FEEDS = {
    "laughs-utf16": "xml_entities",
    "laughs-utf16be": "xml_entities",
    "laughs-utf32": "xml_entities",
    "laughs-utf8-bom": "xml_entities",
    "laughs-utf7-http-charset": "xml_entities",
    "double-gzip-bomb": "too_large",
    "triple-gzip": "decoding",
}
GOOD_FEEDS = ("good", "utf16", "utf16be-no-bom")


@pytest.fixture(scope="module")
def feed_run(site, tmp_path_factory) -> dict:
    data = tmp_path_factory.mktemp("decoding") / "data"
    sources = [FeedSource(name, f"{site.url}/feeds/{name}.xml") for name in (*HOSTILE_FEEDS, *GOOD_FEEDS)]
    with faulty_env(data), peak_memory() as peak:
        run = staging.run_dir("hostile-decoding")
        items_path = fetch_feeds(run, snapshot=settings.load().snapshot_path, run_id="hostile-decoding",
                                 sources=sources, force=True)
    return {
        "items": staging.read_rows(items_path),
        "states": {s["feed_url"].rsplit("/", 1)[-1].removesuffix(".xml"): s
                   for s in staging.read_rows(run / "feed_state" / "000.parquet")},
        "log": staging.read_rows(run / "fetch_log" / "feeds-000.parquet"),
        "peak": peak[0],
    }


@pytest.mark.parametrize(("feed", "error_class"), HOSTILE_FEEDS.items())
def test_a_hostile_feed_is_recorded_through_the_fetch_stage(feed_run, feed, error_class):
    state = feed_run["states"][feed]
    assert (state["status"], state["error_class"]) == ("error", error_class)
    assert state["consecutive_failures"] == 1
    (row,) = [r for r in feed_run["log"] if r["url"].endswith(f"/feeds/{feed}.xml")]
    assert row["error_class"] == error_class
    assert not [i for i in feed_run["items"] if i["feed_url"].endswith(f"/feeds/{feed}.xml")]


def test_entity_declarations_in_any_encoding_are_refused_before_parsing(feed_run):
    for feed in (f for f, c in HOSTILE_FEEDS.items() if c == "xml_entities"):
        assert "entities" in feed_run["states"][feed]["error"]
    # Nothing was expanded: no staged text holds a laugh.
    assert not [i for i in feed_run["items"] if "lol" in f"{i['title']} {i['summary']}"]


def test_the_good_feeds_of_the_run_still_load_utf16_included(feed_run):
    for feed in GOOD_FEEDS:
        assert feed_run["states"][feed]["status"] == "ok", feed_run["states"][feed]
    titles = {i["feed_url"].rsplit("/", 1)[-1]: i["title"] for i in feed_run["items"]}
    assert titles == {"good.xml": "Good", "utf16.xml": "Größe und Maß: ein Beitrag in UTF-16",
                      "utf16be-no-bom.xml": "Größe und Maß: ein Beitrag in UTF-16"}


def test_the_whole_hostile_run_stays_in_bounded_memory(feed_run):
    assert feed_run["peak"] < MEMORY_LIMIT, f"peak {feed_run['peak'] / 1e6:.0f} MB"
