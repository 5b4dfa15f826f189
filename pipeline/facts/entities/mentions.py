"""What entity finding produces and the small text primitives its stages share.

A :class:`Mention` is one span of the masked text with its canonical name and type; an
:class:`EntityAnalysis` is a document's mentions plus what the gazetteer knows about each name. The word
tokens, capitalisation test and span-coverage arrays here are used by candidate detection, typing and
linking alike.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import NamedTuple

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mention:
    """An entity mention in the article text (internal, richer than the public ``Entity``)."""

    name: str
    type: str
    start: int
    end: int
    source: str  # gazetteer, ner, rule, link, role, acronym
    how: str = "name"  # name, surname, given, demonym, metonym, role


@dataclass
class EntityAnalysis:
    """Mentions plus what the rest of the extractor needs to know about each canonical name."""

    mentions: list[Mention]
    types: dict[str, str] = field(default_factory=dict)
    countries: dict[str, str] = field(default_factory=dict)  # person/org -> the country it acts for
    genders: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)  # places -> country/state/city/region
    media: frozenset[str] = frozenset()


def covered(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether any of ``spans`` overlaps ``start``-``end``."""
    return any(a < end and start < b for a, b in spans)


def coverage(length: int, spans: list[tuple[int, int]]) -> bytearray:
    """A byte per character, 1 where a span covers it: constant-time overlap tests in token loops."""
    arr = bytearray(length)
    for a, b in spans:
        arr[a:b] = b"\x01" * (b - a)
    return arr


def hits(arr: bytearray, start: int, end: int) -> bool:
    """Whether the coverage array ``arr`` marks any character in ``start``-``end``."""
    return arr.find(1, start, end) != -1


def is_cap(text: str) -> bool:
    """Whether a word reads as part of a name: capitalised, or a digit-led code with capitals ("5G", "3M")."""
    return bool(text) and (text[0].isupper() or (text[0].isdigit() and any(c.isupper() for c in text)))


def bare(word: str) -> str:
    """The word without a trailing possessive or full stop ("Japan's" -> "Japan")."""
    if not word.endswith(("s", ".")):
        return word  # the common case, without a regex call
    return re.sub(r"(?:’s|'s|\.)$", "", word)


class Tok(NamedTuple):
    """A word token: its character span in the masked text and its text."""

    start: int
    end: int
    text: str


_TOKEN = re.compile(r"[^\W_](?:[\w’'&-]|\.(?=\w))*\.?")


def tokens(masked: str) -> list[Tok]:
    """Word tokens for candidate detection (regex: cheaper than spaCy's tokenizer over the whole text)."""
    return [Tok._make((m.start(), m.end(), m.group())) for m in _TOKEN.finditer(masked)]
