"""Operator notices: text, the URLs from the environment, and real delivery through Apprise to a loopback webhook."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pipeline.alerts import operator
from pipeline.errors import NotifyError


class Receiver:
    """A webhook on 127.0.0.1 that records every JSON POST (Apprise's ``json://`` target)."""

    def __init__(self, status: int = 200) -> None:
        received: list[tuple[str, dict]] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the name http.server dispatches on
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                received.append((self.path, json.loads(body or b"{}")))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base class signature
                pass

        self.received = received
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str = "") -> str:
        return f"json://127.0.0.1:{self.port}/{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def test_the_operator_urls_come_from_the_environment_variable(monkeypatch):
    monkeypatch.setenv(operator.URLS_ENV, "json://127.0.0.1:1/ json://127.0.0.1:2/")
    assert operator.env_urls() == ["json://127.0.0.1:1/", "json://127.0.0.1:2/"]


def test_a_failure_notice_is_delivered_to_every_url(receiver):
    notice = operator.failure_notice("news_ingest", "scheduled__2025-10-28", reason="task_failure",
                                   failed_tasks=["load_warehouse"], log_url="http://127.0.0.1:8080/log")
    assert operator.send([receiver.url("a"), receiver.url("b")], notice) == 2
    assert sorted(path for path, _ in receiver.received) == ["/a", "/b"]
    _, body = receiver.received[0]
    assert body["title"] == "[newswatch] news_ingest failed"
    assert "load_warehouse" in body["message"] and "scheduled__2025-10-28" in body["message"]
    assert body["type"] == "failure"


def test_a_health_notice_lists_the_problems_and_is_a_warning(receiver):
    problems = [{"kind": "feed", "name": f"feed {i}", "health": "failing", "detail": "HTTP 500"} for i in range(25)]
    notice = operator.health_notice(problems)
    assert notice.body.count("HTTP 500") == operator.MAX_LISTED and "and 5 more" in notice.body
    operator.send([receiver.url()], notice)
    (_, body), = receiver.received
    assert body["type"] == "warning" and "feed 0: failing (HTTP 500)" in body["message"]


def test_without_urls_the_notice_is_only_logged(caplog):
    assert operator.send([], operator.deadline_notice("news_ingest", "r1")) == 0
    assert "missed its deadline" in caplog.text


def test_an_invalid_url_fails_loudly_without_leaking_secrets():
    with pytest.raises(NotifyError, match="not a valid Apprise URL") as info:
        operator.send(["nosuchscheme://user:hunter2@host/path"], operator.deadline_notice("news_ingest", "r1"))
    assert "hunter2" not in str(info.value)


def test_a_receiver_that_refuses_makes_delivery_fail():
    refusing = Receiver(status=500)
    try:
        with pytest.raises(NotifyError, match="could not deliver"):
            operator.send([refusing.url()], operator.failure_notice("news_ingest", "r1"))
        assert len(refusing.received) == 1
    finally:
        refusing.close()
