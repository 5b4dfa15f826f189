"""Hosts that are down (issue 17 point 3), over real loopback sockets: a port nobody listens on refuses
every connection, as a host that is down does. After NEWS_HOST_DOWN_AFTER failures in a row the host is
asked nothing more this run, and, with a state folder, not by the next runs until its backoff ends."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pipeline import settings
from pipeline.errors import ConfigError, DeferredError, FetchError
from pipeline.ingest.http import ClientOptions, FetchLog, PoliteClient

DEAD = "127.0.0.2"


def refused_port() -> int:
    """A port on ``DEAD`` that nothing listens on: connecting to it is refused at once."""
    with socket.socket() as sock:
        sock.bind((DEAD, 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(host: str, port: int, status: int = 200) -> Iterator[None]:
    class Pages(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            robots = self.path == "/robots.txt"
            body = b"" if robots else b"<html><body><p>story</p></body></html>"
            self.send_response(404 if robots else status)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer((host, port), Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


def client(state_dir: Path | None = None, backoff_s: float = 1800.0, down_after: int = 3) -> PoliteClient:
    options = ClientOptions(user_agent="newswatch-test", allow_hosts=frozenset({"127.0.0.1", DEAD}),
                            min_interval_s=0.0, backoff_s=0.01, retries=2, host_down_after=down_after,
                            host_state_dir=state_dir, host_backoff_s=backoff_s)
    return PoliteClient(options, FetchLog("run-1"))


def outcomes(c: PoliteClient, urls: list[str]) -> list[str]:
    out = []
    for url in urls:
        try:
            c.get(url, kind="page")
            out.append("ok")
        except DeferredError as exc:
            out.append(exc.error_class)
        except FetchError as exc:
            out.append(exc.error_class)
    return out


def sent(c: PoliteClient, host: str) -> int:
    """Requests that really went out to ``host`` (a deferred row was never sent)."""
    return sum(1 for r in c.log.rows if r["host"] == host and not (r["error_class"] or "").startswith("deferred"))


def test_a_host_that_refuses_three_times_in_a_row_is_skipped_for_the_rest_of_the_run():
    dead = refused_port()
    with client() as c:
        urls = [f"http://{DEAD}:{dead}/news/{i}.html" for i in range(40)]
        got = outcomes(c, urls)
    # robots.txt's three attempts were the three failures: every page waits for the next run, none is
    # counted as a failed attempt of its own, and the host was asked three times in all, not 40 x 3.
    assert got == ["deferred_host_down"] * 40
    assert sent(c, DEAD) == 3
    reasons = {r["error"] for r in c.log.rows if r["error_class"] == "deferred_host_down"}
    assert len(reasons) == 1 and "NEWS_HOST_DOWN_AFTER=3" in reasons.pop()


def test_other_hosts_are_still_fetched_and_a_host_that_answers_errors_is_not_down():
    dead = refused_port()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        live = probe.getsockname()[1]
    with serve("127.0.0.1", live, status=404), client() as c:
        urls = [u for i in range(10) for u in (f"http://{DEAD}:{dead}/{i}.html", f"http://127.0.0.1:{live}/{i}.html")]
        got = outcomes(c, urls)
    # A host that answers (even 404 every time) is up: each page fails on its own, none is deferred.
    assert got[1::2] == ["http_404"] * 10
    assert got[0::2] == ["deferred_host_down"] * 10
    assert sent(c, "127.0.0.1") == 11  # robots.txt once, then each page once


def end_backoff(state_dir: Path) -> dict[str, float]:
    """Let the time of the host's note pass (as the next runs would): its backoff has ended."""
    [note] = state_dir.iterdir()
    state = json.loads(note.read_text())
    note.write_text(json.dumps({**state, "until": time.time() - 1}))
    return state


def test_a_down_host_waits_out_its_backoff_in_the_next_runs_then_is_tried_again(tmp_path: Path):
    dead = refused_port()
    url = f"http://{DEAD}:{dead}/news/1.html"
    with client(tmp_path, backoff_s=600) as first:
        assert outcomes(first, [url]) == ["deferred_host_down"]
    with client(tmp_path, backoff_s=600) as second:
        assert outcomes(second, [url, url]) == ["deferred_host_down"] * 2
    assert sent(second, DEAD) == 0  # the next run does not ask it at all
    why = second.log.rows[0]["error"]
    assert "1 run(s) in a row" in why and "NEWS_HOST_BACKOFF_S=600s" in why

    # The backoff ends: the host is asked again, it is up now, and the note of it being down goes.
    end_backoff(tmp_path)
    with serve(DEAD, dead), client(tmp_path, backoff_s=600) as third:
        assert outcomes(third, [url]) == ["ok"]
    assert not list(tmp_path.iterdir())


def test_each_run_that_finds_the_host_down_again_doubles_its_backoff(tmp_path: Path):
    dead = refused_port()
    url = f"http://{DEAD}:{dead}/news/1.html"
    waits = []
    for runs in (1, 2, 3):
        with client(tmp_path, backoff_s=100) as c:
            before = time.time()
            assert outcomes(c, [url]) == ["deferred_host_down"]
        assert sent(c, DEAD) == 3  # each run whose backoff has ended asks it again
        state = end_backoff(tmp_path)
        assert state["down_runs"] == runs
        waits.append(state["until"] - before)
    assert [round(w, -1) for w in waits] == [100, 200, 400]


def test_zero_turns_the_skip_off():
    dead = refused_port()
    with client(down_after=0) as c:
        got = outcomes(c, [f"http://{DEAD}:{dead}/{i}.html" for i in range(3)])
    assert got == ["network"] * 3
    assert sent(c, DEAD) == 3 * 3 + 3  # robots.txt and every page, each with its two retries


@pytest.mark.parametrize(("name", "value", "message"), [
    ("NEWS_HOST_DOWN_AFTER", "-1", "NEWS_HOST_DOWN_AFTER=-1 must be at least 0"),
    ("NEWS_HOST_DOWN_AFTER", "three", "NEWS_HOST_DOWN_AFTER='three' is not a whole number"),
    ("NEWS_HOST_BACKOFF_S", "-5", "NEWS_HOST_BACKOFF_S=-5.0 must be between 0 and 86400.0"),
])
def test_the_settings_name_themselves_when_wrong(monkeypatch: pytest.MonkeyPatch, name: str, value: str,
                                                 message: str):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(".", r"\.")):
        settings.load()
