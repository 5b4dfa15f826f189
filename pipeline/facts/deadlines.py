"""Due dates of commitments from relative deadlines: "within 180 days of the date of this Framework".

A deadline resolves against the date of the thing it is relative to: the instrument's signing date when the
sentence refers to "this Framework / Agreement / order" and the caller knows that date, else the document's
own date. Phrases without a computable date ("at an early date", "in the near future") give None.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
import re

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
    return None
