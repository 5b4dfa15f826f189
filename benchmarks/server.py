"""Serve a generated site (``benchmarks.generator``): one loopback address per host.

Host ``i`` listens on ``127.0.0.<i + 2>``, so every host is a distinct host name to the pipeline:
it lands in its own feed shard and gets its own per-host politeness spacing, as real publishers
do. Every answer can wait a fixed ``latency_s`` first (a far-away server). Static files come with
Last-Modified and answer If-Modified-Since with 304, so a second run over unchanged feeds is cheap.

Failing feeds live under ``/fault/<kind>/<name>.xml`` and misbehave the way
``tests/fixtures/faulty_site.py`` describes (bounded: the slow answer waits ``SLOW_S``, the huge
body stops after ``HUGE_BYTES``).
"""

from __future__ import annotations

import functools
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SLOW_S = 3.0
HUGE_BYTES = 3_000_000
RETRY_LATER_S = 7200


def host_address(host: int) -> str:
    return f"127.0.0.{host + 2}"


class GeneratedSiteHandler(SimpleHTTPRequestHandler):
    server: HostServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - signature of the base class
        pass

    def guess_type(self, path: str | Path) -> str:
        name = str(path)
        if name.endswith(".xml"):
            return "application/rss+xml"
        if name.endswith(".html"):
            return "text/html; charset=utf-8"
        return super().guess_type(path)

    def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches on
        path = self.path.split("?", 1)[0]
        with self.server.lock:
            self.server.hits[path] += 1
        if self.server.latency_s:
            time.sleep(self.server.latency_s)
        if path.startswith("/fault/"):
            self.fault(path.split("/")[2], path)
            return
        super().do_GET()

    def send(self, status: int, body: bytes = b"", content_type: str = "text/html; charset=utf-8",
             headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def fault(self, kind: str, path: str) -> None:
        if kind.startswith(("gone-", "error-")):
            self.send(int(kind.rsplit("-", 1)[1]), b"<h1>no</h1>")
        elif kind == "retry-later":
            self.send(429, b"slow down", headers={"Retry-After": str(RETRY_LATER_S)})
        elif kind == "slow":
            time.sleep(SLOW_S)
            self.send(200, b"<rss version='2.0'><channel><title>late</title></channel></rss>", "application/rss+xml")
        elif kind == "reset":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(b"<?xml version='1.0'?><rss version='2.0'><channel>")
            self.wfile.flush()
            # SO_LINGER with a zero timeout turns close() into a TCP RST.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
        elif kind == "not-a-feed":
            self.send(200, b"<!doctype html><html><head><title>Moved</title></head><body><p>Our feeds moved."
                           b"</p></body></html>")
        elif kind == "loop":
            self.send(302, headers={"Location": path})
        elif kind == "huge":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            chunk = b"<!-- " + b"filler " * 1000 + b"-->\n"
            try:
                for _ in range(HUGE_BYTES // len(chunk) + 1):
                    self.wfile.write(chunk)
            except OSError:
                pass
            self.close_connection = True
        else:
            self.send(404)


class HostServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: str, directory: Path, latency_s: float) -> None:
        super().__init__((address, 0), functools.partial(GeneratedSiteHandler, directory=str(directory)))
        self.latency_s = latency_s
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # resets and dropped clients are the point of some faults


@dataclass
class Served:
    servers: list[HostServer] = field(default_factory=list)

    def base(self, host: int) -> str:
        server = self.servers[host]
        return f"http://{server.server_address[0]}:{server.server_port}"

    @property
    def addresses(self) -> list[str]:
        return [str(s.server_address[0]) for s in self.servers]

    def requests(self) -> int:
        return sum(sum(s.hits.values()) for s in self.servers)

    def set_latency(self, latency_s: float) -> None:
        for server in self.servers:
            server.latency_s = latency_s


@contextmanager
def serve(root: Path, hosts: int, latency_s: float = 0.0) -> Iterator[Served]:
    """Serve ``<root>/host<i>`` on ``127.0.0.<i + 2>`` for every host, in background threads."""
    served = Served()
    with ExitStack() as stack:
        for host in range(hosts):
            server = HostServer(host_address(host), root / f"host{host}", latency_s)
            threading.Thread(target=server.serve_forever, name=f"bench-host-{host}", daemon=True).start()
            stack.callback(server.server_close)
            stack.callback(server.shutdown)
            served.servers.append(server)
        yield served
