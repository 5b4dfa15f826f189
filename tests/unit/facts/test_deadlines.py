"""Relative deadlines resolve against the date of the thing they are relative to."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.facts.deadlines import due_date, event_due_dates

PUBLISHED = dt.date(2025, 10, 30)
SIGNED = dt.date(2025, 10, 28)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        pytest.param(
            "The Participants will convene a Ministerial within 180 days of the date of this Framework.",
            dt.date(2026, 4, 26),
            id="days-of-the-framework-count-from-its-signing",
        ),
        pytest.param(
            "The review is to conclude within 90 days.", dt.date(2026, 1, 28), id="days-from-publication"
        ),
        pytest.param("They will report within six months.", dt.date(2026, 4, 30), id="months-in-words"),
        pytest.param("Talks should finish by the end of the year.", dt.date(2025, 12, 31), id="end-of-year"),
        pytest.param(
            "A plan is due no later than March 1, 2026.", dt.date(2026, 3, 1), id="no-later-than-a-date"
        ),
        pytest.param("Ministers will meet at an early date.", None, id="vague-is-undated"),
        pytest.param("The President will visit Japan in the near future.", None, id="near-future-is-undated"),
    ],
)
def test_deadline_phrasings(sentence, expected):
    assert due_date(sentence, PUBLISHED, SIGNED) == expected


def test_without_a_signing_date_the_document_date_is_the_base():
    sentence = "A Ministerial will meet within 180 days of the date of this Framework."
    assert due_date(sentence, SIGNED) == dt.date(2026, 4, 26)
    assert due_date(sentence, None) is None


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        pytest.param(
            "The review will finish by the end of March.", dt.date(2026, 3, 31), id="month-next-end"
        ),
        pytest.param(
            "Talks should conclude by the end of November.", dt.date(2025, 11, 30), id="month-this-year"
        ),
        pytest.param("A report is due by March 2027.", dt.date(2027, 3, 31), id="month-and-year"),
        pytest.param("The plant is to open next year.", dt.date(2026, 12, 31), id="next-year"),
        pytest.param("Japan will reach the target by 2028.", dt.date(2028, 12, 31), id="by-a-year"),
        pytest.param("The leaders will meet on March 3.", None, id="a-meeting-day-is-no-deadline"),
        pytest.param("工場を来年3月までに建設する予定です。", dt.date(2026, 3, 31), id="ja-next-year-month"),
        pytest.param("2027年までに完了する計画です。", dt.date(2027, 12, 31), id="ja-by-year"),
        pytest.param("年内に合意する見通しです。", dt.date(2025, 12, 31), id="ja-within-the-year"),
        pytest.param("今年度中に取りまとめる方針です。", dt.date(2026, 3, 31), id="ja-fiscal-year"),
        pytest.param("首脳会談は和やかな雰囲気で行われました。", None, id="ja-no-deadline"),
    ],
)
def test_more_deadline_phrasings(sentence, expected):
    assert due_date(sentence, PUBLISHED) == expected


def test_japanese_fiscal_year_ends_in_march_of_the_year_it_runs_into():
    assert due_date("今年度中に決定します。", dt.date(2026, 2, 10)) == dt.date(2026, 3, 31)


def test_event_due_dates_only_for_open_events():
    from pipeline.facts.document import extract

    text = (
        "Japan plans to invest $2 billion in a magnet plant in Ohio within 90 days. "
        "Japan and the United States signed a minerals agreement on October 28, 2025."
    )
    doc = extract("", text, PUBLISHED)
    dues = dict(
        zip([(ev.type, ev.status) for ev in doc.events], event_due_dates(doc.events, PUBLISHED), strict=True)
    )
    assert any(status == "planned" and due == dt.date(2026, 1, 28) for (_, status), due in dues.items()), dues
    assert all(
        due is None for (_, status), due in dues.items() if status not in ("planned", "expected", "proposed")
    )
