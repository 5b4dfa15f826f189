"""Stage 1: fetch the feeds that are due and stage their entries.

Feeds are read from YAML (``config/feeds.yaml``, or ``NEWS_FEEDS_FILE``) and split into shards
by host, so that one host's requests always stay in one shard and the per-host spacing holds.
Each feed is fetched with conditional GET; a 304, or a body whose hash has not changed, costs
almost nothing. A feed that fails is recorded and backed off, never dropped, and never stops
the other feeds.

A feed stages at most ``ItemCap.max_new`` new items per run (``NEWS_MAX_NEW_ITEMS_PER_FEED``), newest
first; the rest wait for the next run, which fetches the feed again (no validators are kept for a
capped feed, and it stays due). A feed whose host's budget is spent is not fetched: it stays due.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import logging
import os
import re
import statistics
import string
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
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
from pipeline.errors import ConfigError, DeferredError, FetchError
from pipeline.ingest.http import FEED_TYPES, ClientOptions, PoliteClient, redact_userinfo
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
# start. No real news feed needs one, so such a body is refused before any XML parser sees it. The
# check reads the body as text, in every encoding a parser might read it in (``_xml_readings``).
_DTD_ENTITY = re.compile(r"<!ENTITY", re.I)
_DOCTYPE = re.compile(r"<!DOCTYPE", re.I)
# The Unicode forms an XML parser detects from a byte order mark or from how "<?xml" is spelled
# (XML 1.0 appendix F); each is tried whatever the body says, as a UTF-16 body need not say so.
_UNICODE_FORMS = ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
_XML_ENCODING = re.compile(r"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_HTTP_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]{1,40})""", re.I)
_ENV_REF = re.compile(r"\$\{([A-Z0-9_]+)\}")
# A numeric character reference to no character (a lone surrogate, or past U+10FFFF) makes feedparser
# raise instead of reporting the feed as malformed; such references are replaced before parsing.
_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")
REPLACEMENT = "\ufffd"

# How the stage layer contains one entry: given the entry's link, a context manager that records
# any failure inside it and goes on with the next entry (``pipeline.stages.boundary``). Without one,
# an entry's failure fails its feed.
ItemGuard = Callable[[str], AbstractContextManager[object]]

@dataclass(frozen=True)
class ItemCap:
    """How many new items one feed may stage per run, and how to tell new ones from stored ones."""

    max_new: int
    # article ids -> the ones already stored (the stage layer asks the snapshot)
    known: Callable[[list[str]], set[str]]


@dataclass(frozen=True)
class FeedSource:
    """One feed of the list.

    ``url`` is the feed's identity, stored and shown everywhere: as written in the file when it
    holds ``${VAR}`` (joined to ``base_url``), with a literal userinfo password as ``***``.
    ``send_url`` is what is really requested, the variables expanded; it and ``secrets`` (the
    expanded values) go on the feed's own request only, never into a log, a table or a page.
    """

    name: str
    url: str
    topics: tuple[str, ...] = ()
    interval_minutes: int = DEFAULT_INTERVAL_MIN
    send_url: str | None = field(default=None, repr=False)
    secrets: tuple[str, ...] = field(default=(), repr=False)

    @property
    def host(self) -> str:
        return (urlsplit(self.send_url or self.url).hostname or "").lower()


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
    problems: list[str] = []  # every problem of the file at once, not only the first
    known = _topic_names()
    if known and defaults.topics:
        problems += _unknown_topics(defaults.topics, known, f"{path}: defaults.topics")
    for i, entry in enumerate(schema.feeds):
        where = f"{path}: feeds[{i}]"
        written = entry.url.strip()
        names = _ENV_REF.findall(written)
        try:
            send_url = urljoin(base, _expand(written, f"{where}.url"))
            # The identity keeps the feed's own ${VAR} as written, so its values (API keys,
            # passwords) never reach a table, the log or a page; base_url is the site's address.
            url = redact_userinfo(urljoin(base, written) if names else send_url)
            parts = urlsplit(send_url)
            scheme, password = parts.scheme, parts.password
        except ValueError as exc:  # "http://[::1": urllib refuses it
            problems.append(f"{where}.url: expected an absolute http(s) URL ({exc})")
            continue
        except ConfigError as exc:
            problems.append(str(exc))
            continue
        if scheme not in ("http", "https"):
            problems.append(f"{where}.url {url!r} is not an absolute http(s) URL (set base_url?)")
            continue
        if url in seen:
            problems.append(f"{where}.url {url} is listed twice")
            continue
        seen.add(url)
        topics = entry.topics if entry.topics is not None else defaults.topics or []
        if known and entry.topics:
            problems += _unknown_topics(entry.topics, known, f"{where}.topics")
        interval = entry.interval_minutes or defaults.interval_minutes or DEFAULT_INTERVAL_MIN
        secrets = tuple(v for v in (*(os.environ[n] for n in names), password) if v)
        sources.append(FeedSource(entry.name, url, tuple(topics), interval,
                                  send_url=send_url if send_url != url else None, secrets=secrets))
    if problems:
        raise ConfigError("; ".join(problems))
    return sources


def _topic_names() -> frozenset[str]:
    """The topics NEWS_TOPICS_FILE defines (empty when it cannot be read: its own loader says why)."""
    try:
        doc = yaml.safe_load(settings.load().topics_file.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return frozenset()
    topics = doc.get("topics") if isinstance(doc, dict) else None
    return frozenset(topics) if isinstance(topics, dict) else frozenset()


def _unknown_topics(topics: list[str], known: frozenset[str], where: str) -> list[str]:
    return [f"{where}: unknown topic {t!r} (NEWS_TOPICS_FILE defines {', '.join(sorted(known))})"
            for t in topics if t not in known]


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
    # (url, reason) of each staged entry whose text held characters that cannot be encoded,
    # now replaced by U+FFFD
    replaced: list[tuple[str, str]] = field(default_factory=list)


def _xml_readings(body: bytes, content_type: str) -> Iterator[str]:
    """The body as text in every encoding an XML parser (feedparser's, expat) might read it in.

    That is each Unicode form (UTF-8, with or without its BOM; UTF-16 and UTF-32, either byte
    order), the encoding the XML declaration names and the HTTP ``charset``. Undecodable bytes
    become U+FFFD, so a reading never fails; a name Python has no text codec for is skipped. One
    reading at a time, so a large body is held as text once.
    """
    names: list[str] = list(_UNICODE_FORMS)
    for form in _UNICODE_FORMS:
        head = body[:400].decode(form, errors="replace").lstrip("\ufeff")
        declared = _XML_ENCODING.match(head)
        if declared:
            names.append(declared.group(1))
    http = _HTTP_CHARSET.search(content_type)
    if http:
        names.append(http.group(1))
    if body[:4] == b"\x4c\x6f\xa7\x94":  # "<?xm" in EBCDIC
        names.append("cp037")
    seen: set[str] = set()
    for name in names:
        try:
            codec = codecs.lookup(name).name
            if codec in seen:
                continue
            seen.add(codec)
            text = body.decode(codec, errors="replace")
        except LookupError:  # no such codec, or not a text encoding (rot13, zlib)
            continue
        yield text


def _declares_entities(body: bytes, content_type: str = "") -> bool:
    """Whether the body, read as XML in any of its possible encodings, declares an entity in a DOCTYPE."""
    for text in _xml_readings(body, content_type):
        doctype = _DOCTYPE.search(text)
        if doctype and _DTD_ENTITY.search(text, doctype.end()):
            return True
    return False


def _fix_char_refs(body: bytes) -> tuple[bytes, int]:
    """The body with every reference to no character replaced by U+FFFD, and how many there were."""
    count = 0
    codec = next((name for mark, name in _WIDE_FORMS if body.startswith(mark)), None)

    def sub(match: re.Match[bytes]) -> bytes:
        nonlocal count
        hex_digits, digits = (g.decode(codec).encode() if codec and g else g for g in match.groups())
        # Leading zeros are legal and unbounded; more than 8 digits after them is past U+10FFFF anyway
        # (and int() refuses decimal strings past 4300 digits).
        significant = (hex_digits or digits).lstrip(b"0")
        code = int(significant or b"0", 16 if hex_digits else 10) if len(significant) <= 8 else 0x110000
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF or code == 0:
            count += 1
            return "&#xFFFD;".encode(codec or "ascii")
        return match.group(0)

    return (_CHAR_REF if codec is None else _wide_char_ref(codec)).sub(sub, body), count


# A body in UTF-16 or UTF-32, told by its byte order mark or by how "<" is spelled (XML 1.0 appendix F,
# as feedparser detects it): each character of a reference is two or four bytes there.
_WIDE_FORMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"),
               (b"\x00\x00\x00<", "utf-32-be"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"),
               (b"<\x00", "utf-16-le"), (b"\x00<", "utf-16-be"))


@functools.cache
def _wide_char_ref(codec: str) -> re.Pattern[bytes]:
    """``_CHAR_REF`` for a body in ``codec`` (UTF-16 or UTF-32 of one byte order)."""
    def one_of(chars: str) -> bytes:
        return b"(?:" + b"|".join(re.escape(c.encode(codec)) for c in chars) + b")"
    return re.compile(one_of("&") + one_of("#") + b"(?:" + one_of("xX") + b"(" + one_of(string.hexdigits) + b"+)|("
                      + one_of(string.digits) + b"+))" + one_of(";"))


def _encodable(value: str) -> tuple[str, bool]:
    """``value`` with the characters UTF-8 cannot encode (lone surrogates) replaced, and whether any were."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "".join(REPLACEMENT if 0xD800 <= ord(c) <= 0xDFFF else c for c in value), True
    return value, False


def parse_entries(body: bytes, feed_url: str, content_type: str = "", guard: ItemGuard | None = None) -> Parsed:
    """Parse a feed body into item rows.

    Each article id appears once, as its first entry: a feed that repeats a link (or lists it
    twice with and without trackers) stages it once. Two entries that share a GUID but link to
    different pages are two articles, because identity is the canonical URL.

    A date more than ``MAX_FUTURE`` ahead is clamped to the time the feed was read (``seen_at``):
    an analyst sorting by ``published_at`` then sees the story where it actually appeared, instead
    of pinned to the top until 2099, and the warning in the log keeps the raw value.

    Text that cannot be encoded (a character reference to a lone surrogate or past U+10FFFF) is
    replaced by U+FFFD, and the entries that held it are listed in ``replaced``.

    Args:
        guard: contains each entry (see ``ItemGuard``): an entry whose link cannot be made canonical
            (a port past 65535, say) is then recorded by the guard and skipped.

    Returns:
        The rows, with ``error`` set when the body is not a usable feed (malformed XML with no
        entries, an HTML page served as a feed, or a DTD that declares entities, found in whatever
        encoding the body is read: see ``_xml_readings``) and ``warning``
        when it is malformed but entries were recovered.
    """
    if _declares_entities(body, content_type):
        # Refused outright rather than parsed: expat >= 2.4 caps entity amplification, but
        # feedparser then falls back to its lenient parser, and older expat builds would expand
        # the entities. defusedxml refuses entity declarations by default too.
        return Parsed([], error="the feed declares XML entities in its DOCTYPE (entity expansion refused)",
                      error_class="xml_entities")
    headers = {"content-location": feed_url}
    if content_type:
        headers["content-type"] = content_type
    body, bad_refs = _fix_char_refs(body)
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
    rows: list[dict[str, Any]] = []
    replaced: list[tuple[str, str]] = []
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
        with (guard or _unguarded)(str(link)):
            row = _entry_row(entry, str(link), feed_url, now)
            if row["article_id"] in seen:
                continue
            seen.add(row["article_id"])
            bad = False
            for key in ("title", "summary", "author", "guid"):
                if isinstance(row[key], str):
                    row[key], fixed = _encodable(row[key])
                    bad = bad or fixed or (bad_refs > 0 and REPLACEMENT in row[key])
            if bad:
                replaced.append((row["url"], "text held characters that cannot be encoded; replaced by U+FFFD"))
            rows.append(row)
    return Parsed(rows, warning=problem, replaced=replaced)


def _unguarded(link: str) -> AbstractContextManager[object]:
    return nullcontext()


def _entry_row(entry: Any, link: str, feed_url: str, now: datetime) -> dict[str, Any]:
    url = canonical_url(link, feed_url)
    published = _entry_time(entry)
    if published is not None and published > now + MAX_FUTURE:
        logger.warning("feed %s: %s is dated %s, in the future; using the fetch time", feed_url, url,
                       published.isoformat())
        published = now
    return {
        "article_id": article_id(url),
        "url": url,
        "original_url": re.sub(r"\s+", "", urljoin(feed_url, link.strip())),
        "feed_url": feed_url,
        "guid": entry.get("id") or None,
        "title": (entry.get("title") or "").strip() or None,
        "summary": _strip_tags(entry.get("summary") or ""),
        "author": entry.get("author") or None,
        "published_at": published,
        "seen_at": now,
    }


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


def _state_row(source: FeedSource, state: FeedState, now: datetime) -> dict[str, Any]:
    return {
        "feed_url": source.url, "name": source.name, "topics_hint": list(source.topics),
        "etag": state.etag, "last_modified": state.last_modified, "body_hash": state.body_hash,
        "fetched_at": now, "count_entries": 0, "http_status": None, "error_class": None, "error": None,
        "median_gap_minutes": state.median_gap_minutes,
    }


def record_failure(source: FeedSource, state: FeedState, result: ShardResult, error_class: str, error: str,
                   *, status: int | None = None, retry_after: float | None = None) -> None:
    """Record a failed feed: its state says why, it is backed off, and the shard counts it.

    Any partial state row of the feed is replaced, so a feed has one state row per shard.
    """
    now = datetime.now(UTC)
    failures = state.consecutive_failures + 1
    next_due = _next_due(source, now, failures)
    if retry_after is not None:
        # A Retry-After too long to wait out within the run (429/503): come back no sooner
        # than the server asked, even when that is beyond our usual backoff.
        next_due = max(next_due, now + timedelta(seconds=retry_after))
    row = _state_row(source, state, now)
    row.update(status="error", http_status=status, error_class=error_class, error=error[:500],
               consecutive_failures=failures, next_due_at=next_due)
    result.states[:] = [r for r in result.states if r["feed_url"] != source.url]
    result.states.append(row)
    result.count("feeds_failed")


def fetch_one(client: PoliteClient, source: FeedSource, state: FeedState, result: ShardResult,
              guard: ItemGuard | None = None, cap: ItemCap | None = None) -> None:
    """Fetch and parse one feed into ``result``; a fetch or parse failure is recorded there.

    Args:
        guard: contains each entry (see ``ItemGuard``); the stage layer passes its boundary.
        cap: at most this many new items are staged (see ``cap_new_items``); None: no cap.
    """
    now = datetime.now(UTC)
    row = _state_row(source, state, now)
    headers = {}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    try:
        response = client.get(source.url, kind="feed", headers=headers, accept=FEED_TYPES,
                              send_as=source.send_url, secrets=source.secrets)
    except DeferredError as exc:
        # Not the feed's failure: no state row, so its stored state stays as it was and it is due next run.
        logger.warning("feed %s deferred: %s", source.url, exc)
        result.count("feeds_deferred")
        return
    except FetchError as exc:
        logger.warning("feed %s failed: %s", source.url, exc)
        record_failure(source, state, result, exc.error_class, str(exc), status=exc.status,
                       retry_after=exc.retry_after)
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
    parsed = parse_entries(response.body, source.url, response.content_type, guard)
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
    if cap is not None:
        n_listed = len(items)
        items, waiting = cap_new_items(items, cap)
        if waiting:
            # The rest must come back next run: no validators or body hash (a 304 or "unchanged" would
            # hide them), and the feed stays due.
            row.update(etag=None, last_modified=None, body_hash=None, next_due_at=now)
            reason = (f"NEWS_MAX_NEW_ITEMS_PER_FEED={cap.max_new}: staged the {cap.max_new} newest of "
                      f"{cap.max_new + waiting} new items (of {n_listed} listed); {waiting} wait for the next run")
            logger.warning("feed %s: %s", source.url, reason)
            client.log.add(kind="feed", url=source.url, status=None, n_bytes=0, started=time.monotonic(),
                           error_class="deferred_item_cap", error=reason, feed_url=source.url)
            result.count("feeds_capped")
            result.count("items_deferred", waiting)
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
    for url, reason in parsed.replaced:
        client.log.add(kind="item", url=url, status=None, n_bytes=0, started=time.monotonic(),
                       error_class="text_replaced", error=reason, feed_url=source.url)
    if parsed.replaced:
        result.count("items_text_replaced", len(parsed.replaced))
    result.states.append(row)
    result.items.extend(fresh)
    result.count("feeds_ok")
    result.count("items_seen", len(items))


def cap_new_items(items: list[dict[str, Any]], cap: ItemCap) -> tuple[list[dict[str, Any]], int]:
    """The feed's items with at most ``cap.max_new`` new ones (the newest; undated ones last), and how many wait.

    Items already stored are kept (their failed pages may be retried) and do not count against the cap.
    """
    if len(items) <= cap.max_new:
        return items, 0  # nothing to ask: even if every item is new, all fit
    stored = cap.known([item["article_id"] for item in items])
    new = [i for i, item in enumerate(items) if item["article_id"] not in stored]
    if len(new) <= cap.max_new:
        return items, 0
    oldest = datetime.min.replace(tzinfo=UTC)
    # Newest first; a stable sort keeps the feed's own order among equal (or missing) dates.
    newest = sorted(new, key=lambda i: items[i]["published_at"] or oldest, reverse=True)
    keep = set(newest[: cap.max_new])
    kept = [item for i, item in enumerate(items) if item["article_id"] in stored or i in keep]
    return kept, len(new) - cap.max_new


def client_options(cfg: settings.Settings) -> ClientOptions:
    """The polite client's options from the settings (``NEWS_HOST_BUDGET_S=0``: no host budget)."""
    return ClientOptions(user_agent=cfg.user_agent, allow_hosts=cfg.allow_hosts, max_bytes=cfg.max_page_bytes,
                         min_interval_s=cfg.min_interval_s, robots_dir=cfg.data_dir / "robots",
                         retries=cfg.fetch_retries, total_timeout_s=cfg.request_timeout_s,
                         host_budget_s=cfg.host_budget_s or None)
