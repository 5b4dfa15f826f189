"""Tests for pipeline.facts.dates: date expressions resolved against the publication date."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.facts.dates import find_dates, resolve_expression, resolve_month_day, resolve_weekday

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


# --- a date never moves an event to the wrong year ----------------------------------------------------------------

PUBLISHED = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2090, 12, 31))
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]
WEEKDAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@given(published=PUBLISHED, month=st.integers(1, 12), day=st.integers(1, 28))
def test_a_past_month_day_is_the_last_one_on_or_before_publication(published, month, day):
    got = resolve_month_day(month, day, published, "past")
    assert got is not None and (got.month, got.day) == (month, day)
    assert published - dt.timedelta(days=366) < got <= published


@given(published=PUBLISHED, month=st.integers(1, 12), day=st.integers(1, 28))
def test_a_future_month_day_is_the_first_one_on_or_after_publication(published, month, day):
    got = resolve_month_day(month, day, published, "future")
    assert got is not None and (got.month, got.day) == (month, day)
    assert published <= got < published + dt.timedelta(days=366)


@given(published=PUBLISHED, month=st.integers(1, 12), day=st.integers(1, 28))
def test_a_month_day_without_a_year_lands_within_half_a_year(published, month, day):
    text = f"The talks on {MONTHS_EN[month - 1]} {day} ended."
    got = resolve_expression(text, published)
    assert got is not None and abs((got - published).days) <= 183


@given(published=PUBLISHED, weekday=st.integers(0, 6))
def test_a_weekday_name_stays_within_its_week_on_the_tense_side(published, weekday):
    name = WEEKDAYS_EN[weekday]
    ahead = resolve_expression(f"They will meet on {name}.", published, "future")
    back = resolve_expression(f"They met on {name}.", published, "past")
    assert ahead is not None and back is not None
    assert ahead.weekday() == weekday and published <= ahead <= published + dt.timedelta(days=6)
    assert back.weekday() == weekday and published - dt.timedelta(days=6) <= back <= published
    # the year changes only when the week itself crosses New Year
    assert ahead.year == published.year or (published.month, ahead.month) == (12, 1)
    assert back.year == published.year or (published.month, back.month) == (1, 12)


@given(published=PUBLISHED, month=st.integers(1, 12))
def test_last_and_next_month_names_point_to_the_nearest_such_month_on_their_side(published, month):
    name = MONTHS_EN[month - 1]
    last = resolve_expression(f"They met last {name}.", published)
    nxt = resolve_expression(f"They meet next {name}.", published)
    assert last is not None and nxt is not None and last.month == month == nxt.month
    assert (published.year * 12 + published.month) - (last.year * 12 + last.month) in range(1, 13)
    assert (nxt.year * 12 + nxt.month) - (published.year * 12 + published.month) in range(1, 13)


@pytest.mark.parametrize(
    ("expression", "published", "tense", "expected"),
    [
        pytest.param("last December", dt.date(2026, 1, 8), "nearest", dt.date(2025, 12, 1), id="last-december-in-january"),
        pytest.param("last December", dt.date(2025, 12, 20), "nearest", dt.date(2024, 12, 1),
                     id="last-december-in-december-is-a-year-back"),
        pytest.param("next January", dt.date(2025, 12, 20), "nearest", dt.date(2026, 1, 1), id="next-january"),
        pytest.param("tomorrow", dt.date(2025, 12, 31), "nearest", dt.date(2026, 1, 1), id="tomorrow-on-new-years-eve"),
        pytest.param("yesterday", dt.date(2026, 1, 1), "nearest", dt.date(2025, 12, 31), id="yesterday-on-new-years-day"),
        pytest.param("next month", dt.date(2025, 12, 15), "nearest", dt.date(2026, 1, 1), id="next-month-in-december"),
        pytest.param("next week", dt.date(2025, 12, 30), "nearest", dt.date(2026, 1, 5), id="next-week-across-new-year"),
        pytest.param("They will meet on Friday.", dt.date(2025, 12, 30), "future", dt.date(2026, 1, 2),
                     id="weekday-after-the-base-date-into-january"),
        pytest.param("They met on Monday.", dt.date(2026, 1, 2), "past", dt.date(2025, 12, 29),
                     id="weekday-before-the-base-date-into-december"),
        pytest.param("The summit ended on Dec. 30.", dt.date(2026, 1, 3), "nearest", dt.date(2025, 12, 30),
                     id="december-day-read-in-january"),
        pytest.param("They will sign on Jan. 4.", dt.date(2025, 12, 29), "future", dt.date(2026, 1, 4),
                     id="january-day-read-in-december"),
        pytest.param("They met on Nov. 2.", dt.date(2026, 5, 5), "past", dt.date(2025, 11, 2),
                     id="past-tense-month-day-half-a-year-back"),
        pytest.param("They will meet on Nov. 2.", dt.date(2026, 5, 1), "future", dt.date(2026, 11, 2),
                     id="future-tense-month-day-half-a-year-ahead"),
        pytest.param("12月30日に会談した。", dt.date(2026, 1, 3), "past", dt.date(2025, 12, 30), id="japanese-month-day-back"),
        pytest.param(
            "this eighteenth day of February, in the year of our Lord two thousand twenty-two",
            dt.date(2024, 4, 10), "nearest", dt.date(2022, 2, 18), id="proclamation-signature-keeps-its-year",
        ),
    ],
)
def test_dates_near_year_ends_keep_the_right_year(expression, published, tense, expected):
    assert resolve_expression(expression, published, tense) == expected


def test_this_may_is_not_read_as_a_month() -> None:
    assert find_dates("Rates this may change.", TUESDAY) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Talks are set for next Monday and Tuesday.", [dt.date(1987, 4, 6), dt.date(1987, 4, 7)],
                     id="next-covers-both"),
        pytest.param("They met last Friday, Saturday and Sunday.",
                     [dt.date(1987, 3, 27), dt.date(1987, 3, 28), dt.date(1987, 3, 29)], id="last-covers-a-list"),
        pytest.param("They meet next Monday. On Tuesday it rained.", [dt.date(1987, 4, 6), dt.date(1987, 3, 31)],
                     id="a-new-sentence-does-not-inherit"),
    ],
)
def test_a_modifier_covers_the_weekdays_coordinated_with_it(text, expected):
    assert [d.value for d in find_dates(text, dt.date(1987, 4, 1))] == expected  # a Wednesday
