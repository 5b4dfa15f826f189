"""Due dates of commitments from relative deadlines: "within 180 days of the date of this Framework".

A deadline resolves against the date of the thing it is relative to: the instrument's signing date when the
sentence refers to "this Framework / Agreement / order" and the caller knows that date, else the document's
own date. Phrases without a computable date ("at an early date", "in the near future") give None. A month without a
year ("by the end of March") is its next end on or after the document's date; "next year" is its last day.
Japanese deadlines read the same way: 3月末までに, 2026年までに, 年内 (this year), 今年度中 (the fiscal year, to
March 31).
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
import re
from collections.abc import Sequence
from typing import Protocol

logger = logging.getLogger(__name__)

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "twelve": 12, "fifteen": 15, "thirty": 30, "sixty": 60, "ninety": 90,
}  # fmt: skip
_N = r"(?P<n>\d{1,4}|" + "|".join(_NUMBER_WORDS) + r")"
_WITHIN = re.compile(
    rf"\b(?:within|in\s+the\s+next|no\s+later\s+than|not\s+later\s+than)\s+{_N}[\s-]+(?P<unit>days?|weeks?|months?|years?)"
    r"(?P<of>\s+(?:of|after|from|following)\s+(?:the\s+(?:date|signing|entry\s+into\s+force)\s+of\s+)?"
    r"(?:this|the)\s+(?:Framework|Agreement|Memorandum|order|proclamation|statement|deal|arrangement))?",
    re.I,
)
_END_OF = re.compile(r"\bby\s+the\s+end\s+of\s+(?:the|this)\s+(?P<unit>year|month|quarter)\b", re.I)
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_BY_DATE = re.compile(
    r"\b(?:no\s+later\s+than|not\s+later\s+than|by)\s+(?P<month>"
    + "|".join(m for m in calendar.month_name if m)
    + r")\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4})\b",
    re.I,
)


_MONTH_NAMES = "|".join(m for m in calendar.month_name if m)
_END_OF_MONTH = re.compile(
    rf"\b(?:by|before|until)\s+(?:the\s+end\s+of\s+)?(?P<month>{_MONTH_NAMES})(?:\s+(?P<year>\d{{4}}))?\b(?!\s+\d)",
    re.I,
)
_END_OF_NEXT = re.compile(
    r"\b(?:by\s+the\s+end\s+of\s+|by\s+|within\s+|in\s+|early\s+|later\s+)?next\s+year\b", re.I
)
_BY_YEAR = re.compile(r"\b(?:by|before)\s+(?:the\s+end\s+of\s+)?(?P<year>(?:19|20)\d{2})\b(?![,\d])")
# Japanese: (来年|2026年)3月末までに, 2026年までに, 年内, 今年度中 / 年度内.
_JA_BY_MONTH = re.compile(
    r"(?:(?P<next>来年)|(?P<year>\d{4})年)?(?P<month>\d{1,2})月(?:末|中)?(?:まで|までに)"
)
_JA_BY_YEAR = re.compile(r"(?P<year>\d{4})年(?:末)?(?:まで|までに|中)")
_JA_THIS_YEAR = re.compile(r"年内|今年中|年末まで")
_JA_FISCAL_YEAR = re.compile(r"今年度中|今年度内|年度内|年度末まで")


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _next_month_end(month: int, document_date: dt.date) -> dt.date:
    end = _month_end(document_date.year, month)
    return end if end >= document_date else _month_end(document_date.year + 1, month)


def _japanese_due(sentence: str, document_date: dt.date | None) -> dt.date | None:
    m = _JA_BY_MONTH.search(sentence)
    if m and 1 <= int(m.group("month")) <= 12:
        month = int(m.group("month"))
        if m.group("year"):
            return _month_end(int(m.group("year")), month)
        if document_date is None:
            return None
        if m.group("next"):
            return _month_end(document_date.year + 1, month)
        return _next_month_end(month, document_date)
    m = _JA_BY_YEAR.search(sentence)
    if m:
        return dt.date(int(m.group("year")), 12, 31)
    if document_date is None:
        return None
    if _JA_FISCAL_YEAR.search(sentence):
        return dt.date(document_date.year + (1 if document_date.month >= 4 else 0), 3, 31)
    if _JA_THIS_YEAR.search(sentence):
        return dt.date(document_date.year, 12, 31)
    return None


def _add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_date(
    sentence: str, document_date: dt.date | None, instrument_date: dt.date | None = None
) -> dt.date | None:
    """The due date a sentence's deadline sets, or None.

    Args:
        sentence: the evidence sentence of a commitment.
        document_date: the article's publication date.
        instrument_date: the signing date of the instrument the document is ("this Framework"), when known;
            a deadline counted from "this Framework" resolves against it, others against ``document_date``.

    Returns:
        The resolved date, or None when the sentence has no deadline with a date.
    """
    m = _BY_DATE.search(sentence)
    if m:
        return dt.date(int(m.group("year")), _MONTHS[m.group("month").lower()], int(m.group("day")))
    m = _WITHIN.search(sentence)
    if m:
        base = (instrument_date or document_date) if m.group("of") else document_date
        if base is None:
            return None
        raw = m.group("n").lower()
        n = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
        unit = m.group("unit").lower().rstrip("s")
        if unit == "day":
            return base + dt.timedelta(days=n)
        if unit == "week":
            return base + dt.timedelta(weeks=n)
        return _add_months(base, n * (12 if unit == "year" else 1))
    m = _END_OF.search(sentence)
    if m and document_date is not None:
        unit = m.group("unit").lower()
        if unit == "year":
            return dt.date(document_date.year, 12, 31)
        if unit == "month":
            return dt.date(
                document_date.year,
                document_date.month,
                calendar.monthrange(document_date.year, document_date.month)[1],
            )
        last_month = (document_date.month - 1) // 3 * 3 + 3
        return dt.date(document_date.year, last_month, calendar.monthrange(document_date.year, last_month)[1])
    m = _END_OF_MONTH.search(sentence)
    if m:
        month = _MONTHS[m.group("month").lower()]
        if m.group("year"):
            return _month_end(int(m.group("year")), month)
        return _next_month_end(month, document_date) if document_date else None
    m = _BY_YEAR.search(sentence)
    if m:
        return dt.date(int(m.group("year")), 12, 31)
    if _END_OF_NEXT.search(sentence):
        return dt.date(document_date.year + 1, 12, 31) if document_date else None
    return _japanese_due(sentence, document_date)


class _Dated(Protocol):
    @property
    def date(self) -> str | None: ...
    @property
    def status(self) -> str: ...
    @property
    def evidence_text(self) -> str: ...


OPEN_STATUSES = frozenset({"planned", "expected", "proposed"})


def event_due_dates(events: Sequence[_Dated], document_date: dt.date | None) -> list[dt.date | None]:
    """The due date of each event that opens a follow-up (planned, expected or proposed), else None.

    An event's own date is its due date; without one, the deadline its evidence sentence sets
    (:func:`due_date`, resolved against the document's date): "within 90 days", "by the end of March",
    "next year", 年内, 今年度中.

    Args:
        events: the events of one article (``pipeline.facts.events.Event`` or the Japanese ones).
        document_date: the article's publication date.

    Returns:
        One date or None per event, in order.
    """
    out: list[dt.date | None] = []
    for ev in events:
        if ev.status not in OPEN_STATUSES:
            out.append(None)
        elif ev.date:
            out.append(dt.date.fromisoformat(ev.date))
        else:
            out.append(due_date(ev.evidence_text, document_date))
    return out
