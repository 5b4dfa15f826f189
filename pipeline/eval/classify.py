"""Evaluate the topic classifier against a labelled JSONL file (``eval/classify_dev.jsonl``).

Each line holds ``id``, ``title``, ``text`` and one label per topic: 2 = central (must be relevant), 0 = not relevant
(must not be), 1 = substantive secondary (left out of precision and recall, but counted).

The dev file can be split deterministically into halves by a hash of the item id
(``newswatch eval classify FILE --half A`` / ``--half B``), so rules can be tuned on one half and checked on the other.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.classify.config import Topics
from pipeline.classify.score import TopicResult, classify
from pipeline.eval.metrics import Counts

logger = logging.getLogger(__name__)

POSITIVE = 2
SECONDARY = 1
NEGATIVE = 0
WORST_N = 10
HALVES = ("A", "B")
TITLE_WIDTH = 90
EVIDENCE_WIDTH = 160


@dataclass(frozen=True)
class Miss:
    """A labelled item the classifier got wrong, with the verdict it got."""

    id: str
    title: str
    label: int
    verdict: TopicResult


@dataclass(frozen=True)
class TopicEval(Counts):
    """Confusion counts, metrics and the worst errors for one topic.

    Precision and recall come from :class:`~pipeline.eval.metrics.Counts`, 1.0 when nothing was predicted
    (or there are no positives).
    """

    topic: str
    tn: int
    excluded: int
    excluded_relevant: int
    worst_false_positives: tuple[Miss, ...]
    worst_false_negatives: tuple[Miss, ...]


@dataclass(frozen=True)
class EvalReport:
    """The result of :func:`evaluate`."""

    labels_path: Path
    version: str
    half: str | None
    items: int
    ms_per_item: float
    topics: tuple[TopicEval, ...]


def split_half(item_id: str) -> str:
    """Deterministic half ("A" or "B") of an item, from the SHA-256 of its id."""
    return HALVES[int(hashlib.sha256(item_id.encode("utf-8")).hexdigest(), 16) % 2]


def read_labels(labels_path: Path) -> list[dict[str, Any]]:
    """Read a labelled JSONL file, skipping blank lines.

    Args:
        labels_path: the JSONL file.

    Returns:
        One dict per item.

    Raises:
        ValueError: a line is not valid JSON or lacks ``id``.
    """
    items: list[dict[str, Any]] = []
    with labels_path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{labels_path}:{number}: not valid JSON: {exc}") from exc
            if not isinstance(item, dict) or "id" not in item:
                raise ValueError(f"{labels_path}:{number}: expected an object with an 'id'")
            items.append(item)
    return items


def evaluate(labels_path: Path, topics: Topics, *, half: str | None = None) -> EvalReport:
    """Classify every labelled item and score the decisions per topic.

    Args:
        labels_path: JSONL file with ``id``, ``title``, ``text`` and a 0/1/2 label per topic.
        topics: compiled configuration from :func:`pipeline.classify.config.load_topics`.
        half: restrict to one deterministic half of the items ("A" or "B"); None evaluates all.

    Returns:
        The report: per topic tp/fp/fn/tn, label-1 exclusions, precision/recall/F1 and the worst errors.

    Raises:
        ValueError: ``half`` is not "A" or "B", or the file is malformed.
    """
    if half is not None and half not in HALVES:
        raise ValueError(f"half must be one of {HALVES}, got {half!r}")
    items = [item for item in read_labels(labels_path) if half is None or split_half(str(item["id"])) == half]
    started = time.perf_counter()
    results = [classify(str(item.get("title") or ""), str(item.get("text") or ""), topics) for item in items]
    elapsed = time.perf_counter() - started
    per_topic = tuple(_topic_eval(name, items, results) for name in topics.names)
    return EvalReport(
        labels_path=labels_path,
        version=topics.version,
        half=half,
        items=len(items),
        ms_per_item=1000 * elapsed / len(items) if items else 0.0,
        topics=per_topic,
    )


def _topic_eval(topic: str, items: list[dict[str, Any]], results: list[Any]) -> TopicEval:
    tp = fp = fn = tn = excluded = excluded_relevant = 0
    false_positives: list[Miss] = []
    false_negatives: list[Miss] = []
    for item, result in zip(items, results, strict=True):
        label = item.get(topic)
        if label not in (NEGATIVE, SECONDARY, POSITIVE):
            logger.warning("item %s has no valid %s label (%r); skipped", item["id"], topic, label)
            continue
        verdict = result[topic]
        if label == SECONDARY:
            excluded += 1
            excluded_relevant += verdict.relevant
            continue
        miss = Miss(str(item["id"]), str(item.get("title") or ""), label, verdict)
        if label == POSITIVE:
            tp += verdict.relevant
            fn += not verdict.relevant
            if not verdict.relevant:
                false_negatives.append(miss)
        else:
            fp += verdict.relevant
            tn += not verdict.relevant
            if verdict.relevant:
                false_positives.append(miss)
    false_positives.sort(key=lambda m: -m.verdict.score)
    false_negatives.sort(key=lambda m: m.verdict.score)
    return TopicEval(
        topic=topic,
        tp=tp,
        fp=fp,
        fn=fn,
        tn=tn,
        excluded=excluded,
        excluded_relevant=excluded_relevant,
        worst_false_positives=tuple(false_positives[:WORST_N]),
        worst_false_negatives=tuple(false_negatives[:WORST_N]),
    )


def _clip(value: str, width: int) -> str:
    value = " ".join(value.split())
    return value if len(value) <= width else value[: width - 1] + "\u2026"


def _format_miss(miss: Miss) -> list[str]:
    lines = [f"    {miss.verdict.score:.3f}  {miss.id}  {_clip(miss.title, TITLE_WIDTH)}"]
    for evidence in miss.verdict.evidence[:3]:
        terms = ", ".join(evidence.terms)
        lines.append(
            f"           [{evidence.field} {evidence.start}:{evidence.end}] {terms} | "
            f"{_clip(evidence.text, EVIDENCE_WIDTH)}"
        )
    return lines


def format_report(report: EvalReport) -> str:
    """Render an :class:`EvalReport` as plain text for a terminal.

    Args:
        report: the output of :func:`evaluate`.

    Returns:
        A multi-line summary: a metrics table, then the worst false positives and negatives per topic.
    """
    scope = f"half {report.half}" if report.half else "all items"
    lines = [
        f"classifier {report.version} on {report.labels_path} ({scope}: {report.items} items, "
        f"{report.ms_per_item:.2f} ms/item)",
        "",
        f"{'topic':<14}{'P':>7}{'R':>7}{'F1':>7}{'tp':>6}{'fp':>6}{'fn':>6}{'tn':>6}{'label1':>8}{'(rel)':>7}",
    ]
    for t in report.topics:
        lines.append(
            f"{t.topic:<14}{t.precision:>7.3f}{t.recall:>7.3f}{t.f1:>7.3f}"
            f"{t.tp:>6}{t.fp:>6}{t.fn:>6}{t.tn:>6}{t.excluded:>8}{t.excluded_relevant:>7}"
        )
    lines.append("(label1 = items labelled 1, excluded from P/R; rel = how many of them scored relevant)")
    for t in report.topics:
        lines += ["", f"== {t.topic}: worst false positives (label 0, highest score)"]
        lines += [line for miss in t.worst_false_positives for line in _format_miss(miss)] or ["    none"]
        lines += [f"== {t.topic}: worst false negatives (label 2, lowest score)"]
        lines += [line for miss in t.worst_false_negatives for line in _format_miss(miss)] or ["    none"]
    return "\n".join(lines)

