"""Evaluate the topic classifier against labelled JSONL files (``eval/classify_dev.jsonl``, ``classify_train.jsonl``).

:func:`evaluate` scores the rules in one pass; :func:`cross_validate` measures rules + learned model by
nested k-fold cross-validation (folds by a hash of the id), with a reliability table.

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


def evaluate(labels_path: Path, topics: Topics, *, half: str | None = None, use_model: bool = False) -> EvalReport:
    """Classify every labelled item and score the decisions per topic.

    Args:
        labels_path: JSONL file with ``id``, ``title``, ``text`` and a 0/1/2 label per topic.
        topics: compiled configuration from :func:`pipeline.classify.config.load_topics`.
        half: restrict to one deterministic half of the items ("A" or "B"); None evaluates all.
        use_model: score with the learned model too. Off by default: the model was fitted on the labelled
            files, so its figures on them are not honest; :func:`cross_validate` gives those.

    Returns:
        The report: per topic tp/fp/fn/tn, label-1 exclusions, precision/recall/F1 and the worst errors.

    Raises:
        ValueError: ``half`` is not "A" or "B", or the file is malformed.
    """
    if half is not None and half not in HALVES:
        raise ValueError(f"half must be one of {HALVES}, got {half!r}")
    items = [item for item in read_labels(labels_path) if half is None or split_half(str(item["id"])) == half]
    started = time.perf_counter()
    results = [classify(str(item.get("title") or ""), str(item.get("text") or ""), topics, use_model=use_model)
               for item in items]
    elapsed = time.perf_counter() - started
    per_topic = tuple(_topic_eval(name, items, results) for name in topics.names)
    return EvalReport(
        labels_path=labels_path,
        version=topics.version if use_model else f"{topics.rules_version} (rules only)",
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



# --------------------------------------------------------------------------------------------------------
# Cross-validation of the learned model (nested: the model, its calibration and its threshold are fitted
# inside each outer fold, never on the fold they score)

RELIABILITY_BINS = 10


@dataclass(frozen=True)
class ReliabilityRow:
    """One bin of calibrated probability: how many items, their mean score, and the share truly relevant."""

    low: float
    high: float
    items: int
    mean_score: float
    relevant_share: float


def read_all(labels_paths: list[Path]) -> list[dict[str, Any]]:
    """Every item of several labelled files (ids must not repeat across them).

    Raises:
        ValueError: an id appears twice.
    """
    items: dict[str, dict[str, Any]] = {}
    for path in labels_paths:
        for item in read_labels(path):
            if str(item["id"]) in items:
                raise ValueError(f"{path}: id {item['id']!r} appears twice")
            items[str(item["id"])] = item
    return [items[k] for k in sorted(items)]


def cross_validate(items: list[dict[str, Any]], topics: Topics, *, labels_path: Path,
                   folds: int = 5) -> tuple[EvalReport, dict[str, tuple[ReliabilityRow, ...]]]:
    """Nested k-fold cross-validation of rules + model over labelled items (folds by a hash of the id).

    Args:
        items: labelled items (``read_all``).
        topics: the rules (their model, if any, is ignored: a fresh one is fitted per fold).
        labels_path: shown in the report.
        folds: the number of outer (and inner) folds.

    Returns:
        The report (out-of-fold decisions: P/R/F1, confusion counts, worst errors) and, per topic, the
        reliability table of the out-of-fold calibrated probabilities (labels 2 and 0).
    """
    from pipeline.classify import train

    started = time.perf_counter()
    exs = train.examples(items, topics)
    predictions = train.cv_predictions(exs, topics.names, train.TrainOptions(), folds)
    results = [
        {name: TopicResult(topic=name, score=round(predictions[name][i][0], 4), relevant=predictions[name][i][1],
                           evidence=ex.results[name].evidence) for name in topics.names}
        for i, ex in enumerate(exs)
    ]
    ordered = [next(item for item in items if str(item["id"]) == ex.id) for ex in exs]
    elapsed = time.perf_counter() - started
    report = EvalReport(labels_path=labels_path, version=f"{topics.rules_version}+model (nested {folds}-fold CV)",
                        half=None, items=len(exs), ms_per_item=1000 * elapsed / max(len(exs), 1),
                        topics=tuple(_topic_eval(name, ordered, results) for name in topics.names))
    reliability = {name: reliability_table([(p, ex.labels[name]) for ex, (p, _) in zip(exs, predictions[name],
                                                                                      strict=True)])
                   for name in topics.names}
    return report, reliability


def reliability_table(scored: list[tuple[float, int | None]],
                      bins: int = RELIABILITY_BINS) -> tuple[ReliabilityRow, ...]:
    """Bins of predicted probability with the observed share of relevant items (label 2 vs 0; 1 left out)."""
    rows = []
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        inside = [(p, label) for p, label in scored if label in (POSITIVE, NEGATIVE)
                  and (low <= p < high or (b == bins - 1 and p == 1.0))]
        if inside:
            rows.append(ReliabilityRow(low, high, len(inside), sum(p for p, _ in inside) / len(inside),
                                       sum(label == POSITIVE for _, label in inside) / len(inside)))
    return tuple(rows)


def format_reliability(reliability: dict[str, tuple[ReliabilityRow, ...]]) -> str:
    """The reliability tables as text: a calibrated score of 0.8 should mean about 80% relevant."""
    lines = ["reliability (out-of-fold calibrated probability vs share truly relevant, labels 2 vs 0)"]
    for name, rows in reliability.items():
        lines.append(f"  {name}: {'bin':>11}{'items':>7}{'mean p':>8}{'relevant':>10}")
        lines += [f"  {'':<{len(name) + 1}} {r.low:.1f}-{r.high:.1f}{r.items:>10}{r.mean_score:>8.3f}{r.relevant_share:>10.3f}"
                  for r in rows]
    return "\n".join(lines)
