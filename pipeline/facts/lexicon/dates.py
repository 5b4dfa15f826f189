"""Month, weekday and ordinal words of date expressions: data only, read by ``pipeline.facts.dates``.

Keys are lower case; the date patterns match the capitalised forms ("Oct.", "Sept") and look them up
lowered, without the full stop.
"""

from __future__ import annotations

# Each month's names and abbreviations, January first.
MONTH_NAMES = (
    "january jan",
    "february feb",
    "march mar",
    "april apr",
    "may",
    "june jun",
    "july jul",
    "august aug",
    "september sept sep",
    "october oct",
    "november nov",
    "december dec",
)
MONTHS: dict[str, int] = {
    name: number for number, names in enumerate(MONTH_NAMES, 1) for name in names.split()
}
# Monday is 0, as in ``datetime.date.weekday``.
WEEKDAYS: dict[str, int] = {
    day: number
    for number, day in enumerate("monday tuesday wednesday thursday friday saturday sunday".split())
}
# Ordinal words up to the thirty-first, as legal and diplomatic texts write days ("the 28th day of ...").
ORDINAL_WORDS: dict[str, int] = {
    word: number
    for number, word in enumerate(
        """first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth
        fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth twenty-first twenty-second
        twenty-third twenty-fourth twenty-fifth twenty-sixth twenty-seventh twenty-eighth twenty-ninth thirtieth
        thirty-first""".split(),
        1,
    )
}
