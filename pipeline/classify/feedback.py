"""Analysts' relevance marks: one mark's shape, and the marks as labelled training items.

An analyst says "this story is (not) relevant to this topic" with ``newswatch feedback`` or the News
monitor page. Neither writes the warehouse (one writer, DESIGN.md): the mark is queued as a file and
the next load inserts it into ``relevance_feedback`` (``pipeline.warehouse.feedback``). Pure: this
module only shapes data; reading the table is ``pipeline.warehouse.feedback.training_rows``.

:func:`training_items` turns that table's rows into items shaped like the labelled files of
``../shared/eval`` (``classify_*.jsonl``), so the trainer reads both the same way.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

SOURCES = ("cli", "monitor")
ID_PREFIX = "feedback:"
MAX_NOTE_CHARS = 2000
MAX_NAME_CHARS = 200


@dataclass(frozen=True)
class Mark:
    """One analyst's verdict on one article for one topic, and the classification it corrected."""

    article_id: str
    topic: str
    is_relevant: bool
    marked_by: str
    marked_at: datetime
    source: str
    note: str | None = None
    classifier_version: str | None = None
    classifier_score: float | None = None
    classifier_relevant: bool | None = None

    @property
    def mark_id(self) -> str:
        """A stable id of this mark: the key that makes loading its queue file twice insert it once."""
        return hashlib.sha256(json.dumps(self.to_json(), sort_keys=True).encode()).hexdigest()[:32]

    def to_json(self) -> dict[str, Any]:
        """The mark as a JSON-ready dict (``marked_at`` as ISO 8601 UTC)."""
        data = asdict(self)
        data["marked_at"] = self.marked_at.astimezone(UTC).isoformat()
        return data


def new_mark(article_id: str, topic: str, is_relevant: bool, *, marked_by: str, source: str,
             note: str | None = None, classification: Mapping[str, Any] | None = None,
             now: datetime | None = None) -> Mark:
    """A checked mark, stamped now.

    Args:
        article_id: the article marked.
        topic: the topic it is (not) relevant to.
        is_relevant: the analyst's verdict.
        marked_by: who marked it.
        source: ``cli`` or ``monitor``.
        note: why, in the analyst's words.
        classification: the article's classification for the topic (``classifier_version``, ``score``,
            ``is_relevant``), the one the mark corrects; None when it was never classified.
        now: the time of the mark (default: now).

    Raises:
        ValueError: an empty name or topic, an unknown source, or a note or name too long.
    """
    by = " ".join(marked_by.split())
    if not by or len(by) > MAX_NAME_CHARS:
        raise ValueError(f"marked_by must be a name of 1 to {MAX_NAME_CHARS} characters")
    if not topic.strip():
        raise ValueError("topic must not be empty")
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}, not {source!r}")
    note = (note or "").strip() or None
    if note is not None and len(note) > MAX_NOTE_CHARS:
        raise ValueError(f"note is longer than {MAX_NOTE_CHARS} characters")
    c = classification or {}
    return Mark(article_id=article_id, topic=topic, is_relevant=bool(is_relevant), marked_by=by,
                marked_at=(now or datetime.now(UTC)).astimezone(UTC), source=source, note=note,
                classifier_version=c.get("classifier_version"),
                classifier_score=float(c["score"]) if c.get("score") is not None else None,
                classifier_relevant=bool(c["is_relevant"]) if c.get("is_relevant") is not None else None)


def mark_from_json(data: Any) -> Mark:
    """The mark a queue file holds.

    Raises:
        ValueError: the value is not a mark (a missing or mistyped field).
    """
    if not isinstance(data, dict):
        raise ValueError("a mark is a JSON object")
    try:
        marked_at = datetime.fromisoformat(str(data["marked_at"]))
        fields = {name: data[name] for name in ("article_id", "topic", "is_relevant", "marked_by", "source")}
    except (KeyError, ValueError) as exc:
        raise ValueError(f"not a mark: {exc!r}") from exc
    if marked_at.tzinfo is None:
        raise ValueError("marked_at has no time zone")
    if not isinstance(fields["is_relevant"], bool) or not all(
            isinstance(fields[k], str) and fields[k] for k in ("article_id", "topic", "marked_by", "source")):
        raise ValueError("not a mark: article_id, topic, marked_by and source are strings, is_relevant a boolean")
    score = data.get("classifier_score")
    relevant = data.get("classifier_relevant")
    return Mark(**fields, marked_at=marked_at.astimezone(UTC), note=data.get("note") or None,
                classifier_version=data.get("classifier_version") or None,
                classifier_score=float(score) if isinstance(score, int | float) else None,
                classifier_relevant=relevant if isinstance(relevant, bool) else None)


def training_items(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The analysts' marks as labelled items, shaped like the rows of ``../shared/eval/classify_*.jsonl``.

    Args:
        rows: ``relevance_feedback`` rows joined with their article (``article_id``, ``topic``,
            ``is_relevant``, ``marked_at``, ``title``, ``text``, optionally ``language``), as
            ``pipeline.warehouse.feedback.training_rows`` reads them. Several marks of one article and
            topic may come: the latest (by ``marked_at``) wins.

    Returns:
        One item per article, sorted by id: ``{"id": "feedback:<article_id>", "title", "text",
        "language", "labels": {topic: 0 | 1}}``, each label also under its topic's own key as in the
        eval files (``"us_japan": 1``). An article carries a label only for the topics it was marked for.
    """
    latest: dict[tuple[str, str], Mapping[str, Any]] = {}
    for row in rows:
        key = (str(row["article_id"]), str(row["topic"]))
        kept = latest.get(key)
        if kept is None or _when(row) >= _when(kept):
            latest[key] = row
    items: dict[str, dict[str, Any]] = {}
    for (article_id, topic), row in sorted(latest.items()):
        item = items.setdefault(article_id, {
            "id": f"{ID_PREFIX}{article_id}", "title": row.get("title") or "", "text": row.get("text") or "",
            "language": row.get("language"), "labels": {},
        })
        item["labels"][topic] = 1 if row["is_relevant"] else 0
    for item in items.values():
        item.update(item["labels"])
    return [items[k] for k in sorted(items)]


def _when(row: Mapping[str, Any]) -> datetime:
    value = row.get("marked_at")
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value:
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return datetime.min.replace(tzinfo=UTC)
