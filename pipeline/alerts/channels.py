"""Alert channels: the local outbox and Apprise URLs, and the one parser of Apprise URL lists."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import settings
from pipeline.errors import ChannelError

if TYPE_CHECKING:
    from pipeline.alerts.content import Message
    from pipeline.alerts.routes import Route

logger = logging.getLogger(__name__)

OUTBOX_CHANNEL = "outbox"
# Schemes whose Apprise plugins take extra headers (``+Name=value``): the key rides along.
KEYED_SCHEMES = {"json", "jsons", "form", "forms", "xml", "xmls", "mailto", "mailtos"}
JSON_SCHEMES = {"json", "jsons"}
# Whitespace separates URLs; a comma does only before the next URL's scheme, because Apprise URLs
# use commas themselves (``mailto://…?to=a@x.org,b@x.org``).
_URL_SEPARATOR = re.compile(r"\s+|,\s*(?=[A-Za-z][A-Za-z0-9+.-]*://)")


def parse_urls(value: str | Iterable[str] | None) -> list[str]:
    """Apprise URLs from a string (separated by spaces, newlines or commas) or a list, in order, without repeats.

    Args:
        value: what a setting, an environment variable or a connection's ``extra.urls`` holds.

    Returns:
        The URLs, each once; an empty value gives none.
    """
    if not value:
        return []
    parts = _URL_SEPARATOR.split(value) if isinstance(value, str) else [str(v).strip() for v in value]
    return list(dict.fromkeys(p for p in parts if p))


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
