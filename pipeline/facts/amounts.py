"""Money amounts and percentages: find them in text and normalise them.

"$550 billion", "$550bln", "550 billion dollars", "300 mln dlrs", "¥1 trillion", "1 trillion yen",
"US$2.5 bn", "€5 million", "5500億ドル" all become a value in currency units plus an ISO 4217 code. A
bare "$" is read as US dollars, as wire copy and the gold annotation do. Unquantified amounts ("billions of
dollars") are not amounts.
"""

from __future__ import annotations

import bisect
import dataclasses
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from pipeline.facts.lexicon.amounts import (
    CLAUSE_BREAK,
    CLAUSE_DEPS,
    CLAUSE_REACH,
    CORE_ARGUMENTS,
    JA_CURRENCIES,
    JA_UNITS,
    PART_AFTER,
    PART_BEFORE,
    PREFIX_CURRENCIES,
    SCALES,
    SUFFIX_CURRENCIES,
    UNDER_REACH,
    UNDER_WHOLE,
)
from pipeline.facts.lexicon.events import TRIGGER_NOUNS, TRIGGER_VERBS
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


# --- Which event an amount belongs to -------------------------------------------------------------------
#
# An amount sits on an event only when the sentence ties them: the amount is an argument or modifier of the
# trigger ("invest $550 billion", "a $550 billion package", "a deal worth $36 billion"), or both are arguments
# of one verb ("the agreement provides $15 billion"). Sharing a sentence is not enough: in "a trade agreement,
# in which Japan agreed to invest $550 billion and pay a 15% tariff rate" the figure belongs to the investment,
# neither to the agreement (a relative clause) nor to the tariff (another conjoined verb).


class _Spanned(Protocol):
    @property
    def amount(self) -> Amount | None: ...
    @property
    def type(self) -> str: ...
    @property
    def evidence_start(self) -> int: ...
    @property
    def evidence_end(self) -> int: ...


_E = TypeVar("_E", bound=_Spanned)
_TRIGGER_PATTERNS: dict[str, re.Pattern[str]] = {
    etype: re.compile("|".join(TRIGGER_VERBS.get(etype, ()) + TRIGGER_NOUNS.get(etype, ())))
    for etype in {*TRIGGER_VERBS, *TRIGGER_NOUNS}
}


def _parse(sentence: str) -> Any | None:
    """The spaCy parse of one sentence, or None when no parser can be loaded (the clause rule decides)."""
    try:
        from pipeline.facts.coref import get_parser

        return get_parser()(sentence)
    except (ImportError, OSError):  # no model installed: fall back to clause boundaries
        logger.debug("no spaCy parser; amount ties fall back to clause boundaries")
        return None


def _span_head(doc: Any, start: int, end: int) -> Any | None:
    """The token of ``doc`` covering [start, end) whose head lies outside it (the phrase's head)."""
    tokens = [t for t in doc if t.idx < end and t.idx + len(t.text) > start]
    for tok in tokens:
        if not (start <= tok.head.idx < end) or tok.head.i == tok.i:
            return tok
    return tokens[0] if tokens else None


def _is_verb(tok: Any) -> bool:
    """A verb or auxiliary by its fine-grained tag: the shared parser (coref.parse_sentences) drops the
    attribute ruler, so ``pos_`` is empty there and only ``tag_`` (VB, VBD, VBG, VBN, VBP, VBZ, MD) is set."""
    return bool(tok.tag_.startswith("VB") or tok.tag_ == "MD")


def _crosses_clause(tok: Any) -> bool:
    """Whether the arc from ``tok`` to its head leaves a clause (relative, adverbial, reported, conjoined verb)."""
    if tok.dep_ in CLAUSE_DEPS:
        return True
    return tok.dep_ == "conj" and _is_verb(tok)


def _clause_path(tok: Any) -> list[Any]:
    """``tok`` and its heads up to the first arc that leaves the clause (or the root)."""
    path = [tok]
    while tok.head.i != tok.i and not _crosses_clause(tok):
        tok = tok.head
        path.append(tok)
    return path


def _tied_by_parse(doc: Any, trigger: tuple[int, int], amount: tuple[int, int]) -> bool:
    trig, amt = _span_head(doc, *trigger), _span_head(doc, *amount)
    if trig is None or amt is None:
        return False
    if trig.i == amt.i:
        return True
    up_from_amount, up_from_trigger = _clause_path(amt), _clause_path(trig)
    above_amount, above_trigger = {t.i for t in up_from_amount}, {t.i for t in up_from_trigger}
    if trig.i in above_amount or amt.i in above_trigger:
        return True  # "invest $550 billion", "a $550 billion package", "$550 billion in investments"
    # both arguments of one verb: "the agreement provides ... $15 billion"
    shared = next((t for t in up_from_amount if t.i in above_trigger), None)
    if shared is None or not _is_verb(shared):
        return False
    below = up_from_trigger[[t.i for t in up_from_trigger].index(shared.i) - 1]
    return (
        below.dep_ in CORE_ARGUMENTS
    )  # "the agreement provides", not "unlike any other agreement, ... agreed"


def _tied_by_clauses(sentence: str, trigger: tuple[int, int], amount: tuple[int, int]) -> bool:
    lo, hi = min(trigger[1], amount[1]), max(trigger[0], amount[0])
    if trigger[0] < amount[1] and amount[0] < trigger[1]:
        return True
    return hi - lo <= CLAUSE_REACH and not CLAUSE_BREAK.search(sentence[lo:hi])


def amount_tied(
    sentence: str, trigger: tuple[int, int], amount: tuple[int, int], doc: Any | None = None
) -> bool:
    """Whether a sentence ties an amount to an event trigger.

    They are tied when the amount is an argument or modifier of the trigger's phrase, or the trigger of the
    amount's ("$550 billion in investments"), or both are arguments of one verb, without crossing a clause
    boundary (relative, adverbial or reported clause, or a conjoined verb). With no parser the test is the
    clause boundary alone: no ";", relative pronoun or conjoined clause between them, and close by.

    Args:
        sentence: the sentence text; both spans index it.
        trigger: the (start, end) of the event's trigger word or phrase.
        amount: the (start, end) of the amount.
        doc: the sentence's spaCy parse, when the caller has one.

    Returns:
        True when the amount belongs to the event.
    """
    if trigger[0] < amount[1] and amount[0] < trigger[1]:
        return True  # the trigger phrase holds the figure ("$25 billion to supply ...")
    doc = doc if doc is not None else _parse(sentence)
    if doc is None:
        return _tied_by_clauses(sentence, trigger, amount)
    return _tied_by_parse(doc, trigger, amount)


def trigger_spans(sentence: str, etype: str) -> list[tuple[int, int]]:
    """The spans of ``sentence`` that can trigger an event of ``etype`` (the words of ``lexicon/events.py``)."""
    pattern = _TRIGGER_PATTERNS.get(etype)
    return [m.span() for m in pattern.finditer(sentence)] if pattern else []


def tie_amounts(text: str, events: Sequence[_E]) -> list[_E]:
    """The events with each amount kept only where its sentence ties it to the event.

    An event whose figure is not an argument of any of its type's triggers in the evidence sentence loses the
    figure (the event stays). The sentence is parsed once, and only when an event in it carries an amount.

    Args:
        text: the (masked) article text the events' evidence spans index.
        events: the events of one article.

    Returns:
        The events, in order, with untied amounts removed.
    """
    parses: dict[int, Any | None] = {}
    out: list[_E] = []
    for ev in events:
        amount = ev.amount
        if amount is None or not ev.evidence_start <= amount.start < ev.evidence_end:
            out.append(ev)
            continue
        lo = ev.evidence_start
        sentence = text[lo : ev.evidence_end]
        span = (amount.start - lo, amount.end - lo)
        triggers = trigger_spans(sentence, ev.type)
        if any(t[0] < span[1] and span[0] < t[1] for t in triggers):
            out.append(ev)
            continue
        if lo not in parses:
            parses[lo] = _parse(sentence)
        if not any(amount_tied(sentence, t, span, parses[lo]) for t in triggers):
            logger.debug("amount %s not tied to the %s in %r", amount.text, ev.type, sentence[:80])
            ev = dataclasses.replace(ev, amount=None)  # type: ignore[type-var]
        out.append(ev)
    return out


def is_part_amount(text: str, amount: Amount, sentence: tuple[int, int], amounts: Sequence[Amount]) -> bool:
    """Whether ``amount`` is a slice of a larger figure rather than a commitment of its own.

    A figure is a part when its clause calls it one: "tranche" or "instalment" before it, "of which" just
    before it, or "part of", "share of", "out of", "of the $Y" just after it. "Under the agreement" beside
    a figure makes it a part only when the document holds a larger figure in the same currency (the whole).

    Args:
        text: the (masked) article text the spans index.
        amount: the figure.
        sentence: the (start, end) of its sentence.
        amounts: every amount of the document.

    Returns:
        True when the figure is part of another.
    """
    lo, hi = sentence
    before = text[lo : amount.start]
    after = text[amount.end : hi]
    if PART_BEFORE.search(before) or PART_AFTER.match(after):
        return True
    near = text[max(lo, amount.start - UNDER_REACH) : min(hi, amount.end + UNDER_REACH)]
    if UNDER_WHOLE.search(near):
        return any(a.currency == amount.currency and a.value > amount.value * 1.05 for a in amounts)
    return False


def part_amounts(text: str, events: Sequence[_E], amounts: Sequence[Amount]) -> list[bool]:
    """For each event, whether its amount is a part of a larger figure (see :func:`is_part_amount`)."""
    return [
        ev.amount is not None
        and is_part_amount(text, ev.amount, (ev.evidence_start, ev.evidence_end), amounts)
        for ev in events
    ]
