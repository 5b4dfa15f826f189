"""Date expressions resolved against the publication date.

"on Wednesday", "next Monday", "tomorrow", "next week", "next month", "April 17" (in a 1987 story:
1987-04-17), "Oct. 29", "2025-10-29", "the 28th day of October, two thousand and twenty-five" and Japanese
"10月29日" all become ISO dates. A bare weekday is ambiguous until the tense of its clause is known, so it
keeps its weekday and is resolved again by the event extractor ("met on Tuesday" looks back, "will meet
on Wednesday" looks forward). A month-day without a year keeps its month and day the same way: the nearest
year by default, the tense's side of the publication date through :func:`resolve_month_day`.

``dateparser`` 1.5 (PyPI) was measured against these rules on every dated gold event of ``../shared/eval`` (its
evidence sentence, relative to the published date, the status choosing past or future): the rules find the gold
date in 30 of 50 sentences (facts_dev 18/31, facts_ja_dev 4/4, facts_train 8/15), dateparser in 21 (11, 1, 9);
on the 133 undated gold events the rules find a date in 14 sentences, dateparser in 46 ("Up to $25 billion" read
as the 25th, "1950" from a section number). It also put "the 28th day of October, two thousand and twenty-five" in
2024. As a fallback for sentences the rules find no date in, it gained no gold date, gave 2 wrong ones and 39
dates to undated events; its import costs 0.75 s of CPU and its first call 0.25 s more. So the rules stay and the
library is not a dependency.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, replace

from pipeline.facts.lexicon.dates import MONTHS, ORDINAL_WORDS, WEEKDAYS
from pipeline.text import CARDINALS

logger = logging.getLogger(__name__)

_MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept\.?|Sep\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_YEAR_WORDS = r"(?:two\s+thousand(?:\s+and)?(?:\s+[a-z]+(?:-[a-z]+)?)?)"
_ORD_WORD = "|".join(sorted(ORDINAL_WORDS, key=len, reverse=True))
_WEEKDAY = r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b")),
    ("us_numeric", re.compile(r"\b(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})\b")),
    ("ja_full", re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日")),
    ("ja_md", re.compile(r"(?<![\d年])(?P<m>\d{1,2})月(?P<d>\d{1,2})日")),
    (
        "ordinal_day_of",
        re.compile(
            rf"\b(?P<d>\d{{1,2}}(?:st|nd|rd|th)|(?i:{_ORD_WORD}))\s+day\s+of\s+{_MONTH}"
            rf"(?:,?\s+(?:in\s+the\s+year\s+of\s+our\s+Lord\s+)?(?P<y>\d{{4}}|(?i:{_YEAR_WORDS})))?"
        ),
    ),
    (
        "month_day",
        re.compile(
            rf"\b{_MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*(?:%|percent|pct|bln|mln|billion|million))"
            rf"(?:,?\s+(?P<y>\d{{4}})\b)?"
        ),
    ),
    ("day_month", re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH}\b(?:,?\s+(?P<y>\d{{4}})\b)?")),
    ("month_modifier", re.compile(rf"\b(?P<mod>(?i:next|last|this|coming|past))\s+{_MONTH}(?!\w|\s+\d)")),
    ("weekday", re.compile(rf"\b(?:(?P<mod>next|last|this|coming|past)\s+)?{_WEEKDAY}\b", re.I)),
    (
        "relative",
        re.compile(
            r"(?<!\bof\s)(?<!\bfor\s)\b(?P<rel>today|tonight|this\s+(?:morning|afternoon|evening)|yesterday|tomorrow|"
            r"(?:next|last|this|coming)\s+(?:week|month|year))\b|(?P<ja>今日|本日|昨日|明日|来週|来月)",
            re.I,
        ),
    ),
]


_WEEKDAY_DIRECTIONS = {"next": "next", "last": "last", "past": "last", "this": "future", "coming": "future"}
_COORDINATED = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+|&\s*)", re.I)


@dataclass(frozen=True)
class DateMention:
    """A date expression, its span, and its resolution against the publication date.

    ``value`` is the default resolution (a bare weekday resolves to the nearest such day); ``weekday`` is set
    for bare weekdays so callers can resolve them again once the tense is known. ``precision`` is ``day``,
    ``week``, ``month`` or ``year``.
    """

    start: int
    end: int
    text: str
    value: dt.date | None
    weekday: int | None = None
    modifier: str | None = None
    precision: str = "day"
    month_day: tuple[int, int] | None = None  # (month, day) of a month-day without a year, to resolve by tense


def resolve_weekday(weekday: int, published: dt.date, direction: str = "nearest") -> dt.date:
    """The date of ``weekday`` relative to ``published``.

    Args:
        weekday: 0 = Monday ... 6 = Sunday.
        published: the publication date.
        direction: ``future`` (on or after publication), ``past`` (on or before), ``next`` (strictly after),
            ``last`` (strictly before) or ``nearest`` (whichever is closer; ties go forward).

    Returns:
        The resolved date.
    """
    ahead = (weekday - published.weekday()) % 7
    behind = (published.weekday() - weekday) % 7
    if direction == "future":
        return published + dt.timedelta(days=ahead)
    if direction == "past":
        return published - dt.timedelta(days=behind)
    if direction == "next":
        return published + dt.timedelta(days=ahead or 7)
    if direction == "last":
        return published - dt.timedelta(days=behind or 7)
    return published + dt.timedelta(days=ahead) if ahead <= behind else published - dt.timedelta(days=behind)


def _year_from_words(text: str) -> int | None:
    words = re.findall(r"[a-z]+", text.lower())
    if len(words) < 2 or words[0] != "two" or words[1] != "thousand":
        return None
    rest = [w for w in words[2:] if w != "and"]
    return 2000 + sum(CARDINALS.get(w, 0) for w in rest)


def resolve_month_day(month: int, day: int, published: dt.date, direction: str = "nearest") -> dt.date | None:
    """The year of a month-day given without one ("Oct. 29", "10月29日"), relative to ``published``.

    Args:
        month: 1-12.
        day: 1-31.
        published: the publication date.
        direction: ``past`` (on or before publication: "met on Oct. 29"), ``future`` (on or after: "will meet on
            Oct. 29") or ``nearest`` (the year that puts the date closest to publication).

    Returns:
        The date, within a year of ``published`` on the chosen side; None when no year has that day (Feb. 30).
    """
    cands: list[dt.date] = []
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            cands.append(dt.date(year, month, day))
        except ValueError:
            continue
    if direction == "past":
        cands = [c for c in cands if c <= published] or cands
    elif direction == "future":
        cands = [c for c in cands if c >= published] or cands
    return min(cands, key=lambda c: abs((c - published).days), default=None)


def _infer_year(month: int, day: int, published: dt.date) -> dt.date | None:
    """Year of a month-day without a year: the one that puts the date closest to publication."""
    return resolve_month_day(month, day, published)


def _month_with_modifier(month: int, modifier: str, published: dt.date) -> dt.date:
    """"last December", "next March", "this May": the first day of that month, on the modifier's side."""
    if modifier in ("last", "past"):
        year = published.year if month < published.month else published.year - 1
    elif modifier in ("next", "coming"):
        year = published.year if month > published.month else published.year + 1
    else:  # "this May": the one of the publication's year
        year = published.year
    return dt.date(year, month, 1)


def _make_date(year: int | None, month: int, day: int, published: dt.date | None) -> dt.date | None:
    try:
        if year is not None:
            return dt.date(year, month, day)
    except ValueError:
        return None
    return _infer_year(month, day, published) if published else None


def _relative(rel: str, published: dt.date) -> tuple[dt.date | None, str]:
    rel = " ".join(rel.lower().split())
    if (
        rel in ("today", "tonight", "本日", "今日")
        or rel.startswith("this ")
        and rel.split()[1] in ("morning", "afternoon", "evening")
    ):
        return published, "day"
    if rel in ("yesterday", "昨日"):
        return published - dt.timedelta(days=1), "day"
    if rel in ("tomorrow", "明日"):
        return published + dt.timedelta(days=1), "day"
    if rel in ("next week", "coming week", "来週"):
        return published + dt.timedelta(days=7 - published.weekday()), "week"
    if rel in ("next month", "coming month", "来月"):
        year, month = (
            (published.year + 1, 1) if published.month == 12 else (published.year, published.month + 1)
        )
        return dt.date(year, month, 1), "month"
    if rel == "next year":
        return dt.date(published.year + 1, 1, 1), "year"
    if rel == "last week":
        return published - dt.timedelta(days=published.weekday() + 7), "week"
    return None, "week"


def find_dates(text: str, published: dt.date | None) -> list[DateMention]:
    """Find date expressions and resolve them against ``published``.

    Args:
        text: the (masked) article text; spans index it.
        published: the publication date; relative expressions stay unresolved (None) without it.

    Returns:
        Non-overlapping date mentions in text order.
    """
    found: list[DateMention] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            mention = _mention(kind, m, published)
            if mention is not None:
                found.append(mention)
    found.sort(key=lambda d: (d.start, -(d.end - d.start)))
    out: list[DateMention] = []
    for d in found:
        if out and d.start < out[-1].end:
            continue
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.modifier in _WEEKDAY_DIRECTIONS
            and prev.weekday is not None
            and d.weekday is not None
            and d.modifier is None
            and _COORDINATED.fullmatch(text, prev.end, d.start)
        ):  # "next Monday and Tuesday": the modifier covers both days
            value = resolve_weekday(d.weekday, published, _WEEKDAY_DIRECTIONS[prev.modifier]) if published else None
            d = replace(d, value=value, modifier=prev.modifier)
        out.append(d)
    return out


def _mention(kind: str, m: re.Match[str], published: dt.date | None) -> DateMention | None:
    span = (m.start(), m.end(), m.group())
    if kind in ("iso", "us_numeric", "ja_full"):
        value = _make_date(int(m.group("y")), int(m.group("m")), int(m.group("d")), published)
        return DateMention(*span, value) if value else None
    if kind == "ja_md":
        month, day = int(m.group("m")), int(m.group("d"))
        value = _make_date(None, month, day, published)
        return DateMention(*span, value, month_day=(month, day))
    if kind == "month_modifier":
        mod = m.group("mod").lower()
        month = MONTHS[m.group("month").rstrip(".").lower()]
        if m.group("month") == "May" and mod == "this":
            return None  # "this May" is as often the verb ("this may change")
        value = _month_with_modifier(month, mod, published) if published else None
        return DateMention(*span, value, modifier=mod, precision="month")
    if kind in ("ordinal_day_of", "month_day", "day_month"):
        month = MONTHS[m.group("month").rstrip(".").lower()]
        raw_day = m.group("d").lower()
        day = ORDINAL_WORDS.get(raw_day) or int(re.sub(r"\D", "", raw_day))
        raw_year = m.group("y")
        year = None
        if raw_year:
            year = int(raw_year) if raw_year.isdigit() else _year_from_words(raw_year)
        if m.group("month") == "May" and kind == "month_day" and not raw_year and day > 31:
            return None
        value = _make_date(year, month, day, published)
        return DateMention(*span, value, month_day=None if year else (month, day))
    if kind == "weekday":
        weekday = WEEKDAYS[m.group("weekday").lower()]
        mod = (m.group("mod") or "").lower().split()[0] if m.group("mod") else None
        if published is None:
            return DateMention(*span, None, weekday, mod)
        direction = _WEEKDAY_DIRECTIONS.get(mod or "", "nearest")
        return DateMention(*span, resolve_weekday(weekday, published, direction), weekday, mod)
    if kind == "relative":
        if published is None:
            return DateMention(*span, None, precision="day")
        value, precision = _relative(m.group("rel") or m.group("ja"), published)
        if value is None:
            return None
        return DateMention(*span, value, precision=precision)
    return None


def resolve_expression(expression: str, published: dt.date, tense: str = "nearest") -> dt.date | None:
    """Resolve one date expression ("on Wednesday", "next month", "Oct. 29") against ``published``.

    Args:
        expression: text containing one date expression.
        published: the publication date.
        tense: ``future``, ``past`` or ``nearest``; decides which way a bare weekday points, and the year of
            a month-day given without one.

    Returns:
        The date, or None when the text holds no resolvable date.
    """
    mentions = find_dates(expression, published)
    if not mentions:
        return None
    first = mentions[0]
    if first.weekday is not None and first.modifier is None:
        return resolve_weekday(first.weekday, published, tense)
    if first.month_day is not None:
        return resolve_month_day(*first.month_day, published, tense)
    return first.value
