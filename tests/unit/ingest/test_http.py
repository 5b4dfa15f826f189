"""The polite client, against httpx.MockTransport: retries, Retry-After, robots, caps, the address guard."""

from __future__ import annotations

import gzip
import time

import httpx
import pytest

from pipeline.errors import BlockedError, DeferredError, FetchError
from pipeline.ingest.http import ClientOptions, FetchLog, PoliteClient, check_address

ROBOTS = b"User-agent: *\nDisallow: /private/\n"


def make_client(handler, sleeps=None, **options) -> PoliteClient:
    opts = {"user_agent": "newswatch-test", "allow_hosts": frozenset({"news.test"}), "min_interval_s": 0.0,
            "backoff_s": 0.01, **options}
    return PoliteClient(ClientOptions(**opts), FetchLog("run-1"), transport=httpx.MockTransport(handler),
                        sleep=(sleeps.append if sleeps is not None else lambda s: None))


def routes(table):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(200, content=ROBOTS)
        return table(request)
    return handler


def test_retries_a_503_and_honours_retry_after():
    calls = []
    sleeps: list[float] = []

    def page(request):
        calls.append(request)
        if len(calls) == 1:
            return httpx.Response(503, headers={"Retry-After": "7"})
        return httpx.Response(200, headers={"content-type": "text/html"}, content=b"<p>ok</p>")

    client = make_client(routes(page), sleeps)
    response = client.get("http://news.test/a.html", kind="page")
    assert response.status == 200 and response.body == b"<p>ok</p>"
    assert 7.0 in sleeps
    statuses = [(r["status"], r["error_class"]) for r in client.log.rows if r["kind"] == "page"]
    assert statuses == [(503, "http_503"), (200, None)]


def test_gives_up_after_retries_and_says_it_may_work_later():
    client = make_client(routes(lambda r: httpx.Response(500)), retries=2)
    with pytest.raises(FetchError) as caught:
        client.get("http://news.test/feed.xml", kind="feed")
    assert caught.value.retryable and caught.value.error_class == "http_500"
    assert len([r for r in client.log.rows if r["kind"] == "feed"]) == 3


def test_a_404_is_not_retried():
    client = make_client(routes(lambda r: httpx.Response(404)))
    with pytest.raises(FetchError) as caught:
        client.get("http://news.test/gone.html", kind="page")
    assert not caught.value.retryable
    assert len([r for r in client.log.rows if r["kind"] == "page"]) == 1


def test_robots_txt_disallow_is_obeyed_and_logged():
    seen = []
    client = make_client(routes(lambda r: seen.append(r) or httpx.Response(200)))
    with pytest.raises(BlockedError):
        client.get("http://news.test/private/x.html", kind="page")
    assert seen == []
    assert client.log.rows[-1]["error_class"] == "robots_disallowed"


def test_body_over_the_cap_is_refused_while_streaming():
    big = b"x" * 5000
    client = make_client(routes(lambda r: httpx.Response(200, content=big)), max_bytes=1024)
    with pytest.raises(FetchError) as caught:
        client.get("http://news.test/big.html", kind="page")
    assert caught.value.error_class == "too_large"


def test_a_decompression_bomb_is_caught_on_decoded_size():
    bomb = gzip.compress(b"\0" * 200_000)
    headers = {"content-encoding": "gzip", "content-type": "text/html"}
    client = make_client(routes(lambda r: httpx.Response(200, headers=headers, content=bomb)), max_bytes=50_000)
    assert len(bomb) < 50_000
    with pytest.raises(FetchError) as caught:
        client.get("http://news.test/bomb.html", kind="page")
    assert caught.value.error_class == "too_large"


def test_redirects_are_followed_up_to_the_cap():
    def hop(request):
        n = int(request.url.path.strip("/") or 0)
        return httpx.Response(302, headers={"location": f"/{n + 1}"})

    client = make_client(routes(hop), max_redirects=3)
    with pytest.raises(FetchError) as caught:
        client.get("http://news.test/0", kind="page")
    assert caught.value.error_class == "too_many_redirects"


def test_a_redirect_to_a_private_address_is_blocked():
    client = make_client(routes(lambda r: httpx.Response(301, headers={"location": "http://169.254.169.254/latest/"})))
    with pytest.raises(BlockedError):
        client.get("http://news.test/a", kind="page")


def test_wrong_content_type_is_refused():
    client = make_client(routes(lambda r: httpx.Response(200, headers={"content-type": "image/png"}, content=b"x")))
    with pytest.raises(FetchError) as caught:
        client.get("http://news.test/a", kind="page", accept=("html",))
    assert caught.value.error_class == "content_type"


def test_conditional_get_sends_validators_and_accepts_304():
    def feed(request):
        assert request.headers["if-none-match"] == '"v1"'
        return httpx.Response(304)

    client = make_client(routes(feed))
    response = client.get("http://news.test/feed.xml", kind="feed", headers={"If-None-Match": '"v1"'})
    assert response.status == 304 and response.body == b""


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("http://127.0.0.1:8080/feed", id="loopback"),
        pytest.param("http://10.1.2.3/feed", id="private"),
        pytest.param("http://169.254.169.254/latest/meta-data", id="metadata"),
        pytest.param("http://[::1]/feed", id="ipv6-loopback"),
        pytest.param("file:///etc/passwd", id="file-scheme"),
    ],
)
def test_address_guard_refuses_non_public_targets(url):
    with pytest.raises(BlockedError):
        check_address(url, allow_hosts=())


def test_address_guard_allows_an_allow_listed_host():
    check_address("http://127.0.0.1:8080/feed", allow_hosts={"127.0.0.1"})


def test_spacing_between_requests_to_one_host():
    sleeps: list[float] = []
    client = make_client(routes(lambda r: httpx.Response(200)), sleeps, min_interval_s=30.0)
    client.get("http://news.test/a", kind="page")
    client.get("http://news.test/b", kind="page")
    assert sleeps and max(sleeps) > 25.0


def test_a_retry_after_longer_than_a_run_should_wait_is_raised_not_slept():
    sleeps: list[float] = []
    client = make_client(routes(lambda r: httpx.Response(429, headers={"Retry-After": "7200"})), sleeps)
    with pytest.raises(FetchError) as caught:
        client.get("http://news.test/feed.xml", kind="feed")
    assert caught.value.error_class == "http_429" and caught.value.retryable
    assert caught.value.retry_after == 7200.0  # the feed stage backs the feed off until then
    assert sleeps == []
    assert len([r for r in client.log.rows if r["kind"] == "feed"]) == 1


def test_a_connection_reset_mid_body_is_a_retryable_network_error():
    def body():
        yield b"<html><body><p>first third"
        raise httpx.ReadError("[Errno 104] Connection reset by peer")

    client = make_client(routes(lambda r: httpx.Response(200, headers={"content-type": "text/html"},
                                                          content=body())), retries=0)
    with pytest.raises(FetchError) as caught:
        client.get("http://news.test/a.html", kind="page")
    assert caught.value.error_class == "network" and caught.value.retryable
    assert client.log.rows[-1]["error_class"] == "network"


def test_a_server_that_drips_its_headers_is_cut_off_at_the_total_deadline():
    """Every header byte arrives well inside the read timeout; only the total deadline can end it."""
    import socket
    import threading
    import time

    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def drip_headers() -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(4096)
            for byte in b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Padding: " + b"a" * 100:
                if stop.is_set():
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return  # the client hung up, as it should
                time.sleep(0.2)

    thread = threading.Thread(target=drip_headers, daemon=True)
    thread.start()
    port = server.getsockname()[1]
    options = ClientOptions(user_agent="newswatch-test", allow_hosts=frozenset({"127.0.0.1"}), min_interval_s=0.0,
                            obey_robots=False, retries=0, read_timeout_s=1.0, total_timeout_s=1.5)
    started = time.monotonic()
    try:
        with PoliteClient(options, FetchLog("run-1")) as client, pytest.raises(FetchError) as caught:
            client.get(f"http://127.0.0.1:{port}/a.html", kind="page")
    finally:
        stop.set()
        server.close()
    assert time.monotonic() - started < 5  # the drip alone would take 20 s
    assert caught.value.error_class == "timeout" and caught.value.retryable
    assert "took longer than 1.5s" in str(caught.value)
    assert client.log.rows[-1]["error_class"] == "timeout"


def test_robots_txt_is_kept_across_runs_for_a_day(tmp_path):
    import os
    import time

    requests = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request.url.path)
        if request.url.path == "/robots.txt":
            return httpx.Response(200, content=ROBOTS)
        return httpx.Response(200, headers={"content-type": "text/html"}, content=b"<p>ok</p>")

    def run() -> None:
        client = make_client(handler, robots_dir=tmp_path / "robots")
        client.get("http://news.test/a.html", kind="page")
        with pytest.raises(BlockedError):
            client.get("http://news.test/private/b.html", kind="page")

    run()
    run()  # the next run (a new client) reuses the rules: one robots.txt request in all
    assert requests.count("/robots.txt") == 1
    (cached,) = (tmp_path / "robots").iterdir()
    day_old = time.time() - 24 * 3600 - 1
    os.utime(cached, (day_old, day_old))
    run()  # older than a day: fetched again
    assert requests.count("/robots.txt") == 2


def test_a_robots_txt_server_error_is_not_kept(tmp_path):
    requests = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request.url.path)
        if request.url.path == "/robots.txt":
            return httpx.Response(503)
        return httpx.Response(200, headers={"content-type": "text/html"}, content=b"<p>ok</p>")

    for _ in range(2):
        with pytest.raises(FetchError):
            make_client(handler, robots_dir=tmp_path / "robots", retries=0).get("http://news.test/a.html",
                                                                               kind="page")
    assert requests.count("/robots.txt") == 2
    assert not list((tmp_path / "robots").glob("*"))


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("http://[::127.0.0.1]/feed", id="ipv4-compatible-loopback"),
        pytest.param("http://[::ffff:127.0.0.1]/feed", id="ipv4-mapped-loopback"),
        pytest.param("http://[64:ff9b::a9fe:a9fe]/latest/meta-data", id="nat64-metadata"),
        pytest.param("http://[64:ff9b::7f00:1]/feed", id="nat64-loopback"),
        pytest.param("http://[2002:a9fe:a9fe::]/latest/meta-data", id="6to4-metadata"),
        pytest.param("http://[2002:0a00:0001::1]/feed", id="6to4-private"),
        pytest.param("http://[fec0::1]/feed", id="site-local"),
        pytest.param("http://100.64.0.1/feed", id="shared-address-space"),
        pytest.param("http://0.0.0.0/feed", id="unspecified"),
    ],
)
def test_address_guard_refuses_v4_hidden_in_v6_and_other_non_global_forms(url):
    with pytest.raises(BlockedError) as caught:
        check_address(url, allow_hosts=())
    assert caught.value.error_class == "blocked_address"


@pytest.mark.parametrize("url", ["http://93.184.215.14/a", "http://[2606:4700:4700::1111]/a",
                                 "http://[64:ff9b::808:808]/a", "http://[2002:808:808::1]/a"])
def test_address_guard_lets_public_addresses_through_and_returns_the_one_to_connect_to(url):
    assert check_address(url, allow_hosts=()) == url.split("/")[2].strip("[]")


def test_address_guard_checks_every_address_a_name_resolves_to(monkeypatch):
    from pipeline.ingest import http as http_module

    monkeypatch.setattr(http_module, "_resolve", lambda host, port: ["93.184.215.14", "127.0.0.1"])
    with pytest.raises(BlockedError, match="127.0.0.1"):
        check_address("http://mixed.example/a", allow_hosts=())


@pytest.mark.parametrize("url", ["http://localhost:8080/feed", "http://127.1:8080/feed",
                                 "http://[::ffff:127.0.0.1]:8080/feed", "http://2130706433:8080/feed"])
def test_the_allow_list_names_hosts_not_the_addresses_they_resolve_to(url):
    """Allowing 127.0.0.1 opens that host as written, not every alias of loopback."""
    with pytest.raises(BlockedError):
        check_address(url, allow_hosts={"127.0.0.1"})


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999/a", "http://[::1/a", "http://127.0.0.1:9x/a"])
def test_an_unparseable_url_is_a_fetch_error_not_a_crash(url):
    with pytest.raises(FetchError) as caught:
        check_address(url, allow_hosts=())
    assert caught.value.error_class == "bad_url"


# -- budgets (issue 16 case 7) ---------------------------------------------------------------


def slow_page(seconds: float):
    """A page handler that takes ``seconds`` of wall-clock time, as a slow server would."""
    def page(request: httpx.Request) -> httpx.Response:
        time.sleep(seconds)
        return httpx.Response(200, headers={"content-type": "text/html"}, content=b"<p>ok</p>")
    return page


def test_a_host_whose_budget_is_spent_is_not_asked_again_and_other_hosts_are():
    seen: list[str] = []

    def page(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.host)
        return slow_page(0.1 if request.url.host == "slow.test" else 0.0)(request)

    client = make_client(routes(page), allow_hosts=frozenset({"slow.test", "fast.test"}), host_budget_s=0.25)
    outcomes = []
    for i in range(8):
        for host in ("slow.test", "fast.test"):
            try:
                client.get(f"http://{host}/{i}.html", kind="page")
                outcomes.append((host, "ok"))
            except DeferredError as exc:
                assert exc.error_class == "deferred_host_budget" and exc.retryable
                outcomes.append((host, "deferred"))
    assert outcomes.count(("fast.test", "ok")) == 8
    slow = [o for h, o in outcomes if h == "slow.test"]
    assert 2 <= slow.count("ok") <= 4 and slow[-1] == "deferred"
    # Once spent, the host is not asked at all (one request may have run into the budget).
    assert seen.count("slow.test") <= slow.count("ok") + 1
    deferred = [r for r in client.log.rows if r["error_class"] == "deferred_host_budget"]
    assert len(deferred) == slow.count("deferred")
    assert all("NEWS_HOST_BUDGET_S=0.25s" in r["error"] and "slow.test" in r["error"] for r in deferred)
    assert 0.25 <= client.spent("slow.test") < 0.5


def test_politeness_waits_do_not_count_against_the_host_budget():
    client = PoliteClient(ClientOptions(user_agent="t", allow_hosts=frozenset({"news.test"}), min_interval_s=0.05,
                                        host_budget_s=0.2), FetchLog("r"),
                          transport=httpx.MockTransport(routes(slow_page(0.0))))
    started = time.monotonic()
    for i in range(10):  # 0.5 s of spacing in all, far over the budget
        assert client.get(f"http://news.test/{i}.html", kind="page").status == 200
    assert time.monotonic() - started > 0.45
    assert client.spent("news.test") < 0.2


def test_retries_stop_at_the_host_budget_and_the_page_keeps_its_real_failure():
    calls = []

    def timing_out(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        time.sleep(0.1)
        raise httpx.ReadTimeout("no answer", request=request)

    client = make_client(routes(timing_out), retries=10, host_budget_s=0.25)
    with pytest.raises(FetchError) as caught:
        client.get("http://news.test/a.html", kind="page")
    assert not isinstance(caught.value, DeferredError)
    assert caught.value.error_class == "timeout"
    tried = len(calls)
    assert 2 <= tried <= 3  # not 11: the budget ended the retries
    # The next page of the host is deferred without a request.
    with pytest.raises(DeferredError):
        client.get("http://news.test/b.html", kind="page")
    assert len(calls) == tried


def test_a_deadline_for_the_whole_client_defers_every_request_after_it():
    client = make_client(routes(slow_page(0.0)))
    client.stop_at = time.monotonic() - 1
    client.stop_reason = ("deferred_scrape_budget", "NEWS_SCRAPE_BUDGET_S=1s of page shard 000 is spent")
    with pytest.raises(DeferredError) as caught:
        client.get("http://news.test/a.html", kind="page")
    assert caught.value.error_class == "deferred_scrape_budget"
    assert "NEWS_SCRAPE_BUDGET_S" in client.log.rows[-1]["error"]


def test_a_deferred_robots_txt_is_not_taken_for_no_rules(tmp_path):
    client = make_client(routes(slow_page(0.0)), robots_dir=tmp_path)
    client.stop_at = time.monotonic() - 1
    with pytest.raises(DeferredError):
        client.get("http://news.test/private/x.html", kind="page")
    assert list(tmp_path.iterdir()) == []  # nothing cached: the next run reads robots.txt for real
    client.stop_at = None
    with pytest.raises(BlockedError):
        client.get("http://news.test/private/x.html", kind="page")


def test_a_page_whose_robots_txt_runs_into_the_budget_is_deferred_with_its_own_row():
    def handler(request: httpx.Request) -> httpx.Response:
        time.sleep(0.2)
        if request.url.path == "/robots.txt":
            return httpx.Response(200, content=ROBOTS)
        return httpx.Response(200, headers={"content-type": "text/html"}, content=b"<p>ok</p>")

    client = make_client(handler, host_budget_s=0.1)
    with pytest.raises(DeferredError):
        client.get("http://news.test/a.html", kind="page")
    assert [(r["kind"], r["error_class"]) for r in client.log.rows] == [
        ("robots", "deferred_host_budget"), ("page", "deferred_host_budget")]


def test_a_host_that_cannot_afford_a_retry_pause_is_spent_and_its_other_pages_wait():
    calls = []

    def refused(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        raise httpx.ConnectError("connection refused", request=request)

    # Backoff 1 s x jitter (at least 0.5 s) is more than the 0.3 s budget: the first failure ends the host's run.
    client = make_client(routes(refused), backoff_s=1.0, host_budget_s=0.3)
    with pytest.raises(FetchError) as caught:
        client.get("http://news.test/a.html", kind="page")
    assert caught.value.error_class == "network" and not isinstance(caught.value, DeferredError)
    for page in ("b", "c", "d"):
        with pytest.raises(DeferredError):
            client.get(f"http://news.test/{page}.html", kind="page")
    assert calls == ["/a.html"]
