"""The one polite HTTP client every stage fetches through.

It is built on httpx and adds what a crawler owes the sites it reads and itself:

- robots.txt, read with protego and cached per host, obeyed on every redirect hop;
- a minimum interval between two requests to the same host;
- a guard against non-global addresses (SSRF, also IPv4 inside IPv6), with an allow-list of host names.
  Each hop's name is resolved once, and the socket connects to exactly the address that was checked
  (so a DNS-rebinding name cannot reach loopback); the Host header and TLS SNI keep the name;
- a redirect cap, our own parsing of ``Location`` (a hostile one is a ``bad_redirect`` failure),
  a body-size cap enforced while streaming, on the raw bytes and on every content-coding layer as
  it is decoded (``decoding.py``: at most two codings, gzip/deflate/br), and a content-type check;
- retries with exponential backoff and jitter on transient failures, honouring Retry-After;
- conditional GET (ETag / Last-Modified);
- secrets kept to their own request: a URL given with ``send_as``/``secrets`` (a feed URL whose
  ``${VAR}`` was expanded) is sent as is, but only its shown form reaches ``fetch_log``, the log
  and error messages; robots.txt is fetched from the origin alone, without userinfo;
- budgets: a wall-clock budget per host (``host_budget_s``, the time spent on that host's requests,
  not the politeness waits) and an optional deadline for the whole client (``stop_at``). Once a budget is
  spent, requests are not sent and raise ``DeferredError``; a request that runs into it is cut short
  there, so a dripping host costs at most its budget;
- a host that is down is skipped: after ``host_down_after`` failures in a row that say the host itself
  cannot be reached (DNS, connection refused or reset, timeouts), this client sends it nothing more
  and its requests raise ``DeferredError`` (``deferred_host_down``). With ``host_state_dir``, the host
  is also skipped by the next runs, for ``host_backoff_s`` doubled on each run it was found down
  (at most ``MAX_HOST_BACKOFF_S``), until a request reaches it again.

Every request, successful or not, becomes one ``fetch_log`` row.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import ipaddress
import json
import logging
import random
import re
import socket
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus, urljoin, urlsplit

import httpcore
import httpx
from protego import Protego

from pipeline.errors import BlockedError, DeferredError, FetchError
from pipeline.ingest.decoding import ACCEPT_ENCODING, BudgetedDecoder, codings

logger = logging.getLogger(__name__)
# httpcore's DEBUG trace prints every response header verbatim, and a Location (or Set-Cookie) may
# echo a feed's API key back: it stays at INFO unless the operator gave it a level of its own.
if logging.getLogger("httpcore").level == logging.NOTSET:
    logging.getLogger("httpcore").setLevel(logging.INFO)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER_S = 120.0
# A timeout that ends this close to the end of a budget-shortened attempt was the budget's doing.
CUT_SLACK_S = 0.01
ROBOTS_TTL_S = 24 * 3600  # RFC 9309 §2.4: a cached robots.txt should not be used for more than 24 hours
# Failures that say the host itself cannot be reached, not that one page is wrong.
HOST_DOWN_CLASSES = frozenset({"dns", "network", "timeout"})
MAX_HOST_BACKOFF_S = 24 * 3600.0
FEED_TYPES = ("xml", "rss", "atom", "rdf", "text/plain", "text/html", "octet-stream")
PAGE_TYPES = ("html", "xhtml", "text/plain", "octet-stream")


_request_deadline = threading.local()
# The one address the guard vetted for the request this thread is sending: (host, port, ip).
_pinned = threading.local()


def _within_deadline(timeout: float | None) -> float | None:
    """The socket timeout for one read, write or connect: never past the request's total deadline.

    httpx's timeouts are per operation, so a server that drips its *headers* one byte at a time
    would otherwise hold a request for as long as it likes.
    """
    deadline: float | None = getattr(_request_deadline, "value", None)
    if deadline is None:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise httpcore.ReadTimeout("the request's total deadline passed")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _within_deadline(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _within_deadline(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, _within_deadline(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's socket backend, with every socket operation bounded by the request deadline."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        # Connect to exactly the address check_address vetted, never to a second answer for the
        # name (DNS rebinding). httpcore still sends the name in the Host header and as TLS SNI.
        pin: tuple[str, int, str] | None = getattr(_pinned, "value", None)
        if pin is None or pin[0] != _bare_host(host) or pin[1] != port:
            raise httpcore.ConnectError(f"refusing to connect to {host}:{port}: not the address the guard vetted")
        return _DeadlineStream(self._inner.connect_tcp(pin[2], port, _within_deadline(timeout), local_address,
                                                       socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("refusing a unix socket: only vetted TCP addresses are connected to")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _deadline_transport(verify: ssl.SSLContext | bool = True) -> httpx.HTTPTransport:
    """httpx's transport on the pinning, deadline-bound backend (``verify``: a test's own CA)."""
    transport = httpx.HTTPTransport(verify=verify)
    # httpx builds its httpcore pool without a backend argument; the pool keeps it here.
    transport._pool._network_backend = _DeadlineBackend()
    return transport


@dataclass(frozen=True)
class ClientOptions:
    user_agent: str
    allow_hosts: frozenset[str] = frozenset()
    min_interval_s: float = 1.0
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 15.0
    total_timeout_s: float = 45.0
    max_redirects: int = 5
    max_bytes: int = 5_000_000
    retries: int = 2
    backoff_s: float = 0.5
    obey_robots: bool = True
    # Where robots.txt files are kept between runs (None: only for the client's lifetime).
    robots_dir: Path | None = None
    # Seconds of requests one host may cost this client (one shard of one stage of a run); None: no budget.
    host_budget_s: float | None = None
    # Failures in a row (DNS, refused, timeout: HOST_DOWN_CLASSES) after which a host is skipped for the
    # rest of this client's life; 0: never.
    host_down_after: int = 0
    # Where a host found down is remembered between runs (None: this client only), and the first
    # run's wait before it is tried again (doubled for each run in a row that finds it down).
    host_state_dir: Path | None = None
    host_backoff_s: float = 1800.0


@dataclass
class Response:
    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass
class FetchLog:
    """Collects one row per HTTP request for ``fetch_log``."""

    run_id: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, *, kind: str, url: str, status: int | None, n_bytes: int, started: float,
            error_class: str | None = None, error: str | None = None, attempt: int = 1,
            feed_url: str | None = None) -> None:
        row = {
            "request_id": uuid.uuid4().hex,
            "run_id": self.run_id,
            "kind": kind,
            "url": url,
            "host": urlsplit(url).hostname or "",
            "feed_url": feed_url,
            "status": status,
            "count_bytes": n_bytes,
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
            "error_class": error_class,
            "error": (error or "")[:500] or None,
            "attempt": attempt,
            "fetched_at": datetime.now(UTC),
        }
        with self._lock:
            self.rows.append(row)

    def summary(self, top: int = 3) -> str:
        """One line for the task log: requests sent, the slowest hosts (time spent on them) and failures by class."""
        with self._lock:
            rows = [r for r in self.rows if not (r["error_class"] or "").startswith("deferred")]
            deferred = len(self.rows) - len(rows)
        spent: dict[str, list[float]] = {}
        failures: dict[str, int] = {}
        for row in rows:
            spent.setdefault(row["host"], []).append(row["duration_ms"] / 1000)
            if row["error_class"]:
                failures[row["error_class"]] = failures.get(row["error_class"], 0) + 1
        slowest = sorted(spent.items(), key=lambda kv: -sum(kv[1]))[:top]
        hosts = ", ".join(f"{host} {sum(times):.1f}s/{len(times)} requests" for host, times in slowest) or "none"
        failed = ", ".join(f"{k}={v}" for k, v in sorted(failures.items(), key=lambda kv: (-kv[1], kv[0]))) or "none"
        return f"{len(rows)} requests, {deferred} deferred; slowest hosts: {hosts}; failures by class: {failed}"

    def mark(self, url: str, error_class: str, error: str) -> None:
        """Attach a problem found after the response (e.g. unparseable XML) to its request row."""
        with self._lock:
            for row in reversed(self.rows):
                if row["url"] == url:
                    row.update(error_class=error_class, error=error[:500])
                    return


_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _embedded_v4(addr: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries: IPv4-mapped, IPv4-compatible, NAT64 or 6to4."""
    if addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    if addr.sixtofour is not None:
        return addr.sixtofour
    if addr in _NAT64 or addr in _IPV4_COMPATIBLE:
        return ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    return None


def _is_public(ip: str) -> bool:
    """Whether an address is one a crawler may reach: global, and so is any IPv4 address inside it."""
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if not addr.is_global or addr.is_multicast:
        return False
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.is_site_local:  # fec0::/10, deprecated but still routed inside some networks
            return False
        inner = _embedded_v4(addr)
        if inner is not None:
            return _is_public(str(inner))
    return True


def _host_key(url: str) -> str:
    """``host[:port]`` of a URL, lower-cased and without userinfo: what budgets, locks and logs name."""
    return urlsplit(url).netloc.rpartition("@")[2].lower()


def _bare_host(host: str) -> str:
    return host.strip("[]").lower()


def _resolve(host: str, port: int) -> list[str]:
    """The addresses a name resolves to (the one resolver the guard uses; tests replace it)."""
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]) for info in infos]


def check_address(url: str, allow_hosts: Iterable[str]) -> str:
    """Resolve a URL's host once, refuse it unless every address is public, and return the one to connect to.

    The allow-list names hosts as they are written in URLs (``127.0.0.1``, ``news.test``), never the
    addresses they resolve to: allowing ``127.0.0.1`` does not open ``localhost`` or ``127.1``.

    Returns:
        The vetted IP address; the client connects to it and to nothing else. An allow-listed host
        is returned as written, unresolved.

    Raises:
        BlockedError: the scheme is not http(s), or the host resolves to a loopback, private,
            link-local, reserved or metadata address (also inside an IPv6 address) and is not allow-listed.
        FetchError: the URL cannot be parsed (``bad_url``) or the host does not resolve (``dns``).
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:  # a port above 65535, an unclosed IPv6 bracket
        raise FetchError(f"cannot parse {url!r}: {exc}", error_class="bad_url") from exc
    if parts.scheme not in ("http", "https"):
        raise BlockedError(f"refusing scheme {parts.scheme!r}: {url}", error_class="blocked_scheme")
    host = _bare_host(parts.hostname or "")
    if not host:
        raise BlockedError(f"no host in {url}", error_class="bad_url")
    if port is None:
        port = 443 if parts.scheme == "https" else 80
    if host in {_bare_host(h) for h in allow_hosts}:
        return host  # trusted as written: the connection resolves the name itself
    try:
        addresses = _resolve(host, port)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve {host}: {exc}", error_class="dns", retryable=True) from exc
    if not addresses:
        raise FetchError(f"{host} resolves to no address", error_class="dns", retryable=True)
    for ip in addresses:
        if not _is_public(ip):
            raise BlockedError(
                f"{host} resolves to non-public address {ip}; add the host to NEWS_ALLOW_HOSTS to allow it",
                error_class="blocked_address",
            )
    return addresses[0].split("%", 1)[0]


def _pin_for(url: str, ip: str) -> tuple[str, int, str]:
    """(host, port, ip) as httpcore will name the connection it opens for ``url`` (IDNA-encoded host)."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise FetchError(f"cannot request {url!r}: {exc}", error_class="bad_url") from exc
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return _bare_host(parsed.raw_host.decode("ascii")), port, ip


def _redirect_target(current: str, location: str) -> str:
    """The absolute URL a ``Location`` header points to, or a ``bad_redirect`` FetchError.

    Refuses what parsers disagree on (a backslash, which browsers read as a slash; control
    characters) and what httpx cannot parse, so a hostile redirect is one recorded failure. A space,
    which sloppy servers do send in paths, is left to httpx to percent-encode.
    """
    if any(ch == "\\" or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in location):
        raise FetchError(f"refusing redirect from {current} to unparseable Location {location[:200]!r}",
                         error_class="bad_redirect")
    try:
        target = urljoin(current, location)
        urlsplit(target).port  # noqa: B018 - raises on a port out of range
        httpx.URL(target)
    except (ValueError, httpx.InvalidURL) as exc:
        raise FetchError(f"refusing redirect from {current} to {location[:200]!r}: {exc}",
                         error_class="bad_redirect") from exc
    return target


def _raw_chunks(response: httpx.Response) -> Iterator[bytes]:
    """The response body as it came off the wire, still content-coded."""
    if response.is_stream_consumed:
        # A response a test's handler built from bytes: httpx has read it already, and its stream
        # replays the raw bytes.
        yield from response.stream  # type: ignore[misc]
        return
    yield from response.iter_raw()


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


Shown = Callable[[str], str]
_PLACEHOLDER = re.compile(r"\$\{[A-Z0-9_]+\}")


def _unchanged(text: str) -> str:
    return text


def redact_userinfo(url: str) -> str:
    """``url`` with a literal password in its userinfo replaced by ``***`` (a ``${VAR}`` placeholder stays)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, sep, password = userinfo.partition(":")
    if not sep or not password or _PLACEHOLDER.fullmatch(password):
        return url
    start = url.index(parts.netloc)
    return f"{url[:start]}{user}:***@{hostport}{url[start + len(parts.netloc):]}"


def shown_as(shown: str, sent: str, secrets: Sequence[str] = ()) -> Shown:
    """What turns text about the request sent to ``sent`` into text that may be logged and stored.

    ``sent`` itself becomes ``shown``; elsewhere (a redirect target, an error message) every value
    of ``secrets`` and the password of ``sent``'s userinfo, raw or percent-encoded, becomes ``***``.
    """
    try:
        password = urlsplit(sent).password
    except ValueError:
        password = None
    values = {v for secret in (*secrets, password) if secret
              for v in (secret, quote(secret, safe=""), quote(secret), quote_plus(secret))}
    ordered = sorted(values, key=len, reverse=True)

    def show(text: str) -> str:
        if text == sent:
            return shown
        text = text.replace(sent, shown)
        for value in ordered:
            text = text.replace(value, "***")
        return text
    return show


class PoliteClient:
    """A shared httpx client with per-host spacing, robots.txt and retries.

    Use as a context manager; one instance serves one shard of one run.
    """

    def __init__(self, options: ClientOptions, log: FetchLog,
                 transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.options = options
        self.log = log
        self._sleep = sleep
        # The monotonic time after which no request is sent (the shard's own budget); None: none.
        self.stop_at: float | None = None
        # What a DeferredError raised at ``stop_at`` says: the class and the setting that set it.
        self.stop_reason: tuple[str, str] = ("deferred_scrape_budget", "the client's deadline")
        self._spent: dict[str, float] = {}
        self._robots: dict[str, Protego | None] = {}
        self._last_request: dict[str, float] = {}
        self._host_locks: dict[str, threading.Lock] = {}
        # Hosts found down (host -> why, for fetch_log), and each host's failures in a row.
        self._down: dict[str, str] = {}
        self._streak: dict[str, int] = {}
        self._state_read: set[str] = set()
        self._guard = threading.Lock()
        self._transport = transport if transport is not None else _deadline_transport()
        self._client = httpx.Client(
            # What decoding.py decodes within the budget, and nothing else.
            headers={"User-Agent": options.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            timeout=httpx.Timeout(options.read_timeout_s, connect=options.connect_timeout_s),
            follow_redirects=False,
            # No proxies from the environment: a proxy would connect on our behalf, past the pinned address.
            trust_env=False,
            transport=self._transport,
        )

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    # -- politeness ---------------------------------------------------------------------

    def _host_lock(self, host: str) -> threading.Lock:
        with self._guard:
            return self._host_locks.setdefault(host, threading.Lock())

    def _wait_turn(self, host: str) -> float:
        """Wait until the host's interval has passed; returns the seconds waited."""
        last = self._last_request.get(host)
        waited = 0.0
        if last is not None:
            delay = self.options.min_interval_s - (time.monotonic() - last)
            if delay > 0:
                self._sleep(delay)
                waited = delay
        self._last_request[host] = time.monotonic()
        return waited

    # -- budgets ------------------------------------------------------------------------

    def spent(self, host: str) -> float:
        """Seconds this client has spent on requests to ``host`` (``netloc``, as the per-host spacing keys it)."""
        with self._guard:
            return self._spent.get(host.lower(), 0.0)

    def _charge(self, host: str, seconds: float) -> None:
        with self._guard:
            self._spent[host] = self._spent.get(host, 0.0) + max(0.0, seconds)

    # -- hosts that are down -----------------------------------------------------------

    def _state_file(self, host: str) -> Path | None:
        if self.options.host_state_dir is None:
            return None
        return self.options.host_state_dir / f"{hashlib.sha256(host.encode()).hexdigest()[:24]}.json"

    def _read_state(self, host: str) -> dict[str, Any] | None:
        path = self._state_file(host)
        if path is None:
            return None
        try:
            state: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # never found down (or an unreadable note: tried again)
        return state if state.get("host") == host else None

    def host_down(self, url: str) -> str | None:
        """Why requests for ``url``'s host are skipped this run, or None when it may be asked.

        A host an earlier run found down is skipped until its backoff ends (``host_state_dir``).
        """
        host = _host_key(url)
        with self._guard:
            if host not in self._state_read:
                self._state_read.add(host)
                state = self._read_state(host)
                if state is not None and float(state.get("until", 0)) > time.time():
                    until = datetime.fromtimestamp(float(state["until"]), UTC)
                    self._down[host] = (f"{host} was unreachable in {state.get('down_runs', 1)} run(s) in a row "
                                        f"({state.get('reason', '')}); next tried after {until:%Y-%m-%d %H:%M} UTC "
                                        f"(NEWS_HOST_BACKOFF_S={self.options.host_backoff_s:g}s, doubled per run)")
            return self._down.get(host)

    def _host_failed(self, host: str, error_class: str) -> None:
        """Count one failure of ``host``; after ``host_down_after`` of the host-down kind in a row, it is down."""
        if not self.options.host_down_after or error_class not in HOST_DOWN_CLASSES:
            return
        with self._guard:
            streak = self._streak[host] = self._streak.get(host, 0) + 1
            if streak < self.options.host_down_after or host in self._down:
                return
            self._down[host] = (f"{host} failed {streak} times in a row ({error_class}); skipped for the rest of "
                                f"this run (NEWS_HOST_DOWN_AFTER={self.options.host_down_after})")
        logger.warning("host %s is down: %d %s failures in a row; its other pages wait for the next run",
                       host, streak, error_class)
        path = self._state_file(host)
        if path is None or not self.options.host_backoff_s:
            return
        earlier = self._read_state(host) or {}
        runs = int(earlier.get("down_runs", 0)) + 1
        wait = min(MAX_HOST_BACKOFF_S, self.options.host_backoff_s * 2 ** (runs - 1))
        note = {"host": host, "down_runs": runs, "until": time.time() + wait, "reason": error_class}
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
        tmp.write_text(json.dumps(note), encoding="utf-8")
        tmp.replace(path)

    def _host_answered(self, host: str) -> None:
        """The host answered (any HTTP status): its failures in a row and any note of it being down end."""
        with self._guard:
            self._streak.pop(host, None)
        path = self._state_file(host)
        if path is not None and path.exists():
            path.unlink(missing_ok=True)

    def _why_deferred(self, url: str) -> tuple[str, str]:
        down = self.host_down(url)
        if down is not None:
            return "deferred_host_down", down
        return self.budget_left(url)[1]

    def budget_left(self, url: str) -> tuple[float | None, tuple[str, str]]:
        """Seconds any request for ``url`` may still take, and which budget bounds it (class, reason).

        None when no budget applies. 0 or less: the budget is spent, and no request is sent.
        """
        host = _host_key(url)
        left: float | None = None
        why = self.stop_reason
        if self.options.host_budget_s is not None:
            left = self.options.host_budget_s - self.spent(host)
            why = ("deferred_host_budget",
                   f"NEWS_HOST_BUDGET_S={self.options.host_budget_s:g}s of requests to {host} is spent this run")
        if self.stop_at is not None:
            until_stop = self.stop_at - time.monotonic()
            if left is None or until_stop < left:
                left, why = until_stop, self.stop_reason
        return left, why

    def _deferred(self, kind: str, url: str, why: tuple[str, str], feed_url: str | None,
                  started: float) -> DeferredError:
        """The DeferredError for a request a budget stopped, with its fetch_log row."""
        error = f"deferred to the next run: {why[1]}"
        self.log.add(kind=kind, url=url, status=None, n_bytes=0, started=started, error_class=why[0],
                     error=error, feed_url=feed_url)
        return DeferredError(f"{url} {error}", error_class=why[0], retryable=True)

    def allowed_by_robots(self, url: str) -> bool:
        """Whether robots.txt of the URL's host lets our User-Agent fetch it (cached per host)."""
        parts = urlsplit(url)
        # The origin alone: a userinfo (user:password@) never goes to robots.txt, nor into its cache key.
        origin = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
        if origin not in self._robots:
            self._robots[origin] = self._load_robots(origin)
        robots = self._robots[origin]
        return robots is None or robots.can_fetch(url, self.options.user_agent)

    def _robots_file(self, origin: str) -> Path | None:
        if self.options.robots_dir is None:
            return None
        return self.options.robots_dir / f"{hashlib.sha256(origin.encode()).hexdigest()[:24]}.txt"

    def _load_robots(self, origin: str) -> Protego | None:
        # Kept across runs (and shards) for a day: an unchanged feed then costs one request per run.
        cache = self._robots_file(origin)
        if cache is not None:
            try:
                if time.time() - cache.stat().st_mtime < ROBOTS_TTL_S:
                    rules = cache.read_text(encoding="utf-8")
                    return Protego.parse(rules) if rules else None
            except OSError:
                pass  # not cached yet
        robots = self._fetch_robots(origin)
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_name(f".{cache.name}.{uuid.uuid4().hex}")
            tmp.write_text(robots or "", encoding="utf-8")
            tmp.replace(cache)
        return Protego.parse(robots) if robots else None

    def _fetch_robots(self, origin: str) -> str | None:
        """The robots.txt text of an origin; None when it has none (no rules)."""
        url = f"{origin}/robots.txt"
        try:
            response = self._request("robots", url, {}, accept=None)
        except DeferredError:
            raise  # not an answer about robots.txt: nothing is cached, the page waits too
        except FetchError as exc:
            if self.host_down(url) is not None:
                # The host is down, not without rules: nothing is cached, and the page waits with it.
                raise DeferredError(f"{url}: {self.host_down(url)}", error_class="deferred_host_down",
                                    retryable=True) from exc
            # A missing or broken robots.txt means no rules (RFC 9309 §2.3.1.3), except a
            # server error, which means "assume disallowed" there; we treat it as a retryable miss.
            if exc.status is not None and exc.status >= 500:
                raise FetchError(f"robots.txt of {origin} failed with {exc.status}",
                                 error_class="robots_unavailable", status=exc.status,
                                 retryable=True) from exc
            return None
        if response.status == 304 or not response.body:
            return None
        return response.body.decode("utf-8", errors="replace")

    # -- requests -----------------------------------------------------------------------

    def get(self, url: str, *, kind: str, headers: dict[str, str] | None = None,
            accept: tuple[str, ...] | None = None, feed_url: str | None = None,
            send_as: str | None = None, secrets: Sequence[str] = ()) -> Response:
        """GET a URL politely.

        Args:
            url: absolute http(s) URL; with ``send_as``, only what may be shown of it.
            kind: what is fetched (``feed`` or ``page``), recorded in ``fetch_log``.
            headers: extra request headers, e.g. conditional GET validators.
            accept: content-type fragments that are acceptable; ``None`` accepts anything.
            feed_url: the feed an article came from, for the log.
            send_as: the URL really requested, when it holds secrets (a feed URL with its ``${VAR}``
                expanded): they go on this request (and its redirects) only, and ``url`` is what
                ``fetch_log``, the log, error messages and the response show.
            secrets: the values expanded into ``send_as``, kept out of everything shown.

        Returns:
            The response; a 304 is a normal return with an empty body.

        Raises:
            FetchError: the request failed (after retries, when the failure is transient).
            BlockedError: robots.txt or the address guard refused the URL.
        """
        if send_as is None or (send_as == url and not secrets):
            return self._get(url, kind, headers or {}, accept, feed_url, _unchanged)
        show = shown_as(url, send_as, secrets)
        try:
            response = self._get(send_as, kind, headers or {}, accept, feed_url, show)
        except Exception as exc:
            exc.args = tuple(show(a) if isinstance(a, str) else a for a in exc.args)
            # The chained httpx error may quote the URL sent: drop it rather than let a traceback print it.
            raise exc.with_traceback(exc.__traceback__) from None
        return dataclasses.replace(response, url=url, final_url=show(response.final_url))

    def _get(self, url: str, kind: str, headers: dict[str, str], accept: tuple[str, ...] | None,
             feed_url: str | None, show: Shown) -> Response:
        down = self.host_down(url)
        if down is not None:
            raise self._deferred(kind, show(url), ("deferred_host_down", down), feed_url, time.monotonic())
        left, why = self.budget_left(url)
        if left is not None and left <= 0:
            raise self._deferred(kind, show(url), why, feed_url, time.monotonic())
        try:
            allowed = not self.options.obey_robots or self.allowed_by_robots(url)
        except DeferredError as exc:  # its robots.txt ran into a budget or a host down: the request waits with it
            raise self._deferred(kind, show(url), self._why_deferred(url), feed_url, time.monotonic()) from exc
        if not allowed:
            started = time.monotonic()
            self.log.add(kind=kind, url=show(url), status=None, n_bytes=0, started=started,
                         error_class="robots_disallowed", error="disallowed by robots.txt",
                         feed_url=feed_url)
            raise BlockedError(f"robots.txt disallows {url}", error_class="robots_disallowed")
        return self._request(kind, url, headers, accept=accept, feed_url=feed_url, show=show)

    def _request(self, kind: str, url: str, headers: dict[str, str], *,
                 accept: tuple[str, ...] | None, feed_url: str | None = None, show: Shown = _unchanged) -> Response:
        attempt = 0
        host = _host_key(url)
        failed: FetchError | None = None  # the last real failure, when a retry runs into a budget
        while True:
            attempt += 1
            left, why = self.budget_left(url)
            down = self.host_down(url)
            if down is not None:
                left, why = 0.0, ("deferred_host_down", down)
            if left is not None and left <= 0:
                # A page that already failed for real keeps that failure (its attempt counts);
                # one never tried waits for the next run.
                if failed is not None:
                    raise failed
                raise self._deferred(kind, show(url), why, feed_url, time.monotonic())
            limit = self.options.total_timeout_s if left is None else min(self.options.total_timeout_s, left)
            started = time.monotonic()
            try:
                response = self._once(kind, url, headers, accept, limit_s=limit, budget_host=host)
            except FetchError as exc:
                if (exc.error_class == "timeout" and limit < self.options.total_timeout_s and failed is None
                        and time.monotonic() - started >= limit - CUT_SLACK_S):
                    # Cut short by the budget, not by the request's own deadline: not the page's failure.
                    raise self._deferred(kind, show(url), why, feed_url, started) from exc
                self.log.add(kind=kind, url=show(url), status=exc.status, n_bytes=0, started=started,
                             error_class=exc.error_class, error=show(str(exc)), attempt=attempt,
                             feed_url=feed_url)
                if exc.status is not None:
                    self._host_answered(host)
                else:
                    self._host_failed(host, exc.error_class)
                    if self.host_down(url) is not None:
                        raise  # no retry: the host is down for the rest of the run
                delay = exc.retry_after
                if not exc.retryable or attempt > self.options.retries:
                    raise
                if delay is None:
                    delay = self.options.backoff_s * (2 ** (attempt - 1))
                    delay *= random.uniform(0.5, 1.5)
                if delay > MAX_RETRY_AFTER_S:
                    raise  # the server asks for a longer pause than a run should wait
                left, why = self.budget_left(url)
                if left is not None and delay >= left:
                    if why[0] == "deferred_host_budget":
                        # The host cannot afford another try this run: it is spent, and its other
                        # pages wait for the next run instead of failing one by one.
                        self._charge(host, left)
                    raise  # the failure stands
                logger.info("retrying %s in %.1fs after %s", show(url), delay, exc.error_class)
                self._sleep(delay)
                self._charge(host, delay)
                failed = exc
                continue
            self.log.add(kind=kind, url=show(url), status=response.status, n_bytes=len(response.body),
                         started=started, attempt=attempt, feed_url=feed_url)
            self._host_answered(host)
            return response

    def _once(self, kind: str, url: str, headers: dict[str, str],
              accept: tuple[str, ...] | None, *, limit_s: float | None = None,
              budget_host: str | None = None) -> Response:
        """One attempt: every hop within ``limit_s`` (default the request deadline), charged to ``budget_host``."""
        current = url
        deadline = time.monotonic() + (self.options.total_timeout_s if limit_s is None else limit_s)
        for _hop in range(self.options.max_redirects + 1):
            hop_started = time.monotonic()
            waited = 0.0
            try:
                ip = check_address(current, self.options.allow_hosts)
                host = _host_key(current)
                with self._host_lock(host):
                    waited = self._wait_turn(host)
                    result = self._stream(current, headers, deadline, pin=_pin_for(current, ip))
            finally:
                # The host's budget counts resolving and talking to it, not the politeness wait.
                self._charge(budget_host or _host_key(url), time.monotonic() - hop_started - waited)
            status, resp_headers, body = result
            if status in (301, 302, 303, 307, 308) and "location" in resp_headers:
                target = _redirect_target(current, resp_headers["location"].strip())
                # Each hop obeys its own host's robots.txt (cached per origin, fetched through this guard).
                if kind != "robots" and self.options.obey_robots and not self.allowed_by_robots(target):
                    raise BlockedError(f"robots.txt disallows {target} (redirected from {url})",
                                       error_class="robots_disallowed")
                current = target
                continue
            return self._finish(url, current, status, resp_headers, body, accept)
        raise FetchError(f"more than {self.options.max_redirects} redirects from {url}",
                         error_class="too_many_redirects")

    def _stream(self, url: str, headers: dict[str, str], deadline: float,
                pin: tuple[str, int, str]) -> tuple[int, httpx.Headers, bytes]:
        _request_deadline.value = deadline
        _pinned.value = pin
        try:
            # Sent through the transport, not Client.send: httpx would parse a redirect's Location
            # itself and raise on a hostile one; _redirect_target decides what a Location means.
            request = self._client.build_request("GET", url, headers=headers)
            if (request.url.username or request.url.password) and "authorization" not in request.headers:
                # A user:password@ in the URL is Basic auth, as Client.send would send it (never to robots.txt:
                # that is fetched from the origin alone).
                token = base64.b64encode(f"{request.url.username}:{request.url.password}".encode()).decode()
                request.headers["Authorization"] = f"Basic {token}"
            response = self._transport.handle_request(request)
            response.request = request
            self._client.cookies.extract_cookies(response)  # as Client.send would
            with closing(response):
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > self.options.max_bytes:
                    raise FetchError(f"{url} declares {declared} bytes, over the {self.options.max_bytes} cap",
                                     error_class="too_large", status=response.status_code)
                # Decoded here, not by httpx: layer by layer, each layer's output counted against the
                # cap as it grows, so neither a bomb nor stacked codings can outgrow it (decoding.py).
                decoder = BudgetedDecoder(codings(response.headers.get_list("content-encoding"), url),
                                          max_bytes=self.options.max_bytes, url=url, status=response.status_code)
                chunks: list[bytes] = []
                for raw in _raw_chunks(response):
                    chunks.extend(decoder.feed(raw))
                    if time.monotonic() > deadline:
                        raise FetchError(f"{url} took longer than {self.options.total_timeout_s}s",
                                         error_class="timeout", retryable=True)
                chunks.extend(decoder.finish())
                return response.status_code, response.headers, b"".join(chunks)
        except httpx.TimeoutException as exc:
            if time.monotonic() >= deadline:
                raise FetchError(f"{url} took longer than {self.options.total_timeout_s}s",
                                 error_class="timeout", retryable=True) from exc
            raise FetchError(f"timeout fetching {url}: {exc!r}", error_class="timeout",
                             retryable=True) from exc
        except httpx.TransportError as exc:
            raise FetchError(f"network error fetching {url}: {exc!r}", error_class="network",
                             retryable=True) from exc
        except httpx.InvalidURL as exc:
            raise FetchError(f"cannot request {url!r}: {exc}", error_class="bad_url") from exc
        finally:
            _request_deadline.value = None
            _pinned.value = None

    def _finish(self, url: str, final_url: str, status: int, headers: httpx.Headers, body: bytes,
                accept: tuple[str, ...] | None) -> Response:
        if status in RETRY_STATUSES:
            raise FetchError(f"HTTP {status} from {final_url}", error_class=f"http_{status}",
                             status=status, retryable=True, retry_after=_retry_after(headers))
        if status >= 400:
            raise FetchError(f"HTTP {status} from {final_url}", error_class=f"http_{status}", status=status,
                             retryable=status in (408, 425))
        content_type = headers.get("content-type", "").lower()
        if status == 200 and accept is not None and content_type and not any(a in content_type for a in accept):
            raise FetchError(f"unexpected content type {content_type!r} from {final_url}",
                             error_class="content_type", status=status)
        return Response(url=url, final_url=final_url, status=status,
                        headers={k.lower(): v for k, v in headers.items()}, body=body)
