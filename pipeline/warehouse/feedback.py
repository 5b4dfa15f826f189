"""The analysts' relevance marks on their way to the warehouse: queue files, then ``relevance_feedback``.

DuckDB has one writer, the loader (DESIGN.md), so ``newswatch feedback`` and the News monitor page
never open the live file. :func:`submit` checks the mark against the snapshot (the topic exists, the
article is stored) and writes it atomically as ``<data dir>/feedback/queue/<mark_id>.json``. The next
load calls :func:`apply_queue` inside its transaction: every queued mark is inserted, keyed on its
``mark_id``, with the classification it corrected. After the commit :func:`archive` moves the files
to ``feedback/applied/``. A crash between the commit and the move leaves the files queued; the next
load inserts nothing twice (``on conflict (mark_id) do nothing``) and archives them then. A file
that is not a mark, or names an article the warehouse does not hold, goes to ``feedback/rejected/``
with a warning.

:func:`training_rows` reads the marks back from the snapshot for training
(``pipeline.classify.feedback.training_items`` shapes them).
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from pipeline import settings, sqlfiles
from pipeline.classify.config import load_topics
from pipeline.classify.feedback import Mark, mark_from_json, new_mark
from pipeline.errors import ConfigError, StorageError
from pipeline.urls import canonical_url
from pipeline.warehouse import db

logger = logging.getLogger(__name__)

QUEUE = "queue"
APPLIED = "applied"
REJECTED = "rejected"
_ARTICLE_ID = re.compile(r"^[0-9a-f]{16}$")
_COLUMNS = ("mark_id", "article_id", "topic", "is_relevant", "marked_by", "marked_at", "note", "source",
            "classifier_version", "classifier_score", "classifier_relevant")


def feedback_dir(data_dir: Path | None = None) -> Path:
    """``<data dir>/feedback``: its ``queue/``, ``applied/`` and ``rejected/`` folders."""
    return (data_dir or settings.load().data_dir) / "feedback"


def find_article(ref: str, topic: str, snapshot_path: Path | None = None) -> dict[str, Any]:
    """The stored article an analyst names, by id or URL, with its classification for ``topic``.

    Raises:
        StorageError: there is no snapshot yet.
        ConfigError: no stored article has that id or URL.
    """
    ref = ref.strip()
    try:
        canonical = canonical_url(ref) if not _ARTICLE_ID.match(ref) else ref
    except ValueError:
        canonical = ref
    path = snapshot_path or settings.load().snapshot_path
    with db.snapshot(path) as con:
        if con is None:
            raise StorageError(f"no snapshot at {path} yet: run `newswatch run` first")
        found = sqlfiles.rows(con, "feedback/find_article", [topic, ref, ref, canonical])
    if not found:
        raise ConfigError(f"article {ref!r}: no stored article has this id or URL (see `newswatch sql "
                          "\"select article_id, canonical_url, title from articles\"`)")
    return found[0]


def submit(ref: str, topic: str, relevant: bool, *, marked_by: str, source: str, note: str | None = None,
           snapshot_path: Path | None = None, topics_file: Path | None = None,
           data_dir: Path | None = None) -> tuple[Mark, Path]:
    """Check a mark against the topics and the snapshot, then queue it for the next load.

    Args:
        ref: the article's id or one of its URLs.
        topic: a topic of ``topics.yaml``.
        relevant: the analyst's verdict.
        marked_by: who marks it.
        source: ``cli`` or ``monitor``.
        note: why.
        snapshot_path: the snapshot to find the article in (default ``NEWS_SNAPSHOT_PATH``).
        topics_file: the topics (default ``NEWS_TOPICS_FILE``).
        data_dir: the data folder holding the queue (default ``NEWS_DATA_DIR``).

    Returns:
        The mark and its queue file.

    Raises:
        ConfigError: an unknown topic or article, or a bad name or note.
        StorageError: no snapshot yet, or the queue file could not be written.
    """
    topics = load_topics(topics_file or settings.load().topics_file)
    if topic not in topics.names:
        raise ConfigError(f"topic {topic!r} is not in {topics.path} (topics: {', '.join(topics.names)})")
    article = find_article(ref, topic, snapshot_path)
    try:
        mark = new_mark(article["article_id"], topic, relevant, marked_by=marked_by, source=source, note=note,
                        classification=article if article["classifier_version"] else None)
    except ValueError as exc:
        raise ConfigError(f"feedback mark: {exc}") from exc
    return mark, enqueue(mark, data_dir)


def enqueue(mark: Mark, data_dir: Path | None = None) -> Path:
    """Write a mark as ``feedback/queue/<mark_id>.json``, atomically (a reader sees all of it or nothing).

    Raises:
        StorageError: the file could not be written.
    """
    queue = feedback_dir(data_dir) / QUEUE
    target = queue / f"{mark.mark_id}.json"
    tmp = queue / f".{mark.mark_id}.{os.getpid()}.tmp"
    try:
        queue.mkdir(parents=True, exist_ok=True)
        with tmp.open("w", encoding="utf-8") as handle:
            json.dump({"mark_id": mark.mark_id, **mark.to_json()}, handle, ensure_ascii=False, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StorageError(f"cannot queue the feedback mark in {queue}: {exc}") from exc
    return target


def pending(data_dir: Path | None = None) -> list[Path]:
    """The queued mark files, oldest name first (temporary files of a write in progress are not)."""
    queue = feedback_dir(data_dir) / QUEUE
    return sorted(queue.glob("*.json")) if queue.is_dir() else []


@dataclass
class Applied:
    """What one load did with the queue: files whose marks are in the table, and files it refused."""

    loaded: list[Path] = field(default_factory=list)
    rejected: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.loaded)


def _read(path: Path) -> Mark:
    mark = mark_from_json(json.loads(path.read_text(encoding="utf-8")))
    if path.stem != mark.mark_id:
        raise ValueError(f"its content does not match its name (mark_id {mark.mark_id})")
    return mark


def apply_queue(con: duckdb.DuckDBPyConnection, data_dir: Path | None = None) -> Applied:
    """Insert every queued mark into ``relevance_feedback``, inside the caller's load transaction.

    Needs the load's ``load_context`` temp table (run id, load time). The files stay queued: the
    caller archives them with :func:`archive` once the transaction has committed.

    Returns:
        The files loaded (their marks are in the table now, or were already) and those refused.
    """
    applied = Applied()
    marks: dict[str, tuple[Path, Mark]] = {}
    for path in pending(data_dir):
        try:
            mark = _read(path)
        except (OSError, ValueError) as exc:
            applied.rejected.append((path, f"not a feedback mark: {exc}"))
            continue
        marks[mark.mark_id] = (path, mark)
    rows = [[mark_id, *(m.to_json()[c] for c in _COLUMNS[1:])] for mark_id, (_, m) in marks.items()]
    con.execute("create or replace temp table incoming_feedback (mark_id varchar, article_id varchar, "
                "topic varchar, is_relevant boolean, marked_by varchar, marked_at timestamptz, note varchar, "
                "source varchar, classifier_version varchar, classifier_score double, "
                "classifier_relevant boolean)")
    if rows:
        con.executemany(f"insert into incoming_feedback values ({', '.join('?' * len(_COLUMNS))})", rows)
        con.execute(sqlfiles.text("feedback/insert_marks"))
    stored = {r[0] for r in con.execute(
        "select mark_id from relevance_feedback where mark_id in (select mark_id from incoming_feedback)").fetchall()}
    for mark_id, (path, mark) in sorted(marks.items()):
        if mark_id in stored:
            applied.loaded.append(path)
        else:
            applied.rejected.append((path, f"article {mark.article_id} is not in the warehouse"))
    return applied


def archive(applied: Applied, data_dir: Path | None = None) -> None:
    """After the load committed: move loaded files to ``feedback/applied/``, refused ones to ``rejected/``."""
    base = feedback_dir(data_dir)
    for folder, paths in ((APPLIED, applied.loaded), (REJECTED, [p for p, _ in applied.rejected])):
        if paths:
            (base / folder).mkdir(parents=True, exist_ok=True)
        for path in paths:
            try:
                os.replace(path, base / folder / path.name)
            except FileNotFoundError:
                continue  # another load archived it already
    for path, reason in applied.rejected:
        logger.warning("feedback file %s moved to %s: %s", path.name, base / REJECTED, reason)


def training_rows(snapshot_path: Path | None = None) -> list[dict[str, Any]]:
    """The latest mark per article and topic, with the article's title and text, from the snapshot.

    An absent snapshot, or one from before ``relevance_feedback`` existed, gives no rows.
    """
    with db.snapshot(snapshot_path) as con:
        if con is None:
            return []
        try:
            return sqlfiles.rows(con, "feedback/training_rows")
        except duckdb.CatalogException:
            return []
