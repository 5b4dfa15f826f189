"""Relative deadlines resolve against the date of the thing they are relative to."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.facts.deadlines import due_date

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
