"""Alert delivery end to end: the real pipeline over the sample site, then real channels on loopback.

Channels: an SMTP server (aiosmtpd) reached through Apprise ``mailto://``, a JSON webhook receiver
(``http.server``) reached through ``json://``, and the local outbox file.
"""

from __future__ import annotations

import email
import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from aiosmtpd.controller import Controller

from pipeline import sample_site, settings
from pipeline.alerts import channels, content, ledger
from pipeline.stages import runner
from pipeline.warehouse import db, migrate

EVIDENCE = [{"text": "Japan and the United States agreed a framework on rare earths supply.", "start": 0,
             "end": 70, "field": "text", "terms": ["rare earths", "us+japan"]}]


# -- loopback channels --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmtpSink:
    """An aiosmtpd handler keeping every message it accepts, parsed."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.url = ""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def parts(self, message) -> tuple[str, str]:
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        return (text.get_content() if text else ""), (html.get_content() if html else "")


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    sink.url = f"mailto://127.0.0.1:{port}?from=alerts@newswatch.test&to=desk@newswatch.test&mode=insecure"
    try:
        yield sink
    finally:
        controller.stop()


class Hook:
    """A JSON webhook receiver on loopback that records each request (headers and payload)."""

    def __init__(self, port: int = 0) -> None:
        received: list[tuple[dict[str, str], dict[str, Any]]] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's hook name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received.append((dict(self.headers), json.loads(body)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.received = received
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_port
        self.url = f"json://127.0.0.1:{self.port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def keys(self) -> list[str]:
        return [payload["newswatch_key"] for _, payload in self.received]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook() -> Iterator[Hook]:
    receiver = Hook()
    try:
        yield receiver
    finally:
        receiver.stop()


def write_routes(tmp_path: Path, monkeypatch, routes: list[dict[str, Any]], **urls: str) -> Path:
    """Write an alerts file, point NEWS_ALERTS_FILE at it, and put each route's URLs in its env var."""
    for name, value in urls.items():
        monkeypatch.setenv(name, value)
    path = tmp_path / "alerts.yaml"
    path.write_text(yaml.safe_dump({"retry": {"base_minutes": 5, "max_minutes": 60}, "routes": routes}))
    monkeypatch.setenv("NEWS_ALERTS_FILE", str(path))
    return path


def outbox_lines() -> list[dict[str, Any]]:
    path = channels.outbox_file()
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def add_stories(n: int, *, prefix: str = "syn", title: str = "Japan and US rare earths deal {i}",
                first_seen: datetime | None = None, score: float = 0.9, topic: str = "us_japan") -> None:
    """Insert ``n`` matching stories (one article and cluster each) straight into the live warehouse."""
    first_seen = first_seen or datetime.now(UTC) - timedelta(hours=1)
    con = db.connect_live()
    try:
        migrate.apply(con)
        con.execute(
            "insert into articles (article_id, canonical_url, source_domain, title, published_at, text, "
            "story_cluster_id, first_seen_at, first_run_id, last_run_id, updated_at) "
            "select ? || i, 'https://news.test/' || ? || i, 'news.test', replace(?, '{i}', i::varchar), ?, "
            "'text', ? || i, ?, 'synthetic', 'synthetic', ? from range(?) as t(i)",
            [prefix, prefix, title, first_seen, prefix, first_seen, first_seen, n])
        con.execute(
            "insert into classifications select ? || i, ?, ?, true, ?, 'test', ? from range(?) as t(i)",
            [prefix, topic, score, json.dumps(EVIDENCE), first_seen, n])
    finally:
        con.close()
    db.publish_snapshot()


def query_live(sql: str = "select story_cluster_id, topic, route, status, attempts from alerts order by all"):
    with duckdb.connect(str(settings.load().duckdb_path), read_only=True) as con:
        return con.execute(sql).fetchall()


# -- the real pipeline ----------------------------------------------------------------------


SEED_URL = "/articles/trump-takaichi-summit.html"
SYNDICATED_URL = "/articles/syndicated-trump-takaichi-summit.html"


def only_feed(tmp_path: Path, feed: str) -> Path:
    path = tmp_path / "feeds-one.yaml"
    path.write_text(yaml.safe_dump({"base_url": "${NEWS_SAMPLE_SITE_URL}",
                                    "feeds": [{"name": "one", "url": feed, "topics": ["us_japan"]}]}))
    return path


def test_a_new_story_alerts_once_per_route_and_its_syndicated_copy_never(sample_env, smtp, hook, tmp_path,
                                                                          monkeypatch):
    routes = [{"name": name, "topics": ["us_japan", "rare_earths"], "mode": "immediate", "max_immediate": 100,
               **channel} for name, channel in (("mail", {"urls_env": "NEWS_TEST_MAIL"}),
                                                ("hook", {"urls_env": "NEWS_TEST_HOOK"}),
                                                ("box", {"outbox": True}))]
    write_routes(tmp_path, monkeypatch, routes, NEWS_TEST_MAIL=smtp.url, NEWS_TEST_HOOK=hook.url)

    # Run 1 sees only the merge-conflicted feed, which carries the seed story but not its copy.
    monkeypatch.setenv("NEWS_FEEDS_FILE", str(only_feed(tmp_path, "/feeds/broken.xml")))
    runner.run_pipeline("run-1", force=True)
    first = ledger.send_alerts()
    assert first.failed == []
    (seed_cluster, seed_title, seed_evidence), = query_live(
        "select a.story_cluster_id, a.title, c.evidence from articles a join classifications c using (article_id) "
        f"where a.canonical_url like '%{SEED_URL}' and c.topic = 'us_japan'")
    why = content.inert(next(e["text"] for e in json.loads(seed_evidence) if e["field"] == "text"), 200)
    headline = content.inert(seed_title, 200)

    # Exactly one message per route for the seed story, each with the evidence.
    mails = [m for m in smtp.messages if headline in str(m["Subject"])]
    assert len(mails) == 1
    text, html = smtp.parts(mails[0])
    assert why[:60] in text and "why it matched" in text
    assert why[:60] in html and "<li>" in html
    assert mails[0]["X-Newswatch-Key"]
    hooks = [p for _, p in hook.received if p["title"].endswith(headline)]
    assert len(hooks) == 1 and why[:60] in hooks[0]["message"]
    boxed = [line for line in outbox_lines() if any(s["story_cluster_id"] == seed_cluster for s in line["stories"])]
    assert [line["route"] for line in boxed] == ["box"] and why[:60] in boxed[0]["text"]
    assert len(smtp.messages) == len(hook.received) == len(outbox_lines()) == len(first.sent) // 3

    # Run 2 reads every feed: the syndicated copy joins the seed's cluster and alerts nobody.
    monkeypatch.setenv("NEWS_FEEDS_FILE", str(sample_site.FEEDS_FILE))
    runner.run_pipeline("run-2", force=True)
    ((copy_cluster,),) = query_live(f"select story_cluster_id from articles where canonical_url like '%{SYNDICATED_URL}'")
    assert copy_cluster == seed_cluster
    before = (len(smtp.messages), len(hook.received))
    second = ledger.send_alerts()
    assert second.failed == [] and second.sent  # other stories of run 2 are new
    assert not [m for m in smtp.messages[before[0]:] if "Takaichi" in str(m["Subject"])]
    assert not [p for _, p in hook.received[before[1]:] if SEED_URL in p["message"] or SYNDICATED_URL in p["message"]]
    assert query_live(f"select route, attempts, status from alerts where story_cluster_id = '{seed_cluster}' "
                  "and topic = 'us_japan' order by route") == [("box", 1, "sent"), ("hook", 1, "sent"),
                                                               ("mail", 1, "sent")]

    # Run 3: nothing new, nothing sent.
    counts = (len(smtp.messages), len(hook.received), len(outbox_lines()))
    assert ledger.send_alerts().sent == []
    assert (len(smtp.messages), len(hook.received), len(outbox_lines())) == counts
    health = db.query_snapshot("select route, count_failed, is_failing from fct_alert_route_health "
                                      "order by route")
    assert health == [("box", 0, False), ("hook", 0, False), ("mail", 0, False)]


# -- synthetic stories ------------------------------------------------------------------------


def test_a_flood_of_200_new_matches_gives_n_alerts_and_one_digest(smtp, hook, tmp_path, monkeypatch):
    write_routes(tmp_path, monkeypatch, [
        {"name": "mail", "topics": ["us_japan"], "max_immediate": 5, "urls_env": "NEWS_TEST_MAIL"},
        {"name": "hook", "topics": ["us_japan"], "max_immediate": 5, "urls_env": "NEWS_TEST_HOOK"},
    ], NEWS_TEST_MAIL=smtp.url, NEWS_TEST_HOOK=hook.url)
    add_stories(200)

    report = ledger.send_alerts()

    assert len(smtp.messages) == len(hook.received) == 6
    digests = [m for m in smtp.messages if str(m["Subject"]).startswith("newswatch digest")]
    assert len(digests) == 1 and "195 stories" in str(digests[0]["Subject"])
    assert "and 145 more" in smtp.parts(digests[0])[0]
    assert sorted(d.kind for d in report.sent if d.route == "hook") == ["digest"] + ["new"] * 5
    assert query_live("select route, status, count(*) from alerts group by all order by all") == [
        ("hook", "sent", 200), ("mail", "sent", 200)]
    ledger.send_alerts()
    assert len(smtp.messages) == len(hook.received) == 6


def test_a_headline_with_markup_arrives_inert(smtp, hook, tmp_path, monkeypatch):
    write_routes(tmp_path, monkeypatch, [
        {"name": "mail", "topics": ["us_japan"], "urls_env": "NEWS_TEST_MAIL"},
        {"name": "hook", "topics": ["us_japan"], "urls_env": "NEWS_TEST_HOOK"},
        {"name": "box", "topics": ["us_japan"], "outbox": True},
    ], NEWS_TEST_MAIL=smtp.url, NEWS_TEST_HOOK=hook.url)
    add_stories(1, title="<script>alert(1)</script> R&D [click](http://evil.example) <b>Japan</b> {i}")

    ledger.send_alerts()

    (mail,) = smtp.messages
    text, html = smtp.parts(mail)
    (_, payload), = hook.received
    (boxed,) = outbox_lines()
    for body in (str(mail["Subject"]), text, html, payload["title"], payload["message"], boxed["text"],
                 boxed["html"]):
        assert "<script" not in body and "<b>Japan" not in body
        assert "[click](" not in body and "http://evil" not in body
    assert "‹script›alert(1)‹/script›" in text and "hxxp://evil.example" in text
    heading = html.split("<h3>")[1].split("</h3>")[0]
    assert "‹script›alert(1)‹/script› R&amp;D" in heading and "hxxp://evil.example" in heading
    assert '<a href="https://news.test/syn0">' in html  # our own link stays a link


def test_a_digest_route_sends_one_digest_at_its_time_and_none_before(smtp, tmp_path, monkeypatch):
    write_routes(tmp_path, monkeypatch, [
        {"name": "morning", "topics": ["us_japan", "rare_earths"], "mode": "digest", "digest_at": ["08:00"],
         "urls_env": "NEWS_TEST_MAIL"},
    ], NEWS_TEST_MAIL=smtp.url)
    day = datetime(2026, 3, 10, tzinfo=UTC)
    add_stories(3, prefix="early", first_seen=day + timedelta(hours=6))
    add_stories(1, prefix="late", first_seen=day + timedelta(hours=8, minutes=30), topic="rare_earths")

    assert ledger.send_alerts(now=day + timedelta(hours=7, minutes=59)).sent == []
    assert smtp.messages == []

    report = ledger.send_alerts(now=day + timedelta(hours=8, minutes=5))
    assert [(d.kind, d.count_stories) for d in report.sent] == [("digest", 3)]
    assert ledger.send_alerts(now=day + timedelta(hours=9)).sent == []  # "late" waits for tomorrow
    assert ledger.send_alerts(now=day + timedelta(days=1, hours=7)).sent == []
    report = ledger.send_alerts(now=day + timedelta(days=1, hours=8, minutes=1))
    assert [(d.kind, d.count_stories) for d in report.sent] == [("digest", 1)]
    assert len(smtp.messages) == 2
    assert all(str(m["Subject"]).startswith("newswatch digest") for m in smtp.messages)


@pytest.mark.airflow
def test_the_news_alerts_dag_delivers_to_the_demo_outbox(sample_env, monkeypatch):
    from pipeline.cli import dagrun

    monkeypatch.setenv("NEWS_ALERTS_FILE", str(settings.CONFIG_DIR / "alerts.yaml"))
    runner.run_pipeline("run-1", force=True)
    env = dagrun.airflow_env()
    dagrun.prepare(env)
    dagrun._call(["dags", "test", "news_alerts"], env, quiet=True)

    lines = outbox_lines()
    assert lines and {line["route"] for line in lines} == {"outbox"}
    assert sum(len(line["stories"]) for line in lines) == len(query_live("select * from alerts where status = 'sent'"))
    assert db.query_snapshot("select route, is_failing from fct_alert_route_health") == [("outbox", False)]
