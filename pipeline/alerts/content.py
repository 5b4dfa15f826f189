"""Alert content: feed text made inert, the alert of one story and topic, and the messages that carry them."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

from pipeline.alerts import wording
from pipeline.views import evidence

MAX_FACTS = 5
MAX_EVIDENCE = 2
MAX_DIGEST_ITEMS = 50
EVIDENCE_CHARS = 320  # a longer sentence is cut at a word, with an ellipsis
FROM_SUMMARY = "from the feed's summary: the article page could not be fetched"


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
    return evidence.at_word(text, limit)


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
    why: str = ""  # why it matched, in words (wording.why_matched)
    is_from_summary: bool = False  # built from the feed's summary: the page could not be fetched

    @property
    def fact_keys(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.fact_index)

    def fact_lines(self, keys: Iterable[str]) -> tuple[str, ...]:
        wanted = set(keys)
        return tuple(sorted({line for key, line in self.fact_index if key in wanted}))

    def headline(self) -> str:
        return inert(self.title, 200)

    def reason(self) -> str:
        """Why it matched, in words; the bare terms when no wording was built."""
        return self.why or ", ".join(self.terms)

    def scored_topic(self) -> str:
        return f"{self.topic} {self.score:.2f}"

    def text(self, new_facts: Sequence[str] = (), topics: str | None = None) -> str:
        """The plain-text body: headline, source, time, topic and score, why, key facts, link."""
        lines = [self.headline(),
                 f"{inert(self.source, 80)} · {self.published or 'date unknown'} · {topics or self.scored_topic()}"]
        if self.is_from_summary:
            lines.append(f"note: {FROM_SUMMARY}")
        if self.reason():
            lines.append(f"why it matched: {inert(self.reason(), 300)}")
        lines += [f"evidence: “{inert(e, EVIDENCE_CHARS + 20)}”" for e in self.evidence]
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
        if self.is_from_summary:
            parts.append(f"<p><b>Note:</b> {esc(FROM_SUMMARY)}</p>")
        if self.reason():
            parts.append(f"<p>why it matched: {esc(inert(self.reason(), 300))}</p>")
        if self.evidence:
            parts.append("<ul>" + "".join(f"<li><i>{esc(inert(e, EVIDENCE_CHARS + 20))}</i></li>"
                                          for e in self.evidence) + "</ul>")
        facts = [f"<li><b>new:</b> {esc(inert(f))}</li>" for f in new_facts]
        facts += [f"<li>{esc(inert(f))}</li>" for f in self.facts if f not in new_facts]
        if facts:
            parts.append("<p>key facts:</p><ul>" + "".join(facts) + "</ul>")
        return "\n".join(parts)


def alert_from_row(row: Sequence[Any]) -> Alert:
    """The alert of one row of ``sql/alerts/stories.sql`` (a story cluster and topic, with its facts)."""
    cluster, topic, score, title, source, url, published, first_seen, stored_evidence, facts, from_summary = row[:11]
    sentences = evidence.decode(stored_evidence)
    # Whole sentences; a paragraph-long one is cut at a word, with an ellipsis.
    shown = tuple(evidence.at_word(s.text, EVIDENCE_CHARS) for s in evidence.from_text(sentences))[:MAX_EVIDENCE]
    terms = tuple(dict.fromkeys(t for s in sentences for t in s.terms))[:8]
    index = wording.fact_lines(facts)
    lines = sorted({line for _, line in index})
    return Alert(
        story_cluster_id=cluster, topic=topic, score=float(score), title=title or url,
        source=source or urlsplit(url or "").hostname or "",
        url=url, published=published.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if published else None,
        evidence=shown, facts=tuple(lines[:MAX_FACTS]), terms=terms, first_seen_at=first_seen,
        fact_index=tuple(sorted(set(index))), why=wording.why_matched(sentences, topic),
        is_from_summary=bool(from_summary),
    )



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
        """The message's stories; a digest's best-scored first."""
        stories = group_stories(self.items)
        if self.delivery == "digest":
            stories.sort(key=lambda s: -s.best.alert.score)  # stable: equal scores keep their order
        return stories

    def headlines(self) -> list[str]:
        """A digest's opening list: one line per story, by score, with its source and topics."""
        return [f"{n}. {story.best.alert.headline()} ({inert(story.best.alert.source, 60)}; {story.topics})"
                for n, story in enumerate(self.stories[:MAX_DIGEST_ITEMS], 1)]

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
        if self.delivery == "digest":
            blocks.insert(0, f"Headlines ({len(stories)}, best first):\n" + "\n".join(self.headlines()))
        return "\n\n".join(blocks) + f"\n\n--\nnewswatch alert · route {self.route} · ref {self.key}"

    def html(self) -> str:
        stories = self.stories
        blocks = [story.html() for story in stories[:MAX_DIGEST_ITEMS]]
        if len(stories) > MAX_DIGEST_ITEMS:
            blocks.append(f"<p>… and {len(stories) - MAX_DIGEST_ITEMS} more (see fct_matching_stories)</p>")
        if self.delivery == "digest":
            items = "".join(f"<li>{html.escape(line.split('. ', 1)[1])}</li>" for line in self.headlines())
            blocks.insert(0, f"<p><b>Headlines ({len(stories)}, best first)</b></p><ol>{items}</ol>")
        return ("<div>" + "\n<hr>\n".join(blocks) + f"\n<p><small>newswatch alert · route "
                f"{html.escape(self.route)} · ref {html.escape(self.key)}</small></p></div>")


def message_key(route: str, delivery: str, items: Iterable[Item]) -> str:
    """A deterministic idempotency key: the same route, stories and facts give the same key."""
    parts = sorted(f"{i.alert.story_cluster_id}|{i.alert.topic}|{i.kind}|{','.join(sorted(i.new_facts))}"
                   for i in items)
    digest = hashlib.sha256("\n".join([route, delivery, *parts]).encode()).hexdigest()
    return f"nw-{digest[:20]}"


def new_message(route: str, delivery: str, items: Sequence[Item]) -> Message:
    """A message of ``items`` on ``route``, keyed by :func:`message_key`."""
    return Message(route=route, delivery=delivery, items=tuple(items), key=message_key(route, delivery, items))


