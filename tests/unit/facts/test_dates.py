"""Tests for pipeline.facts.dates: date expressions resolved against the publication date."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.facts.dates import find_dates, resolve_expression, resolve_weekday

TUESDAY = dt.date(2025, 10, 28)


@pytest.mark.parametrize(
    ("expression", "published", "tense", "expected"),
    [
        pytest.param("on Wednesday", TUESDAY, "future", dt.date(2025, 10, 29), id="weekday-ahead"),
        pytest.param("on Monday", TUESDAY, "past", dt.date(2025, 10, 27), id="weekday-back"),
        pytest.param("on Tuesday", TUESDAY, "past", TUESDAY, id="weekday-same-day"),
        pytest.param("next Monday", TUESDAY, "nearest", dt.date(2025, 11, 3), id="next-weekday"),
        pytest.param("last Friday", TUESDAY, "nearest", dt.date(2025, 10, 24), id="last-weekday"),
        pytest.param("tomorrow", TUESDAY, "nearest", dt.date(2025, 10, 29), id="tomorrow"),
        pytest.param("yesterday", TUESDAY, "nearest", dt.date(2025, 10, 27), id="yesterday"),
        pytest.param("next month", TUESDAY, "nearest", dt.date(2025, 11, 1), id="next-month"),
        pytest.param("Oct. 29", TUESDAY, "nearest", dt.date(2025, 10, 29), id="abbreviated-month"),
        pytest.param("2025-10-29", TUESDAY, "nearest", dt.date(2025, 10, 29), id="iso"),
        pytest.param("12/25/2025", TUESDAY, "nearest", dt.date(2025, 12, 25), id="us-numeric"),
        pytest.param(
            "On 3 March 2024 it began.", TUESDAY, "nearest", dt.date(2024, 3, 3), id="day-month-year"
        ),
        pytest.param(
            "首脳会談は10月29日に行われた。", TUESDAY, "nearest", dt.date(2025, 10, 29), id="japanese"
        ),
        pytest.param(
            "April 17", dt.date(1987, 4, 1), "nearest", dt.date(1987, 4, 17), id="no-year-old-story"
        ),
        pytest.param(
            "Signed on Jan. 5.", dt.date(2025, 12, 30), "nearest", dt.date(2026, 1, 5), id="into-next-year"
        ),
        pytest.param(
            "the 28th day of October, two thousand and twenty-five",
            TUESDAY,
            "nearest",
            dt.date(2025, 10, 28),
            id="legal-signature-date",
        ),
    ],
)
def test_date_expressions_resolve_against_publication(
    expression: str, published: dt.date, tense: str, expected: dt.date
) -> None:
    assert resolve_expression(expression, published, tense) == expected


def test_text_without_a_date_resolves_to_none() -> None:
    assert resolve_expression("May 40 people come", TUESDAY) is None


def test_a_bare_weekday_keeps_its_weekday_for_the_event_extractor() -> None:
    [mention] = find_dates("They met on Friday.", TUESDAY)
    assert (mention.text, mention.weekday, mention.modifier) == ("Friday", 4, None)
    assert mention.value == dt.date(2025, 10, 31)  # by default the nearest Friday


def test_next_week_has_week_precision_and_starts_on_monday() -> None:
    [mention] = find_dates("They meet next week.", TUESDAY)
    assert (mention.value, mention.precision) == (dt.date(2025, 11, 3), "week")


def test_relative_dates_stay_unresolved_without_a_publication_date() -> None:
    [mention] = find_dates("They meet next week.", None)
    assert mention.text == "next week" and mention.value is None


def test_mentions_come_back_in_text_order_without_overlaps() -> None:
    text = "Talks on Oct. 29 follow the 2025-10-20 memo and continue next Monday."
    assert [d.text for d in find_dates(text, TUESDAY)] == ["Oct. 29", "2025-10-20", "next Monday"]


@pytest.mark.parametrize(
    ("direction", "expected"),
    [
        pytest.param("future", TUESDAY, id="future-includes-today"),
        pytest.param("next", dt.date(2025, 11, 4), id="next-is-strictly-after"),
        pytest.param("past", TUESDAY, id="past-includes-today"),
        pytest.param("last", dt.date(2025, 10, 21), id="last-is-strictly-before"),
    ],
)
def test_resolve_weekday_directions(direction: str, expected: dt.date) -> None:
    assert resolve_weekday(1, TUESDAY, direction) == expected
