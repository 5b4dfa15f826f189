"""Hostile redirects and DNS rebinding against the polite client, over real loopback HTTP (issue 16, cases 2-3).

Each server here is a plain ``ThreadingHTTPServer`` on an ephemeral loopback port that records
the paths it was asked for. A hostile answer must end as one recorded ``FetchError`` (with an
``error_class`` in ``fetch_log``), never as a crash, and must never reach a server it should not.
"""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pipeline.errors import BlockedError, FetchError
from pipeline.ingest import http as http_module
from pipeline.ingest.http import ClientOptions, FetchLog, PoliteClient

PAGE = b"<!doctype html><html><body><p>internal reply</p></body></html>"


class _Server:
    def __init__(self, routes: dict[str, Callable[[BaseHTTPRequestHandler], None]]) -> None:
        self.paths: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                server.paths.append(self.path)
                route = routes.get(self.path)
                if route is None:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(PAGE)))
                    self.end_headers()
                    self.wfile.write(PAGE)
                else:
                    route(self)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)


@contextmanager
def serve(routes: dict[str, Callable[[BaseHTTPRequestHandler], None]] | None = None) -> Iterator[_Server]:
    server = _Server(routes or {})
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


def redirect_to(location: str) -> Callable[[BaseHTTPRequestHandler], None]:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        # Written raw, as a hostile server would: no quoting, no validation. http.server closes the connection
        # after each reply, so the reply says so; without it the client may reuse the dying keep-alive connection.
        handler.wfile.write(f"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n"
                            "Connection: close\r\n\r\n".encode("latin-1"))
    return answer


def robots(text: bytes) -> Callable[[BaseHTTPRequestHandler], None]:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain")
        handler.send_header("Content-Length", str(len(text)))
        handler.end_headers()
        handler.wfile.write(text)
    return answer


def client(allow_hosts: frozenset[str] = frozenset({"127.0.0.1"}), **options: object) -> PoliteClient:
    opts: dict[str, object] = {"user_agent": "newswatch-test", "allow_hosts": allow_hosts, "min_interval_s": 0.0,
                               "retries": 0, "connect_timeout_s": 1.0, "read_timeout_s": 2.0,
                               "total_timeout_s": 5.0, "obey_robots": False, **options}
    return PoliteClient(ClientOptions(**opts), FetchLog("run-hostile"))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "location",
    [
        pytest.param("http:\\\\127.0.0.1:9\\x", id="backslashes"),  # a browser reads it as http://127.0.0.1:9/x
        pytest.param("http://[::1", id="unclosed-ipv6-bracket"),
        pytest.param("http://exa\u00e9mple..com/", id="invalid-idna-host"),
        pytest.param("http://127.0.0.1:9x/", id="non-numeric-port"),
        pytest.param("http://127.0.0.1:99999/", id="port-out-of-range"),
    ],
)
def test_an_unparseable_redirect_is_a_recorded_failure(location: str) -> None:
    with serve({"/a": redirect_to(location)}) as site, client() as c:
        url = f"http://127.0.0.1:{site.port}/a"
        with pytest.raises(FetchError) as caught:
            c.get(url, kind="page")
    assert caught.value.error_class == "bad_redirect"
    assert not caught.value.retryable
    assert site.paths == ["/a"]  # nothing followed
    row = c.log.rows[-1]
    assert (row["url"], row["error_class"]) == (url, "bad_redirect")


def test_a_rebinding_name_cannot_reach_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """The name answers public first and loopback after; the client connects only to the vetted answer."""
    public_ip = "93.184.215.14"
    real_getaddrinfo = socket.getaddrinfo
    real_create_connection = socket.create_connection
    answers: list[str] = []
    connects: list[tuple[str, int]] = []

    def rebinding_getaddrinfo(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host != "rebind.test":
            return real_getaddrinfo(host, port, *args, **kwargs)
        ip = public_ip if not answers else "127.0.0.1"
        answers.append(ip)
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (ip, int(port)))]

    def create_connection(address, *args, **kwargs):  # type: ignore[no-untyped-def]
        connects.append(address)
        if address[0] == public_ip:  # the vetted address is unreachable from the test machine
            raise ConnectionRefusedError(111, "Connection refused")
        return real_create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    with serve() as internal, client(allow_hosts=frozenset()) as c:
        with pytest.raises(FetchError) as caught:
            c.get(f"http://rebind.test:{internal.port}/secret", kind="page")
    assert internal.paths == []
    assert caught.value.error_class == "network"
    assert answers == [public_ip]  # resolved once
    assert connects == [(public_ip, internal.port)]


def test_the_host_header_keeps_the_name_when_connecting_to_the_vetted_address(monkeypatch: pytest.MonkeyPatch) -> None:
    real_getaddrinfo = socket.getaddrinfo
    hosts: list[str] = []

    def fixed_getaddrinfo(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host == "named.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", int(port)))]
        return real_getaddrinfo(host, port, *args, **kwargs)

    def record_host(handler: BaseHTTPRequestHandler) -> None:
        hosts.append(handler.headers["Host"])
        robots(b"ok")(handler)

    monkeypatch.setattr(socket, "getaddrinfo", fixed_getaddrinfo)
    with serve({"/a": record_host}) as site, client(allow_hosts=frozenset({"named.test"})) as c:
        response = c.get(f"http://named.test:{site.port}/a", kind="page")
    assert response.body == b"ok"
    assert hosts == [f"named.test:{site.port}"]


def test_robots_txt_of_the_redirect_target_is_obeyed() -> None:
    with serve({"/robots.txt": robots(b"User-agent: *\nDisallow: /private/\n")}) as target:
        with serve({"/robots.txt": robots(b"User-agent: *\nAllow: /\n"),
                    "/a": redirect_to(f"http://127.0.0.1:{target.port}/private/x")}) as origin:
            with client(obey_robots=True) as c, pytest.raises(BlockedError) as caught:
                c.get(f"http://127.0.0.1:{origin.port}/a", kind="page")
    assert caught.value.error_class == "robots_disallowed"
    assert target.paths == ["/robots.txt"]  # asked for its rules, never for the disallowed page
    assert c.log.rows[-1]["error_class"] == "robots_disallowed"


def test_a_redirect_to_an_alias_of_an_allow_listed_address_is_blocked() -> None:
    """NEWS_ALLOW_HOSTS=127.0.0.1 opens 127.0.0.1 as written, not localhost or [::ffff:127.0.0.1]."""
    with serve() as internal:
        with serve({"/a": redirect_to(f"http://localhost:{internal.port}/secret")}) as site, client() as c:
            with pytest.raises(BlockedError) as caught:
                c.get(f"http://127.0.0.1:{site.port}/a", kind="page")
    assert caught.value.error_class == "blocked_address"
    assert internal.paths == []
    assert c.log.rows[-1]["error_class"] == "blocked_address"


def test_tls_to_the_vetted_address_keeps_the_name_for_sni_and_the_certificate(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The socket goes to the pinned IP; the TLS handshake still names (and verifies) the host."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=named.test",
                    "-addext", "subjectAltName=DNS:named.test", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    server_names: list[str | None] = []
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    server_ctx.sni_callback = lambda sock, name, ctx: server_names.append(name)  # type: ignore[assignment,misc]

    # named.test resolves to a public address; the test machine stands in for that address by
    # handing the socket to the loopback server when (and only when) exactly that IP is dialled.
    public_ip = "93.184.215.14"
    real_getaddrinfo = socket.getaddrinfo
    real_create_connection = socket.create_connection
    connects: list[tuple[str, int]] = []

    def named_getaddrinfo(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host == "named.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (public_ip, int(port)))]
        return real_getaddrinfo(host, port, *args, **kwargs)

    def create_connection(address, *args, **kwargs):  # type: ignore[no-untyped-def]
        connects.append(address)
        if address[0] == public_ip:
            return real_create_connection(("127.0.0.1", address[1]), *args, **kwargs)
        raise ConnectionRefusedError(111, f"the test only routes {public_ip}")

    monkeypatch.setattr(socket, "getaddrinfo", named_getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    with serve({"/a": robots(b"over tls")}) as site:
        site.httpd.socket = server_ctx.wrap_socket(site.httpd.socket, server_side=True)
        options = ClientOptions(user_agent="newswatch-test", allow_hosts=frozenset(),
                                min_interval_s=0.0, retries=0, obey_robots=False, total_timeout_s=5.0)
        transport = http_module._deadline_transport(verify=ssl.create_default_context(cafile=str(cert)))
        with PoliteClient(options, FetchLog("run-tls"), transport=transport) as c:
            response = c.get(f"https://named.test:{site.port}/a", kind="page")
    assert response.body == b"over tls"
    assert connects == [(public_ip, site.port)]
    assert server_names == ["named.test"]


def test_a_redirect_with_a_space_in_its_path_is_still_followed() -> None:
    with serve({"/a": redirect_to("/new page.html")}) as site, client() as c:
        response = c.get(f"http://127.0.0.1:{site.port}/a", kind="page")
    assert response.status == 200 and response.body == PAGE
    assert site.paths == ["/a", "/new%20page.html"]
