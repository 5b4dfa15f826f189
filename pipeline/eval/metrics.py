"""Precision, recall and F1: the one definition the classifier, facts and extraction evaluations share.

The evaluations differ only in what an empty denominator scores. The classifier evaluation counts a topic
that predicts nothing (or has nothing to find) as 1.0, since no prediction made is no prediction wrong; the
facts evaluation counts it as 0.0, so a field the extractor never fills shows up as a failure. ``Counts``
takes that choice as ``empty``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def f1_score(precision: float, recall: float) -> float:
    """Harmonic mean of precision and recall.

    Args:
        precision: a precision in [0, 1].
        recall: a recall in [0, 1].

    Returns:
        ``2pr / (p + r)``; 0.0 when both are 0.
    """
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass(frozen=True)
class Counts:
    """True positives, false positives and false negatives, and the precision, recall and F1 they give.

    Attributes:
        tp: predictions that match a gold item.
        fp: predictions that match none.
        fn: gold items no prediction matches.
        empty: precision when nothing was predicted, and recall when there was nothing to find.
    """

    tp: int
    fp: int
    fn: int
    empty: float = field(default=1.0, kw_only=True)

    @property
    def precision(self) -> float:
        """tp / (tp + fp); ``empty`` when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else self.empty

    @property
    def recall(self) -> float:
        """tp / (tp + fn); ``empty`` when there are no gold items."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else self.empty

    @property
    def f1(self) -> float:
        """Harmonic mean of :attr:`precision` and :attr:`recall`."""
        return f1_score(self.precision, self.recall)
