"""Alerts: which matching stories are due an alert, what the alert says, and its delivery.

An alert goes to a *story cluster* and topic, never to each copy of a story. Routes come from
``config/alerts.yaml`` (``NEWS_ALERTS_FILE``); each names its topics, a minimum score, a mode
(``immediate``, or ``digest`` at set UTC times), flood control (``max_immediate``), whether to
send updates, and its channels: the local outbox and/or Apprise URLs read from an environment
variable or an Airflow connection, never from the committed file.

The ``alerts`` table in the LIVE warehouse is the delivery ledger, one row per
(story_cluster_id, topic, route). Delivery runs as the one writer (the ``duckdb_writer`` pool),
and every message goes through this write order:

1. **claim**: in one transaction, upsert the message's rows as ``pending``, ``attempts + 1``,
   with the message's idempotency key (``message_key``); commit.
2. **send** to each channel of the route that has not confirmed this key yet; after each
   channel accepts, append its id to ``channels_done``; commit.
3. **record**: all channels done: ``sent`` and ``sent_at``; otherwise ``failed`` with
   ``last_error`` and ``next_attempt_at`` (exponential backoff); commit.

The one window left is a crash after a channel accepted and before the commit in step 2. The
row stays ``pending`` without that channel in ``channels_done``, so the next run sends the same
message again, with the same key: at-least-once, at most one duplicate per crash. Every message
carries its key (body footer, ``X-Newswatch-Key`` header on e-mail and webhooks, a
``newswatch_key`` field in JSON webhooks, the ``key`` of an outbox line), so a receiver can drop
the duplicate; the outbox does so itself. A ``pending`` or partly delivered message is always
re-sent as the same message; only messages no channel accepted are regrouped.

``NEWS_ALERTS_FAULT=crash_after_send`` makes the process exit right after a channel accepted,
before step 2 commits: the fault tests use it to prove the window above.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from pipeline import settings, sqlfiles
from pipeline.errors import ChannelError, ConfigError
from pipeline.warehouse import db as warehouse
from pipeline.warehouse import migrate

logger = logging.getLogger(__name__)

TOPICS = ("us_japan", "rare_earths")
MODES = ("immediate", "digest")
ROUTE_KEYS = {"name", "enabled", "topics", "min_score", "mode", "digest_at", "max_immediate", "updates",
              "urls_env", "conn_id", "outbox", "console", "since"}
MAX_FACTS = 5
MAX_EVIDENCE = 2
MAX_DIGEST_ITEMS = 50
RETRY_BASE = timedelta(minutes=5)
RETRY_MAX = timedelta(hours=6)
OUTBOX_CHANNEL = "outbox"
FAULT_ENV = "NEWS_ALERTS_FAULT"
# Schemes whose Apprise plugins take extra headers (``+Name=value``): the key rides along.
KEYED_SCHEMES = {"json", "jsons", "form", "forms", "xml", "xmls", "mailto", "mailtos"}
JSON_SCHEMES = {"json", "jsons"}

STORIES = sqlfiles.text("alerts/stories")
LEDGER = sqlfiles.text("alerts/ledger")
CLAIM = sqlfiles.text("alerts/claim")
CHANNEL_DONE = sqlfiles.text("alerts/channel_done")
MARK_SENT = sqlfiles.text("alerts/mark_sent")
MARK_FAILED = sqlfiles.text("alerts/mark_failed")
LAST_DIGEST = sqlfiles.text("alerts/last_digest")


# -- configuration ----------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One delivery route of ``config/alerts.yaml``, with its channel URLs resolved."""

    name: str
    topics: tuple[str, ...]
    min_score: float = 0.0
    mode: str = "immediate"
    digest_at: tuple[time, ...] = ()
    max_immediate: int = 10
    updates: bool = False
    urls: tuple[str, ...] = field(default=(), repr=False)  # secrets: never logged
    outbox: bool = False
    console: bool = False
    since: datetime | None = None


@dataclass(frozen=True)
class AlertsConfig:
    routes: tuple[Route, ...]
    retry_base: timedelta = RETRY_BASE
    retry_max: timedelta = RETRY_MAX
    outbox_path: Path | None = None


ConnectionResolver = Callable[[str], Sequence[str]]


def _env_connection_urls(conn_id: str) -> list[str]:
    """Outside Airflow: read ``AIRFLOW_CONN_<ID>`` (JSON) the way Airflow would, for its URLs."""
    raw = os.environ.get(f"AIRFLOW_CONN_{conn_id.upper()}", "")
    if not raw:
        raise ConfigError(f"connection {conn_id!r} is not available: run in Airflow, or set "
                          f"AIRFLOW_CONN_{conn_id.upper()} (JSON with extra.urls)")
    try:
        doc = json.loads(raw)
    except json.JSONDecodeError:
        raise ConfigError(f"AIRFLOW_CONN_{conn_id.upper()} must be JSON with extra.urls") from None
    return connection_urls(doc.get("extra") or {}, doc.get("host"))


def connection_urls(extra: Any, host: str | None = None) -> list[str]:
    """The Apprise URLs held by a connection: ``extra.urls`` (list or string), else a URL host."""
    if isinstance(extra, str):
        extra = json.loads(extra or "{}")
    urls = (extra or {}).get("urls") if isinstance(extra, dict) else None
    if isinstance(urls, str):
        return urls.split()
    if isinstance(urls, list):
        return [str(u) for u in urls]
    return [host] if host and "://" in host else []


def _time(value: Any, where: str) -> time:
    text = str(value)
    try:
        hour, minute = text.split(":")
        return time(int(hour), int(minute), tzinfo=UTC)
    except ValueError:
        raise ConfigError(f"{where}.digest_at: {text!r} is not a UTC time HH:MM") from None


def _route(doc: Any, where: str, resolve: ConnectionResolver) -> Route | None:
    if not isinstance(doc, dict) or not doc.get("name"):
        raise ConfigError(f"{where}: each route needs a name")
    name = str(doc["name"])
    where = f"{where} route {name!r}"
    unknown = set(doc) - ROUTE_KEYS
    if "urls" in unknown:
        raise ConfigError(f"{where}: urls must not be in the committed file; name an environment variable "
                          f"(urls_env) or an Airflow connection (conn_id)")
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s) {sorted(unknown)}; known: {sorted(ROUTE_KEYS)}")
    if not doc.get("enabled", True):
        return None
    topics = doc.get("topics") or []
    topics = [topics] if isinstance(topics, str) else list(topics)
    if not topics or set(topics) - set(TOPICS):
        raise ConfigError(f"{where}.topics: {topics} must be one or both of {list(TOPICS)}")
    mode = str(doc.get("mode", "immediate"))
    if mode not in MODES:
        raise ConfigError(f"{where}.mode: {mode!r} must be one of {list(MODES)}")
    digest_at = tuple(_time(v, where) for v in doc.get("digest_at") or [])
    if mode == "digest" and not digest_at:
        raise ConfigError(f"{where}.digest_at: a digest route needs at least one UTC time, e.g. ['08:00']")
    try:
        min_score = float(doc.get("min_score", 0.0))
        max_immediate = int(doc.get("max_immediate", 10))
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: min_score must be a number and max_immediate a whole number") from None
    if not 0.0 <= min_score <= 1.0 or max_immediate < 0:
        raise ConfigError(f"{where}: min_score must be in 0..1 and max_immediate at least 0")
    urls: list[str] = []
    if doc.get("urls_env"):
        env_name = str(doc["urls_env"])
        raw = os.environ.get(env_name, "")
        if not raw.strip():
            raise ConfigError(f"{where}.urls_env: environment variable {env_name} is not set "
                              f"(Apprise URLs, separated by spaces); set it or disable the route")
        urls += raw.split()
    if doc.get("conn_id"):
        found = list(resolve(str(doc["conn_id"])))
        if not found:
            raise ConfigError(f"{where}.conn_id: connection {doc['conn_id']!r} holds no Apprise URL (extra.urls)")
        urls += found
    outbox = bool(doc.get("outbox", False))
    if not urls and not outbox:
        raise ConfigError(f"{where}: no channel; set outbox: true, urls_env or conn_id")
    _check_urls(urls, where)
    since = doc.get("since")
    if since is not None:
        since = since if isinstance(since, datetime) else datetime.fromisoformat(str(since))
        since = since if since.tzinfo else since.replace(tzinfo=UTC)
    return Route(name=name, topics=tuple(topics), min_score=min_score, mode=mode, digest_at=digest_at,
                 max_immediate=max_immediate, updates=bool(doc.get("updates", False)), urls=tuple(urls),
                 outbox=outbox, console=bool(doc.get("console", False)), since=since)


def _check_urls(urls: Iterable[str], where: str) -> None:
    import apprise

    for n, url in enumerate(urls, 1):
        if apprise.Apprise.instantiate(url) is None:
            # The URL itself may hold a secret: name its position and scheme only.
            raise ConfigError(f"{where}: URL #{n} ({url.split(':', 1)[0]}://…) is not a valid Apprise URL")


def load_config(path: Path | None = None, *, resolve_connection: ConnectionResolver | None = None) -> AlertsConfig:
    """Read the routes from ``NEWS_ALERTS_FILE`` and resolve their channel URLs.

    Args:
        path: the routes file (default: the ``NEWS_ALERTS_FILE`` setting).
        resolve_connection: conn_id -> Apprise URLs; the DAG passes one backed by Airflow
            connections. Without it, ``AIRFLOW_CONN_<ID>`` is read from the environment.

    Returns:
        The enabled routes.

    Raises:
        ConfigError: the file, a route, a topic, a mode, a time or a URL variable is wrong.
    """
    import yaml

    path = path or settings.load().alerts_file
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"NEWS_ALERTS_FILE={path}: cannot read the alert routes: {exc}") from exc
    where = f"NEWS_ALERTS_FILE={path}"
    if not isinstance(doc, dict) or not isinstance(doc.get("routes"), list):
        raise ConfigError(f"{where}: expected a mapping with a 'routes' list")
    routes = [_route(r, where, resolve_connection or _env_connection_urls) for r in doc["routes"]]
    names = [r.name for r in routes if r]
    if len(names) != len(set(names)):
        raise ConfigError(f"{where}: route names must be unique, got {names}")
    retry = doc.get("retry") or {}
    try:
        base = timedelta(minutes=float(retry.get("base_minutes", RETRY_BASE.total_seconds() / 60)))
        cap = timedelta(minutes=float(retry.get("max_minutes", RETRY_MAX.total_seconds() / 60)))
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: retry.base_minutes and retry.max_minutes must be numbers") from None
    return AlertsConfig(routes=tuple(r for r in routes if r), retry_base=base, retry_max=cap)


def demo_config() -> AlertsConfig:
    """The demo's one route: every match to the local outbox and the console, whatever the file says."""
    return AlertsConfig(routes=(Route(name="outbox", topics=TOPICS, max_immediate=10, updates=True,
                                      outbox=True, console=False),))


def connection_ids(path: Path | None = None) -> list[str]:
    """The Airflow connection ids the enabled routes name (the DAG resolves them)."""
    import yaml

    doc = yaml.safe_load((path or settings.load().alerts_file).read_text(encoding="utf-8")) or {}
    return sorted({str(r["conn_id"]) for r in doc.get("routes") or []
                   if isinstance(r, dict) and r.get("conn_id") and r.get("enabled", True)})


# -- content ----------------------------------------------------------------------------

# Apprise converts between formats per service (HTML -> text, text -> Markdown), and that undoes
# entity escaping: "&lt;script&gt;" in an HTML body reaches the e-mail text part as "<script>".
# So feed text is first made inert in every format (no angle brackets, no link syntax, no live
# URLs or mentions), and HTML bodies are html.escape()d on top.
_INERT = str.maketrans({"<": "‹", ">": "›", "[": "⁅", "]": "⁆", "`": "ʼ", "@": "＠", "|": "¦"})
_LIVE_URL = re.compile(r"(?i)\b(h)tt(ps?)(:)")
_WWW = re.compile(r"(?i)\bwww\.")


def inert(value: Any, limit: int = 300) -> str:
    """Feed or page text made safe for any channel: one line, no markup, links defanged."""
    text = " ".join(str(value or "").split()).translate(_INERT)
    text = _WWW.sub("www[.]", _LIVE_URL.sub(r"\1xx\2\3", text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def safe_link(url: str | None) -> str | None:
    """The story's link when it is plain http(s), with markup characters percent-encoded."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(url.strip(), safe=":/?#@!$&*+,;=%~-._")


@dataclass(frozen=True)
class Alert:
    story_cluster_id: str
    topic: str
    score: float
    title: str
    source: str
    url: str
    published: str | None
    evidence: tuple[str, ...]
    facts: tuple[str, ...]
    terms: tuple[str, ...] = ()
    first_seen_at: datetime | None = None
    fact_index: tuple[tuple[str, str], ...] = ()  # (fact_id:status, line) of every key fact

    @property
    def fact_keys(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.fact_index)

    def fact_lines(self, keys: Iterable[str]) -> tuple[str, ...]:
        wanted = set(keys)
        return tuple(sorted({line for key, line in self.fact_index if key in wanted}))

    def headline(self) -> str:
        return inert(self.title, 200)

    def scored_topic(self) -> str:
        return f"{self.topic} {self.score:.2f}"

    def text(self, new_facts: Sequence[str] = (), topics: str | None = None) -> str:
        """The plain-text body: headline, source, time, topic and score, why, key facts, link."""
        lines = [self.headline(),
                 f"{inert(self.source, 80)} · {self.published or 'date unknown'} · {topics or self.scored_topic()}"]
        if self.terms:
            lines.append("matched: " + ", ".join(inert(t, 60) for t in self.terms))
        lines += [f"why: {inert(e, 200)}" for e in self.evidence]
        lines += [f"new fact: {inert(f)}" for f in new_facts]
        lines += [f"fact: {inert(f)}" for f in self.facts if f not in new_facts]
        lines.append(safe_link(self.url) or "link unavailable")
        return "\n".join(lines)

    def html(self, new_facts: Sequence[str] = (), topics: str | None = None) -> str:
        """The HTML body: the same content, every feed value escaped, only an http(s) link."""
        esc = html.escape
        link = safe_link(self.url)
        title = esc(self.headline())
        heading = f'<a href="{esc(link)}">{title}</a>' if link else title
        parts = [f"<h3>{heading}</h3>",
                 f"<p>{esc(inert(self.source, 80))} · {esc(self.published or 'date unknown')} · "
                 f"<b>{esc(topics or self.scored_topic())}</b></p>"]
        if self.terms:
            parts.append(f"<p>matched: {esc(', '.join(inert(t, 60) for t in self.terms))}</p>")
        if self.evidence:
            parts.append("<p>why it matched:</p><ul>"
                         + "".join(f"<li><i>{esc(inert(e, 200))}</i></li>" for e in self.evidence) + "</ul>")
        facts = [f"<li><b>new:</b> {esc(inert(f))}</li>" for f in new_facts]
        facts += [f"<li>{esc(inert(f))}</li>" for f in self.facts if f not in new_facts]
        if facts:
            parts.append("<p>key facts:</p><ul>" + "".join(facts) + "</ul>")
        return "\n".join(parts)


def _alert(row: Sequence[Any]) -> Alert:
    cluster, topic, score, title, source, url, published, first_seen, evidence, facts = row
    items = json.loads(evidence or "[]")
    why = tuple(" ".join(str(e.get("text", "")).split())[:200]
                for e in items if e.get("field") == "text")[:MAX_EVIDENCE]
    terms = tuple(dict.fromkeys(str(t) for e in items for t in (e.get("terms") or [])))[:8]
    lines = sorted({f["line"] for f in facts})
    return Alert(
        story_cluster_id=cluster, topic=topic, score=float(score), title=title or url, source=source or "",
        url=url, published=published.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if published else None,
        evidence=why, facts=tuple(lines[:MAX_FACTS]), terms=terms, first_seen_at=first_seen,
        fact_index=tuple(sorted({(f["key"], f["line"]) for f in facts})),
    )


def pending_alerts(snapshot_path: Path | None = None) -> list[Alert]:
    """Matching stories no route has sent yet, one per story cluster and topic, oldest first (snapshot)."""
    rows = warehouse.query_snapshot(STORIES,
                                    snapshot_path=snapshot_path)
    return [_alert(row) for row in rows]


@dataclass(frozen=True)
class Item:
    """One story of a message: new, or an update with the facts it gained."""

    alert: Alert
    kind: str = "new"
    new_facts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Story:
    """The items of one story cluster in a message: one block, whatever the number of topics."""

    best: Item
    topics: str
    new_facts: tuple[str, ...]
    is_update: bool

    def text(self) -> str:
        return ("UPDATE: " if self.is_update else "") + self.best.alert.text(self.new_facts, self.topics)

    def html(self) -> str:
        return (("<p><b>Update</b></p>" if self.is_update else "")
                + self.best.alert.html(self.new_facts, self.topics))


def group_stories(items: Iterable[Item]) -> list[Story]:
    """Group items by story cluster, in order: a story matching both topics is one block."""
    groups: dict[str, list[Item]] = {}
    for item in items:
        groups.setdefault(item.alert.story_cluster_id, []).append(item)
    return [Story(best=max(group, key=lambda i: i.alert.score),
                  topics=", ".join(i.alert.scored_topic() for i in group),
                  new_facts=tuple(sorted({f for i in group for f in i.new_facts})),
                  is_update=all(i.kind == "update" for i in group))
            for group in groups.values()]


@dataclass(frozen=True)
class Message:
    route: str
    delivery: str            # immediate (one story) | digest (many stories in one message)
    items: tuple[Item, ...]  # one per ledger row: (story cluster, topic)
    key: str

    @property
    def stories(self) -> list[Story]:
        return group_stories(self.items)

    @property
    def kind(self) -> str:
        if self.delivery == "digest":
            return "digest"
        return "update" if all(i.kind == "update" for i in self.items) else "new"

    def title(self) -> str:
        stories = self.stories
        if self.delivery == "digest":
            return f"newswatch digest: {len(stories)} stories ({self.route})"
        prefix = "newswatch update" if self.kind == "update" else "newswatch"
        topics = ", ".join(i.alert.topic for i in self.items)
        return f"{prefix} [{topics}] {stories[0].best.alert.headline()}"

    def text(self) -> str:
        stories = self.stories
        blocks = [story.text() for story in stories[:MAX_DIGEST_ITEMS]]
        if len(stories) > MAX_DIGEST_ITEMS:
            blocks.append(f"… and {len(stories) - MAX_DIGEST_ITEMS} more (see fct_matching_stories)")
        return "\n\n".join(blocks) + f"\n\n--\nnewswatch alert · route {self.route} · ref {self.key}"

    def html(self) -> str:
        stories = self.stories
        blocks = [story.html() for story in stories[:MAX_DIGEST_ITEMS]]
        if len(stories) > MAX_DIGEST_ITEMS:
            blocks.append(f"<p>… and {len(stories) - MAX_DIGEST_ITEMS} more (see fct_matching_stories)</p>")
        return ("<div>" + "\n<hr>\n".join(blocks) + f"\n<p><small>newswatch alert · route "
                f"{html.escape(self.route)} · ref {html.escape(self.key)}</small></p></div>")


def message_key(route: str, delivery: str, items: Iterable[Item]) -> str:
    """A deterministic idempotency key: the same route, stories and facts give the same key."""
    parts = sorted(f"{i.alert.story_cluster_id}|{i.alert.topic}|{i.kind}|{','.join(sorted(i.new_facts))}"
                   for i in items)
    digest = hashlib.sha256("\n".join([route, delivery, *parts]).encode()).hexdigest()
    return f"nw-{digest[:20]}"


def _message(route: str, delivery: str, items: Sequence[Item]) -> Message:
    return Message(route=route, delivery=delivery, items=tuple(items), key=message_key(route, delivery, items))


# -- channels ---------------------------------------------------------------------------


def _channel_id(url: str) -> str:
    return "url-" + hashlib.sha256(url.encode()).hexdigest()[:12]  # the URL may hold a secret


class OutboxChannel:
    """A JSON Lines file (one message a line) plus, optionally, the console. Drops repeated keys."""

    id = OUTBOX_CHANNEL

    def __init__(self, path: Path, console: bool = False) -> None:
        self.path = path
        self.console = console
        self._keys: set[str] | None = None

    def keys(self) -> set[str]:
        """The keys already written; read once per run (delivery is the only writer)."""
        if self._keys is None:
            self._keys = set()
            if self.path.exists():
                with self.path.open(encoding="utf-8") as handle:
                    self._keys = {json.loads(line)["key"] for line in handle if line.strip()}
        return self._keys

    def send(self, message: Message) -> None:
        if message.key in self.keys():
            logger.info("outbox already holds %s; not written again", message.key)
            return
        line = {"key": message.key, "route": message.route, "kind": message.kind, "delivery": message.delivery,
                "written_at": datetime.now(UTC).isoformat(), "title": message.title(),
                "text": message.text(), "html": message.html(),
                "stories": [{"story_cluster_id": i.alert.story_cluster_id, "topic": i.alert.topic,
                             "kind": i.kind, "score": i.alert.score, "url": i.alert.url} for i in message.items]}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise ChannelError(f"outbox {self.path}: {exc}") from exc
        self.keys().add(message.key)
        if self.console:
            sys.stdout.write(f"{message.title()}\n{message.text()}\n\n")


class AppriseChannel:
    """One Apprise URL. HTML-first services (e-mail) get the HTML body, the others plain text."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.id = _channel_id(url)

    def _keyed_url(self, key: str) -> str:
        scheme = self.url.split(":", 1)[0].lower()
        if scheme not in KEYED_SCHEMES:
            return self.url
        extra = f"+X-Newswatch-Key={key}" + (f"&:newswatch_key={key}" if scheme in JSON_SCHEMES else "")
        return f"{self.url}{'&' if '?' in self.url else '?'}{extra}"

    def send(self, message: Message) -> None:
        import apprise

        notifier = apprise.Apprise(asset=apprise.AppriseAsset(app_id="newswatch"))
        if not notifier.add(self._keyed_url(message.key)):
            raise ChannelError(f"channel {self.id}: not a valid Apprise URL")
        plugin = apprise.Apprise.instantiate(self.url)
        formats = getattr(plugin, "notify_format", apprise.NotifyFormat.TEXT)
        first = formats[0] if isinstance(formats, tuple) else formats
        as_html = first == apprise.NotifyFormat.HTML
        # apprise leaves LogCapture.__init__ unannotated.
        with apprise.LogCapture(level=logging.WARNING) as captured:  # type: ignore[no-untyped-call]
            try:
                ok = notifier.notify(title=message.title(), body=message.html() if as_html else message.text(),
                                     body_format=apprise.NotifyFormat.HTML if as_html else apprise.NotifyFormat.TEXT)
            except Exception as exc:  # noqa: BLE001 - a plugin bug is this channel's failure, not the run's
                raise ChannelError(f"channel {self.id}: {type(exc).__name__}: {exc}"[:500]) from exc
            log = captured.getvalue()
        if not ok:
            lines = [line.split(" - ", 2)[-1] for line in log.strip().splitlines()]
            raise ChannelError(f"channel {self.id}: " + (" | ".join(lines[-3:]) or "delivery failed")[:500])


Channel = OutboxChannel | AppriseChannel


def channels(route: Route, outbox_path: Path | None = None) -> list[Channel]:
    """The route's channels, in a stable order (the ledger records them by id)."""
    found: list[Channel] = []
    if route.outbox:
        found.append(OutboxChannel(outbox_path or outbox_file(), console=route.console))
    found += [AppriseChannel(url) for url in route.urls]
    return found


def outbox_file() -> Path:
    """``<NEWS_DATA_DIR>/alerts/outbox.jsonl``."""
    return settings.load().data_dir / "alerts" / "outbox.jsonl"


# -- delivery ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerRow:
    status: str
    attempts: int
    kind: str | None
    delivery: str | None
    message_key: str | None
    next_attempt_at: datetime | None
    channels_done: tuple[str, ...]
    facts_sent: tuple[str, ...] | None  # null: sent before updates were tracked
    sent_at: datetime | None


@dataclass
class Delivery:
    route: str
    kind: str
    key: str
    title: str
    count_stories: int
    error: str | None = None


@dataclass
class DeliveryReport:
    sent: list[Delivery] = field(default_factory=list)
    failed: list[Delivery] = field(default_factory=list)
    count_routes: int = 0

    def summary(self) -> dict[str, Any]:
        """Small counts for XCom and logs."""
        return {"count_routes": self.count_routes, "count_messages_sent": len(self.sent),
                "count_messages_failed": len(self.failed),
                "count_stories_sent": sum(d.count_stories for d in self.sent),
                "failed_routes": sorted({d.route for d in self.failed})}


def _backoff(cfg: AlertsConfig, attempts: int) -> timedelta:
    factor: int = 2 ** max(attempts - 1, 0)  # int ** int is typed Any: a negative power is a float
    return min(cfg.retry_base * factor, cfg.retry_max)


def _last_slot(route: Route, now: datetime) -> datetime:
    """The latest digest time at or before ``now``."""
    slots = [datetime.combine(now.date() - timedelta(days=back), t) for back in (0, 1) for t in route.digest_at]
    return max(s for s in slots if s <= now)


def _fault(point: str) -> None:
    if settings.load().alerts_fault == point:
        logger.error("fault injection %s=%s: exiting now", FAULT_ENV, point)
        os._exit(137)


def _plan(route: Route, stories: dict[tuple[str, str], Alert], ledger: dict[tuple[str, str], LedgerRow],
          now: datetime, last_digest: datetime | None) -> list[Message]:
    """The messages a route sends this run: unconfirmed ones again, then new stories and updates."""
    resend: dict[str, list[Item]] = {}
    resend_delivery: dict[str, str] = {}
    fresh: list[Item] = []
    for (cluster, topic), alert in stories.items():
        if topic not in route.topics:
            continue
        row = ledger.get((cluster, topic))
        if row is None:
            # New for this route: never delivered to it, whenever it was published.
            if alert.score >= route.min_score and (route.since is None or alert.first_seen_at is None
                                                   or alert.first_seen_at >= route.since):
                fresh.append(Item(alert))
            continue
        gained = () if row.facts_sent is None else alert.fact_lines(set(alert.fact_keys) - set(row.facts_sent))
        if row.status == "sent":
            if route.updates and gained:
                fresh.append(Item(alert, "update", gained))
            continue
        if row.status == "failed" and row.next_attempt_at is not None and row.next_attempt_at > now:
            continue  # backing off
        item = Item(alert, row.kind or "new", gained if row.kind == "update" else ())
        if row.status == "pending" or row.channels_done:
            # Outcome unknown (a crash) or partly delivered: the very same message again, same key.
            key = row.message_key or ""
            resend.setdefault(key, []).append(item)
            resend_delivery[key] = row.delivery or "immediate"
        else:
            fresh.append(item)
    messages = [Message(route.name, resend_delivery[key], tuple(items), key) for key, items in resend.items()]
    if route.mode == "digest":
        slot = _last_slot(route, now)
        digest_due = last_digest is None or last_digest < slot
        due = [i for i in fresh
               if (i.kind == "update" and digest_due)
               or (i.kind != "update" and (i.alert.first_seen_at is None or i.alert.first_seen_at < slot))]
        if due:
            messages.append(_message(route.name, "digest", due))
        return messages
    groups: dict[str, list[Item]] = {}
    for item in fresh:  # a story that matches both topics is one message
        groups.setdefault(item.alert.story_cluster_id, []).append(item)
    story_items = list(groups.values())
    # Resent immediate messages count against this run's flood limit.
    budget = max(0, route.max_immediate - sum(1 for m in messages if m.delivery == "immediate"))
    immediate, rest = story_items[:budget], story_items[budget:]
    messages += [_message(route.name, "immediate", items) for items in immediate]
    if rest:  # flood control: the rest in one message
        messages.append(_message(route.name, "digest", [item for items in rest for item in items]))
    return messages


def _stories(con: Any) -> dict[tuple[str, str], Alert]:
    rows = con.execute(STORIES.replace("from fct_alert_candidates as stories", "from fct_matching_stories as stories")).fetchall()
    return {(row[0], row[1]): _alert(row) for row in rows}


def _ledger(con: Any, route: str) -> dict[tuple[str, str], LedgerRow]:
    rows = con.execute(LEDGER + " where route = ?", [route]).fetchall()
    return {(r[0], r[1]): LedgerRow(status=r[3], attempts=r[4], kind=r[5], delivery=r[6], message_key=r[7],
                                    next_attempt_at=r[8], channels_done=tuple(r[9]),
                                    facts_sent=None if r[10] is None else tuple(r[10]),
                                    sent_at=r[11])
            for r in rows}


def _commit(con: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    con.begin()
    try:
        for params in rows:
            con.execute(sql, list(params))
        con.commit()
    except Exception:
        con.rollback()
        raise


def _deliver(con: Any, cfg: AlertsConfig, route: Route, targets: Sequence[Channel], message: Message,
             done: set[str], now: datetime) -> Delivery:
    """Claim, send, record: the ledger write order of the module docstring."""
    # (1) claim: pending, attempts + 1, the idempotency key; committed before anything is sent.
    _commit(con, CLAIM, [(i.alert.story_cluster_id, i.alert.topic, route.name, now, i.kind, message.delivery,
                          message.key, now, list(i.alert.fact_keys)) for i in message.items])
    (attempts,) = con.execute("select max(attempts) from alerts where route = ? and message_key = ?",
                              [route.name, message.key]).fetchone()
    delivery = Delivery(route.name, message.kind, message.key, message.title(), len(message.stories))
    errors = []
    # (2) send to each channel that has not confirmed this key; record each acceptance at once.
    for channel in targets:
        if channel.id in done:
            continue
        try:
            channel.send(message)
        except ChannelError as exc:
            errors.append(str(exc))
            continue
        _fault("crash_after_send")
        _commit(con, CHANNEL_DONE, [(channel.id, route.name, message.key)])
    # (3) record the outcome.
    if errors:
        delivery.error = "; ".join(errors)[:1000]
        retry_at = now + _backoff(cfg, int(attempts or 1))
        _commit(con, MARK_FAILED, [(delivery.error, retry_at, route.name, message.key)])
        logger.warning("route %s: %s failed (attempt %s, next at %s): %s", route.name, message.key,
                       attempts, retry_at.isoformat(), delivery.error)
    else:
        _commit(con, MARK_SENT, [(datetime.now(UTC), route.name, message.key)])
        logger.info("route %s: sent %s %s (%d stories)", route.name, message.kind, message.key,
                    len(message.stories))
    return delivery


def send_alerts(*, config: AlertsConfig | None = None, now: datetime | None = None, db_path: Path | None = None,
                snapshot_path: Path | None = None, resolve_connection: ConnectionResolver | None = None,
                publish: bool = True) -> DeliveryReport:
    """Deliver every due alert on every route, as the one writer of the live warehouse.

    A channel that is down does not fail the call: its rows are ``failed`` with the error and a
    ``next_attempt_at``, ``fct_alert_route_health`` shows the route as failing, and a later run
    retries. After any ledger write the snapshot is published, so views and the UI see it.

    Args:
        config: the routes (default: ``load_config()``).
        now: the time to plan with (digest slots, backoff); defaults to the clock.
        db_path: the live warehouse (default ``NEWS_DUCKDB_PATH``).
        snapshot_path: where to publish the snapshot (default ``NEWS_SNAPSHOT_PATH``).
        resolve_connection: conn_id -> Apprise URLs (the DAG passes Airflow connections).
        publish: publish the snapshot after writing the ledger.

    Returns:
        What was sent and what failed.

    Raises:
        ConfigError: the routes file is wrong.
        LoadError: the live warehouse could not be opened.
    """
    cfg = config or load_config(resolve_connection=resolve_connection)
    now = now or datetime.now(UTC)
    now = now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
    report = DeliveryReport(count_routes=len(cfg.routes))
    con = warehouse.connect_live(db_path)
    try:
        migrate.apply(con)
        stories = _stories(con)
        for route in cfg.routes:
            ledger = _ledger(con, route.name)
            digest_row = con.execute(LAST_DIGEST, [route.name]).fetchone()
            assert digest_row is not None  # an aggregate without group by always returns one row
            (last_digest,) = digest_row
            done_by_key: dict[str, set[str]] = {}
            for row in ledger.values():
                if row.message_key and row.status != "sent":
                    done_by_key.setdefault(row.message_key, set()).update(row.channels_done)
            targets = channels(route, cfg.outbox_path)
            for message in _plan(route, stories, ledger, now, last_digest):
                delivery = _deliver(con, cfg, route, targets, message, done_by_key.get(message.key, set()), now)
                (report.failed if delivery.error else report.sent).append(delivery)
        con.execute("checkpoint")
    finally:
        con.close()
    if publish and (report.sent or report.failed):
        warehouse.publish_snapshot(db_path=db_path, snapshot_path=snapshot_path)
    return report
