"""Money amounts and percentages: find them in text and normalise them.

"$550 billion", "$550bln", "550 billion dollars", "300 mln dlrs", "¥1 trillion", "1 trillion yen",
"US$2.5 bn", "€5 million", "5500億ドル" all become a value in currency units plus an ISO 4217 code. A
bare "$" is read as US dollars, as wire copy and the gold annotation do. Unquantified amounts ("billions of
dollars") are not amounts.
"""

from __future__ import annotations

import bisect
import logging
import math
import re
from dataclasses import dataclass

from pipeline.facts.lexicon.amounts import (
    JA_CURRENCIES,
    JA_UNITS,
    PREFIX_CURRENCIES,
    SCALES,
    SUFFIX_CURRENCIES,
)
from pipeline.text import CARDINALS

logger = logging.getLogger(__name__)

NUMBER_WORDS: dict[str, float] = {**CARDINALS, "a": 1, "hundred": 100, "half a": 0.5}
FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９．，", "0123456789.,")

_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_WORD_NUM = r"(?:half\s+a|a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred)"
_SCALE = r"(?i:thousand|crores?|lakh|trillions?|billions?|millions?|mln|mn|bln|bn|tln|trn|tn|mil|k|m|b)"
_PREFIX = "|".join(re.escape(k) for k in sorted(PREFIX_CURRENCIES, key=len, reverse=True))
_SUFFIX = (
    "(?i:"
    + "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in sorted(SUFFIX_CURRENCIES, key=len, reverse=True))
    + ")"
)

_PREFIXED = re.compile(
    rf"(?<![\w$])(?P<cur>{_PREFIX})\s?(?P<num>{_NUM})(?:[\s\xa0]*(?P<scale>{_SCALE})\b)?"
    rf"(?:\s+(?P<sfx>{_SUFFIX})\b)?",
)
_SUFFIXED = re.compile(
    rf"(?<![\w$.,])(?P<num>{_NUM}|(?i:{_WORD_NUM}))(?:[\s\xa0-]*(?P<scale>{_SCALE})\b)?[\s\xa0]+(?P<sfx>{_SUFFIX})\b",
)
_JAPANESE = re.compile(
    r"(?P<body>(?:\d+(?:\.\d+)?兆)?(?:\d+(?:\.\d+)?億)?(?:\d+(?:\.\d+)?万)?(?:\d+(?:\.\d+)?千)?(?:\d+(?:,\d{3})*(?:\.\d+)?)?)"
    r"(?P<cur>米ドル|ドル|円|ユーロ|元|ウォン)"
)
# Not inside a number: after a letter, a digit, a point, or a digit and a comma ("1,234": no percent starts at
# "234"), which also keeps a long run of digit groups from being retried at every group.
_PERCENT = re.compile(
    rf"(?<![\w.])(?<!\d,)(?P<num>{_NUM}|{_WORD_NUM})(?:\s*(?:%|％)|[\s\xa0-]+(?:percent|per\s+cent|pct)\b|[\s\xa0]+percentage\s+points?\b)"
    r"(?P<of>\s+of\s+(?:the\s+|its\s+|their\s+|a\s+)?(?P<what>[\w’'\-]+(?:\s+(?!of\b|by\b|to\b|in\b|and\b|or\b|from\b|for\b|on\b|at\b|with\b|by\b)[\w’'\-]+){0,3}))?",
    re.I,
)

_JA_CURRENCY = re.compile(r"米ドル|ドル|円|ユーロ|元|ウォン")
_JA_NUMERAL_CHARS = frozenset("0123456789,.兆億万千")
MAX_JA_NUMERAL_CHARS = 64  # "1兆2345億6789万1234.5" is 18; a longer run before 円 is no amount
# Is there a digit in the numeral run before a currency word? Anchored at the run's start and possessive, so a
# long run of digits or commas is read once, not once per digit.
_JA_ANY = re.compile(
    r"(?<![兆億万千,.\d])[兆億万千,.]*+\d[兆億万千,.\d]*+(?:米ドル|ドル|円|ユーロ|元|ウォン)"
)


@dataclass(frozen=True)
class Amount:
    """A monetary amount: value in currency units, ISO currency, the matched text and its span."""

    value: float
    currency: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Percent:
    """A percentage and what it is a share of ("2% of GDP" -> 2.0, "GDP")."""

    value: float
    of: str | None
    text: str
    start: int
    end: int


def _number(text: str) -> float | None:
    text = text.lower().strip()
    if text in NUMBER_WORDS:
        return float(NUMBER_WORDS[text])
    text = re.sub(r"\s+", " ", text)
    if text in NUMBER_WORDS:
        return float(NUMBER_WORDS[text])
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None  # a run of digits past 1.8e308 is no figure


def _scale(text: str | None) -> float:
    return SCALES.get(text.lower(), 1.0) if text else 1.0


def _suffix_currency(text: str) -> str:
    return SUFFIX_CURRENCIES.get(" ".join(text.lower().split()), "USD")


def find_amounts(text: str) -> list[Amount]:
    """Find and normalise every monetary amount in ``text``.

    Args:
        text: the (masked) article text; spans index it.

    Returns:
        Amounts in text order, one per mention.
    """
    found: list[Amount] = []
    taken: list[tuple[int, int]] = []  # disjoint spans, sorted: a new span can only overlap its neighbours

    def add(value: float, currency: str, start: int, end: int) -> None:
        if not math.isfinite(value):  # a figure times its scale past 1.8e308
            return
        i = bisect.bisect_left(taken, (start, end))
        if any(a < end and start < b for a, b in taken[max(0, i - 1) : i + 1]):
            return
        taken.insert(i, (start, end))
        found.append(Amount(value, currency, text[start:end], start, end))

    for m in _PREFIXED.finditer(text):
        value = _number(m.group("num"))
        if value is None:
            continue
        scale_word = m.group("scale")
        # a lone "m"/"b" must be glued to the number ("$5m", "$2b"), not the next word ("$5 more")
        if scale_word and scale_word.lower() in ("m", "b", "k") and text[m.start("scale") - 1].isspace():
            end = m.end("num")
            currency = PREFIX_CURRENCIES.get(
                m.group("cur"), PREFIX_CURRENCIES.get(m.group("cur").upper(), "USD")
            )
            add(value, currency, m.start(), end)
            continue
        cur = m.group("cur")
        currency = PREFIX_CURRENCIES.get(cur) or PREFIX_CURRENCIES.get(cur.upper(), "USD")
        if cur.isalpha() and cur.upper() == cur and not m.group("scale") and not m.group("sfx"):
            if not re.match(r"\s", text[m.end("cur") : m.end("cur") + 1] or "x"):
                continue  # "USD5" is fine, but "EUR" glued to a number in an identifier is not
        sfx = m.group("sfx")
        if sfx and cur == "$":
            currency = _suffix_currency(sfx)  # "$5 Australian dollars"
        add(value * _scale(scale_word), currency, m.start(), m.end())
    for m in _SUFFIXED.finditer(text):
        value = _number(m.group("num"))
        if value is None:
            continue
        if m.group("num").lower() == "a" and not m.group("scale"):
            continue  # "a dollar" is not an amount worth recording
        if not m.group("scale") and re.fullmatch(r"(?:19|20)\d\d", m.group("num")):
            continue  # "in 2024 dollars" is a price basis, not an amount
        sfx = " ".join(m.group("sfx").lower().split())
        if sfx in ("won", "marks", "pounds", "francs") and not m.group("scale") and value < 1000:
            continue  # "won" is also a verb; small bare counts of "marks" are rarely money
        add(value * _scale(m.group("scale")), _suffix_currency(sfx), m.start(), m.end())
    ja_text = text.translate(FULLWIDTH_DIGITS)
    for m in _japanese_matches(ja_text) if _JA_ANY.search(ja_text) else ():
        value = _japanese_number(m.group("body"))
        if value is None:
            continue
        add(value, JA_CURRENCIES[m.group("cur")], m.start(), m.end())
    found.sort(key=lambda a: a.start)
    return found


def _japanese_matches(text: str) -> list[re.Match[str]]:
    """What ``_JAPANESE.finditer(text)`` finds, in time linear in ``text``.

    A match is the run of numeral characters just before a currency word, plus that word, so the pattern is
    tried only on those runs: from the run's start, or on a run longer than ``MAX_JA_NUMERAL_CHARS`` (no real
    amount) not at all. Searching the whole text instead retries every digit of a long run to its end.
    """
    found: list[re.Match[str]] = []
    for cur in _JA_CURRENCY.finditer(text):
        start = cur.start()
        while (
            start > 0 and text[start - 1] in _JA_NUMERAL_CHARS and cur.start() - start <= MAX_JA_NUMERAL_CHARS
        ):
            start -= 1
        if cur.start() - start > MAX_JA_NUMERAL_CHARS:
            continue
        m = _JAPANESE.search(text, start, cur.end())
        if m:
            found.append(m)
    return found


def _japanese_number(body: str) -> float | None:
    """Value of a Japanese numeral with 兆/億/万/千 units ("1兆2000億" -> 1.2e12)."""
    if not body or not re.search(r"\d", body):
        return None
    total = 0.0
    rest = body
    for unit, mult in JA_UNITS.items():
        m = re.match(rf"(\d+(?:\.\d+)?){unit}", rest)
        if m:
            total += float(m.group(1)) * mult
            rest = rest[m.end() :]
    if rest:
        try:
            total += float(rest.replace(",", ""))
        except ValueError:
            return None
    return total or None


def find_percents(text: str) -> list[Percent]:
    """Find percentages and what they are a share of.

    Args:
        text: the (masked) article text.

    Returns:
        Percentages in text order; ``of`` is the noun phrase after "of" ("GDP"), or None.
    """
    out: list[Percent] = []
    for m in _PERCENT.finditer(text):
        value = _number(m.group("num"))
        if value is None:
            continue
        if m.group("num").lower() in ("a", "half a"):
            continue
        what = m.group("what")
        end = m.end()
        what_clean = " ".join(what.split()).rstrip(".,;:") if what else None
        out.append(Percent(value, what_clean, text[m.start() : end], m.start(), end))
    return out
