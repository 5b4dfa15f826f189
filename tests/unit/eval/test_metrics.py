"""pipeline.eval.metrics: precision, recall and F1 from crafted counts, and what an empty denominator scores."""

from __future__ import annotations

import dataclasses

import pytest

from pipeline.eval.metrics import Counts, f1_score


def test_precision_recall_and_f1_from_counts() -> None:
    counts = Counts(tp=6, fp=2, fn=4)
    assert counts.precision == 0.75
    assert counts.recall == 0.6
    assert counts.f1 == pytest.approx(2 / 3)


def test_perfect_and_all_wrong_counts() -> None:
    assert (Counts(5, 0, 0).precision, Counts(5, 0, 0).recall, Counts(5, 0, 0).f1) == (1.0, 1.0, 1.0)
    assert (Counts(0, 3, 4).precision, Counts(0, 3, 4).recall, Counts(0, 3, 4).f1) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        pytest.param(Counts(0, 0, 3), (1.0, 0.0, 0.0), id="nothing-predicted"),
        pytest.param(Counts(0, 2, 0), (0.0, 1.0, 0.0), id="nothing-to-find"),
        pytest.param(Counts(0, 0, 0), (1.0, 1.0, 1.0), id="nothing-at-all"),
        pytest.param(Counts(0, 0, 3, empty=0.0), (0.0, 0.0, 0.0), id="nothing-predicted-empty-zero"),
        pytest.param(Counts(0, 0, 0, empty=0.0), (0.0, 0.0, 0.0), id="nothing-at-all-empty-zero"),
    ],
)
def test_an_empty_denominator_scores_empty_instead_of_dividing_by_zero(
    counts: Counts, expected: tuple[float, float, float]
) -> None:
    assert (counts.precision, counts.recall, counts.f1) == expected


def test_empty_is_keyword_only_and_counts_are_frozen() -> None:
    with pytest.raises(TypeError):
        Counts(1, 2, 3, 0.0)  # type: ignore[call-arg]
    with pytest.raises(dataclasses.FrozenInstanceError):
        Counts(1, 2, 3).tp = 4  # type: ignore[misc]


def test_f1_score_is_the_harmonic_mean_and_zero_when_both_are_zero() -> None:
    assert f1_score(0.5, 1.0) == pytest.approx(2 / 3)
    assert f1_score(0.958, 0.958) == pytest.approx(0.958)
    assert f1_score(0.0, 0.0) == 0.0
    assert f1_score(1.0, 0.0) == 0.0
