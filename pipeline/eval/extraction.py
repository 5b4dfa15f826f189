"""Article-extraction quality on the benchmark in shared/eval/extraction.

Metric (as in DESIGN.md): word tokens (``\\w+``), then bags of 4-token shingles; per page
precision and recall; overall precision is the mean over pages with output, recall the mean over
all pages, and F1 the harmonic mean of those two means.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pipeline.eval.metrics import f1_score
from pipeline.extract.html import extract_html

_WORD = re.compile(r"\w+")
SHINGLE = 4


@dataclass(frozen=True)
class ExtractionReport:
    """Mean shingle precision and recall over the benchmark, and the time spent extracting."""

    pages: int
    pages_with_output: int
    precision: float
    recall: float
    seconds: float

    @property
    def f1(self) -> float:
        """Harmonic mean of the mean precision and the mean recall."""
        return f1_score(self.precision, self.recall)


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """The bag of 4-word shingles of a text, lower-cased."""
    words = _WORD.findall(text.lower())
    return Counter(tuple(words[i:i + SHINGLE]) for i in range(max(len(words) - SHINGLE + 1, 0)))


def score(predicted: str, gold: str) -> tuple[float | None, float]:
    """Precision (None when nothing was predicted) and recall of one page."""
    pred, ref = shingles(predicted), shingles(gold)
    overlap = sum((pred & ref).values())
    precision = overlap / sum(pred.values()) if pred else None
    recall = overlap / sum(ref.values()) if ref else 1.0
    return precision, recall


def evaluate(folder: Path) -> ExtractionReport:
    """Extract every page of the benchmark folder and score it against ``ground-truth.json``."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    precisions, recalls = [], []
    spent = 0.0
    for page_id, gold in sorted(truth.items()):
        html = gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes())
        started = time.perf_counter()
        result = extract_html(html, gold.get("url"))
        spent += time.perf_counter() - started
        precision, recall = score(result.text if result else "", gold["articleBody"])
        recalls.append(recall)
        if precision is not None:
            precisions.append(precision)
    return ExtractionReport(
        pages=len(recalls), pages_with_output=len(precisions),
        precision=sum(precisions) / len(precisions) if precisions else 0.0,
        recall=sum(recalls) / len(recalls) if recalls else 0.0,
        seconds=spent,
    )


def format_report(report: ExtractionReport) -> str:
    """Two lines: pages and speed, then precision, recall and F1."""
    rate = report.pages / report.seconds if report.seconds else 0.0
    return (f"pages {report.pages} (with output {report.pages_with_output}), {rate:.0f} pages/s on one core\n"
            f"precision {report.precision:.3f}  recall {report.recall:.3f}  F1 {report.f1:.3f}")
