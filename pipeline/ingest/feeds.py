"""Stage 1: fetch the feeds that are due and stage their entries.

Feeds are read from YAML (``config/feeds.yaml``, or ``NEWS_FEEDS_FILE``) and split into shards
by host, so that one host's requests always stay in one shard and the per-host spacing holds.
Each feed is fetched with conditional GET; a 304, or a body whose hash has not changed, costs
almost nothing. A feed that fails is recorded and backed off, never dropped, and never stops
the other feeds.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import statistics
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import yaml

from pipeline import settings
from pipeline.config_schema import FeedDefaults, FeedsFile, check
from pipeline.errors import ConfigError, FetchError
from pipeline.ingest.http import FEED_TYPES, ClientOptions, PoliteClient
from pipeline.urls import article_id, canonical_url

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL_MIN = 30
MAX_BACKOFF = timedelta(hours=24)
# Adaptive polling (as Miniflux does): a feed is polled about twice per typical gap between its
# entries, never more often than its configured interval and never less than twice a day.
MAX_POLL = timedelta(hours=12)
RHYTHM_ENTRIES = 20
# A feed date further ahead than this is a publisher's mistake (wrong year, wrong time zone), not news
# from the future; the clock skew between us and any honest server is far below a day.
MAX_FUTURE = timedelta(days=1)
# An entity declaration inside a DOCTYPE: how "billion laughs" and external-entity (XXE) payloads
# start. No real news feed needs one, so such a body is refused before any XML parser sees it.
_DTD_ENTITY = re.compile(rb"<!ENTITY", re.I)
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.I)
_ENV_REF = re.compile(r"\$\{([A-Z0-9_]+)\}")

@dataclass(frozen=True)
class FeedSource:
    name: str
    url: str
    topics: tuple[str, ...] = ()
    interval_minutes: int = DEFAULT_INTERVAL_MIN

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()


@dataclass
class FeedState:
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    consecutive_failures: int = 0
    next_due_at: datetime | None = None
    median_gap_minutes: float | None = None


@dataclass
class ShardResult:
    items: list[dict[str, Any]] = field(default_factory=list)
    states: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    article_ids: set[str] = field(default_factory=set)

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n


# -- configuration ----------------------------------------------------------------------


def _expand(value: str, where: str) -> str:
    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise ConfigError(f"{where} refers to ${{{name}}}, but the environment variable {name} is not set")
        return os.environ[name]

    return _ENV_REF.sub(sub, value)


def load_sources(path: Path | None = None) -> list[FeedSource]:
    """Read the feed list.

    The file has an optional ``base_url`` (relative feed URLs are joined to it; ``${VAR}`` is
    taken from the environment), optional ``defaults`` and a ``feeds`` list of
    ``{name, url, topics, interval_minutes}``.

    Raises:
        ConfigError: the file is missing or malformed; the message names the file and the key.
    """
    path = path or settings.load().feeds_file
    if not path.exists():
        raise ConfigError(f"feeds file {path} does not exist (set NEWS_FEEDS_FILE or --feeds)")
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"feeds file {path} is not valid YAML: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("feeds"), list) or not doc["feeds"]:
        raise ConfigError(f"feeds file {path} needs a non-empty 'feeds:' list")
    schema = check(FeedsFile, doc, f"feeds file {path}")
    base = _expand(schema.base_url or "", f"{path}: base_url")
    defaults = schema.defaults or FeedDefaults()
    sources = []
    seen: set[str] = set()
    for i, entry in enumerate(schema.feeds):
        where = f"{path}: feeds[{i}]"
        try:
            url = urljoin(base, _expand(entry.url.strip(), f"{where}.url"))
            scheme = urlsplit(url).scheme
        except ValueError as exc:  # "http://[::1": urllib refuses it
            raise ConfigError(f"{where}.url: expected an absolute http(s) URL ({exc})") from None
        if scheme not in ("http", "https"):
            raise ConfigError(f"{where}.url {url!r} is not an absolute http(s) URL (set base_url?)")
        if url in seen:
            raise ConfigError(f"{where}.url {url} is listed twice")
        seen.add(url)
        topics = entry.topics if entry.topics is not None else defaults.topics or []
        interval = entry.interval_minutes or defaults.interval_minutes or DEFAULT_INTERVAL_MIN
        sources.append(FeedSource(entry.name, url, tuple(topics), interval))
    return sources


def shard_of(host: str, n_shards: int) -> int:
    """Stable shard of a host; every feed and page of one host lands in the same shard."""
    return zlib.crc32(host.encode()) % n_shards


# -- parsing ----------------------------------------------------------------------------


def _entry_time(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return datetime(*value[:6]).replace(tzinfo=UTC)
            except (TypeError, ValueError):
                continue
    return None


@dataclass(frozen=True)
class Parsed:
    rows: list[dict[str, Any]]
    error: str | None = None      # not a usable feed: nothing could be read from it
    warning: str | None = None    # malformed, but feedparser's lenient mode recovered entries
    error_class: str = "parse_error"  # recorded with ``error``: parse_error or xml_entities


def parse_entries(body: bytes, feed_url: str, content_type: str = "") -> Parsed:
    """Parse a feed body into item rows.

    Each article id appears once, as its first entry: a feed that repeats a link (or lists it
    twice with and without trackers) stages it once. Two entries that share a GUID but link to
    different pages are two articles, because identity is the canonical URL.

    A date more than ``MAX_FUTURE`` ahead is clamped to the time the feed was read (``seen_at``):
    an analyst sorting by ``published_at`` then sees the story where it actually appeared, instead
    of pinned to the top until 2099, and the warning in the log keeps the raw value.

    Returns:
        The rows, with ``error`` set when the body is not a usable feed (malformed XML with no
        entries, an HTML page served as a feed, or a DTD that declares entities) and ``warning``
        when it is malformed but entries were recovered.
    """
    doctype = _DOCTYPE.search(body)
    if doctype and _DTD_ENTITY.search(body, doctype.end()):
        # Refused outright rather than parsed: expat >= 2.4 caps entity amplification, but
        # feedparser then falls back to its lenient parser, and older expat builds (or a UTF-16
        # body) would expand the entities. defusedxml refuses entity declarations by default too.
        return Parsed([], error="the feed declares XML entities in its DOCTYPE (entity expansion refused)",
                      error_class="xml_entities")
    headers = {"content-location": feed_url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(body, response_headers=headers)
    problem = f"{type(parsed.bozo_exception).__name__}: {parsed.bozo_exception}" if parsed.bozo else None
    if parsed.bozo and not parsed.entries:
        return Parsed([], error=problem)
    if not parsed.entries and not parsed.get("version"):
        return Parsed([], error="not a feed: no RSS/Atom structure found")
    # An encoding override (declared charset wrong, body decoded another way) is harmless;
    # anything else (a SAX error, e.g. a merge conflict in the XML) is worth an operator's look.
    if parsed.bozo and isinstance(parsed.bozo_exception, feedparser.CharacterEncodingOverride):
        problem = None
    rows = []
    seen: set[str] = set()
    now = datetime.now(UTC)
    for entry in parsed.entries:
        link = entry.get("link") or ""
        if not link:
            for candidate in entry.get("links", []):
                if candidate.get("href"):
                    link = candidate["href"]
                    break
        if not link:
            continue
        url = canonical_url(link, feed_url)
        aid = article_id(url)
        if aid in seen:
            continue
        seen.add(aid)
        published = _entry_time(entry)
        if published is not None and published > now + MAX_FUTURE:
            logger.warning("feed %s: %s is dated %s, in the future; using the fetch time", feed_url, url,
                           published.isoformat())
            published = now
        rows.append({
            "article_id": aid,
            "url": url,
            "original_url": re.sub(r"\s+", "", urljoin(feed_url, link.strip())),
            "feed_url": feed_url,
            "guid": entry.get("id") or None,
            "title": (entry.get("title") or "").strip() or None,
            "summary": _strip_tags(entry.get("summary") or ""),
            "author": entry.get("author") or None,
            "published_at": published,
            "seen_at": now,
        })
    return Parsed(rows, warning=problem)


def _strip_tags(html: str) -> str | None:
    if not html:
        return None
    from bs4 import BeautifulSoup

    text = BeautifulSoup(html, "html.parser").get_text(" ", strip=True)
    return re.sub(r"\s+", " ", text).strip() or None


def median_gap_minutes(items: list[dict[str, Any]]) -> float | None:
    """The typical time between a feed's newest entries, in minutes (None when undated)."""
    times = sorted((i["published_at"] for i in items if i.get("published_at")), reverse=True)[:RHYTHM_ENTRIES]
    gaps = [(newer - older).total_seconds() / 60 for newer, older in zip(times, times[1:], strict=False)
            if newer > older]
    return statistics.median(gaps) if gaps else None


def poll_interval(source: FeedSource, gap_minutes: float | None) -> timedelta:
    """How long to wait before the next poll of a healthy feed, from its rhythm."""
    floor = timedelta(minutes=source.interval_minutes)
    if gap_minutes is None:
        return floor
    return min(max(timedelta(minutes=gap_minutes / 2), floor), max(MAX_POLL, floor))


def _next_due(source: FeedSource, now: datetime, failures: int, gap_minutes: float | None = None) -> datetime:
    if failures:
        # Back off a failing feed exponentially, but keep trying at least daily.
        interval = timedelta(minutes=source.interval_minutes)
        factor: int = 2 ** min(failures, 10)  # int ** int is typed Any: a negative power is a float
        return now + min(interval * factor, MAX_BACKOFF)
    return now + poll_interval(source, gap_minutes)


def _strong_last_modified(headers: dict[str, str]) -> str | None:
    """Last-Modified, unless it is within a second of the response's Date.

    Such a date is a weak validator (RFC 9110 §8.8.2.2): the feed may change again within that same
    second, and a conditional GET on it would answer 304 and hide the change. Without it the next
    request is unconditional (or uses the ETag), and the body hash still skips an unchanged body.
    """
    last_modified, date = headers.get("last-modified"), headers.get("date")
    if not last_modified or not date:
        return last_modified
    try:
        modified_at, sent_at = parsedate_to_datetime(last_modified), parsedate_to_datetime(date)
    except (TypeError, ValueError):
        return last_modified
    if modified_at.tzinfo is None or sent_at.tzinfo is None:
        return last_modified
    return last_modified if (sent_at - modified_at).total_seconds() >= 1 else None


def fetch_one(client: PoliteClient, source: FeedSource, state: FeedState, result: ShardResult) -> None:
    now = datetime.now(UTC)
    row: dict[str, Any] = {
        "feed_url": source.url, "name": source.name, "topics_hint": list(source.topics),
        "etag": state.etag, "last_modified": state.last_modified, "body_hash": state.body_hash,
        "fetched_at": now, "count_entries": 0, "http_status": None, "error_class": None, "error": None,
        "median_gap_minutes": state.median_gap_minutes,
    }
    headers = {}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    try:
        response = client.get(source.url, kind="feed", headers=headers, accept=FEED_TYPES)
    except FetchError as exc:
        logger.warning("feed %s failed: %s", source.url, exc)
        failures = state.consecutive_failures + 1
        next_due = _next_due(source, now, failures)
        retry_after = exc.retry_after
        if retry_after is not None:
            # A Retry-After too long to wait out within the run (429/503): come back no sooner
            # than the server asked, even when that is beyond our usual backoff.
            next_due = max(next_due, now + timedelta(seconds=retry_after))
        row.update(status="error", http_status=exc.status, error_class=exc.error_class, error=str(exc)[:500],
                   consecutive_failures=failures, next_due_at=next_due)
        result.states.append(row)
        result.count("feeds_failed")
        return
    row["http_status"] = response.status
    row["consecutive_failures"] = 0
    row["next_due_at"] = _next_due(source, now, 0, state.median_gap_minutes)
    if response.status == 304:
        row["status"] = "not_modified"
        result.states.append(row)
        result.count("feeds_not_modified")
        return
    row["etag"] = response.headers.get("etag")
    row["last_modified"] = _strong_last_modified(response.headers)
    body_hash = hashlib.sha256(response.body).hexdigest()[:32]
    row["body_hash"] = body_hash
    if body_hash == state.body_hash:
        # The server ignored our validators but sent the same bytes: nothing to parse.
        row["status"] = "unchanged"
        result.states.append(row)
        result.count("feeds_unchanged")
        return
    parsed = parse_entries(response.body, source.url, response.content_type)
    items, error = parsed.rows, parsed.error
    if error:
        logger.warning("feed %s is not parseable: %s", source.url, error)
        failures = state.consecutive_failures + 1
        # Keep the old hash so the same broken body is parsed (and reported) again next time.
        row.update(status="error", error_class=parsed.error_class, error=error[:500], body_hash=state.body_hash,
                   consecutive_failures=failures, next_due_at=_next_due(source, now, failures))
        client.log.mark(source.url, parsed.error_class, error)
        result.states.append(row)
        result.count("feeds_failed")
        return
    for item in items:
        item["feed_name"] = source.name
    gap = median_gap_minutes(items) or state.median_gap_minutes
    row.update(status="ok", count_entries=len(items), median_gap_minutes=gap,
               next_due_at=_next_due(source, now, 0, gap))
    # An article listed by two feeds of the shard is staged once, with the first feed that listed it.
    fresh = [item for item in items if item["article_id"] not in result.article_ids]
    result.article_ids.update(item["article_id"] for item in fresh)
    if len(fresh) < len(items):
        result.count("items_listed_twice", len(items) - len(fresh))
    if parsed.warning:
        logger.warning("feed %s is malformed; %d entries recovered: %s", source.url, len(items), parsed.warning)
        # Like a parse error, keep the old hash: the same malformed body is reported on every run
        # until the publisher fixes it, instead of turning "unchanged" and looking healthy.
        row.update(error_class="malformed_xml", error=parsed.warning[:500], body_hash=state.body_hash)
        client.log.mark(source.url, "malformed_xml", parsed.warning)
        result.count("feeds_malformed")
    result.states.append(row)
    result.items.extend(fresh)
    result.count("feeds_ok")
    result.count("items_seen", len(items))


def client_options(cfg: settings.Settings) -> ClientOptions:
    return ClientOptions(user_agent=cfg.user_agent, allow_hosts=cfg.allow_hosts, max_bytes=cfg.max_page_bytes,
                         min_interval_s=cfg.min_interval_s, robots_dir=cfg.data_dir / "robots")
