"""Phrase matching for the topic classifier: config phrases compiled once, found in one pass, binned into units.

A config phrase ("rare earths", "U.S.", "re:rare\\s+visit") becomes a regex indexed by its first token. A
:class:`Matcher` scans a field once and reports every phrase it finds; a :class:`Scan` bins those matches into
the units (title, sentences) of one article and hides the spans a topic masks.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

logger = logging.getLogger(__name__)

FIELD_TITLE = "title"
FIELD_TEXT = "text"

# Hyphens and dashes that appear inside compounds such as "U.S.–Japan" or "rare-earth".
_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2212"
_PHRASE_SEP = f"[\\s{_DASHES}]+"
_PHRASE_SPLIT_RE = re.compile(f"[\\s{_DASHES}]+")
_ASCII_WORD = "A-Za-z0-9_"
# Latin words and single non-ASCII characters (Japanese has no spaces, so every character may start a phrase).
_TOKEN_RE = re.compile(r"[A-Za-z0-9]+|[^\x00-\x7f]")
_INITIALISM_RE = re.compile(r"(?:[A-Za-z]\.){2,}")
_REGEX_HEAD_RE = re.compile(r"(?:\(\?:((?:[A-Za-z0-9]+\|)*[A-Za-z0-9]+)\)|([A-Za-z0-9]+))(?=\\s|\[\\s|[ \-])")

# {set_id: [(start, end, phrase index), ...]} for one field.
Matches = dict[int, list[tuple[int, int, int]]]


@dataclass(frozen=True)
class PatternSet:
    """A named group of phrases; ``set_id`` keys its matches in :meth:`Matcher.scan`."""

    set_id: int
    names: tuple[str, ...]
    weights: tuple[float, ...]


class Phrase(NamedTuple):
    """One compiled phrase: the set it belongs to, its position in that set, its length for longest-first order
    (a plain tuple: the scan reads one for every candidate token)."""

    set_id: int
    position: int
    length: int
    regex: re.Pattern[str]


@dataclass(frozen=True)
class Matcher:
    """Finds every configured phrase in one pass over a field.

    One big alternation regex per phrase set is slow in Python's ``re`` (every branch is tried at every
    character: ~20 ms for a 4,000-character article). Instead the text is cut into tokens once, each token is
    looked up in a dict of phrase first-words, and only those candidates are matched, anchored at the token.
    Raw ``re:`` phrases whose first word cannot be read off the pattern are searched in full; keep them few.
    """

    by_key: dict[str, tuple[Phrase, ...]]
    scanned: tuple[Phrase, ...]

    def scan(self, text: str) -> Matches:
        """Return {set_id: [(start, end, phrase index), ...]}, keeping the longest phrase per set and start."""
        found: Matches = {}
        if not text:
            return found
        by_key = self.by_key
        for token in _TOKEN_RE.finditer(text):
            word = token.group().lower()
            candidates = by_key.get(word, ())
            if word[-1:] == "s" and len(word) > 3:
                # "minerals" and "taxes" must find the phrases "mineral" and "tax".
                extra = by_key.get(word[:-1], ()) + (by_key.get(word[:-2], ()) if word[-2:] == "es" else ())
                if extra:
                    candidates = tuple(sorted(candidates + extra, key=lambda p: -p.length))
            if not candidates:
                continue
            start = token.start()
            done: set[int] = set()
            for phrase in candidates:  # longest first within each key
                if phrase.set_id in done:
                    continue
                m = phrase.regex.match(text, start)
                if m:
                    done.add(phrase.set_id)
                    found.setdefault(phrase.set_id, []).append((start, m.end(), phrase.position))
        for phrase in self.scanned:
            for m in phrase.regex.finditer(text):
                if m.end() > m.start():
                    found.setdefault(phrase.set_id, []).append((m.start(), m.end(), phrase.position))
        return found


class MatcherBuilder:
    """Collects phrase sets one by one, then builds the one :class:`Matcher` that finds them all."""

    def __init__(self) -> None:
        self.set_count = 0
        self.by_key: dict[str, list[Phrase]] = {}
        self.scanned: list[Phrase] = []

    def add(
        self,
        weighted: Mapping[str, float],
        compiled: Mapping[str, tuple[re.Pattern[str], tuple[str, ...]]],
        labels: Mapping[str, str],
    ) -> PatternSet:
        """Index one set of phrases.

        Args:
            weighted: phrase -> weight, in config order.
            compiled: phrase -> the output of :func:`compile_phrase`, for every phrase of ``weighted``.
            labels: phrase -> the name shown in evidence, where it differs from the phrase.

        Returns:
            The set, with its id, evidence names and weights.
        """
        set_id = self.set_count
        self.set_count += 1
        for index, phrase in enumerate(weighted):
            regex, keys = compiled[phrase]
            entry = Phrase(set_id=set_id, position=index, length=len(phrase), regex=regex)
            if keys:
                for k in keys:
                    self.by_key.setdefault(k, []).append(entry)
            else:
                self.scanned.append(entry)
        return PatternSet(
            set_id=set_id,
            names=tuple(labels.get(phrase, phrase) for phrase in weighted),
            weights=tuple(float(w) for w in weighted.values()),
        )

    def build(self) -> Matcher:
        """The matcher over every set added so far, candidates longest first."""
        by_key = {key: tuple(sorted(items, key=lambda p: -p.length)) for key, items in self.by_key.items()}
        return Matcher(by_key=by_key, scanned=tuple(self.scanned))


def compile_phrase(phrase: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """Compile a config phrase (see :func:`_phrase_regex`) into its regex and the tokens that index it.

    Args:
        phrase: the phrase as written in the config.

    Returns:
        The compiled regex and its lowercase first-token keys (empty when it must be searched in full).

    Raises:
        re.error: a ``re:`` phrase is not a valid regular expression.
    """
    body, case_sensitive, keys = _phrase_regex(phrase)
    return re.compile(body, 0 if case_sensitive else re.IGNORECASE), keys


def _regex_keys(pattern: str) -> tuple[str, ...]:
    """First-token keys of a raw regex when they are certain, else () and the regex is searched in full.

    Certain means the regex opens with a literal word, or a group of literal alternatives, that must be
    followed by a space or dash (``rare\\s+visit``, ``(?:yen|dollar)\\s+fell``), or with one Japanese character.
    """
    head = _REGEX_HEAD_RE.match(pattern)
    if head:
        return tuple(sorted({word.lower() for word in (head.group(1) or head.group(2)).split("|")}))
    if pattern and not pattern[0].isascii() and pattern[0].isalnum():
        return (pattern[0],)
    return ()


def _phrase_regex(phrase: str) -> tuple[str, bool, tuple[str, ...]]:
    """Turn a config phrase into (regex, case_sensitive, first-token keys).

    ``re:`` phrases are raw regular expressions (case-insensitive), indexed when :func:`_regex_keys` can.
    Plain phrases: spaces and hyphens match any run of spaces or dashes, dots are optional ("U.S." matches
    "US"), Latin words are whole words and may take a plural "s"/"es". A phrase without lowercase letters
    ("US", "JOGMEC") matches case-sensitively, so the pronoun "us" is not the United States.
    """
    if phrase.startswith("re:"):
        return phrase[3:], False, _regex_keys(phrase[3:])
    phrase = phrase.strip()
    tokens = [t for t in _PHRASE_SPLIT_RE.split(phrase) if t]
    # Dots are optional ("U.S." / "US"); a straight apostrophe also matches the typographic one ("China’s").
    body = _PHRASE_SEP.join(re.escape(t).replace("\\.", "\\.?").replace("'", "['\u2019]") for t in tokens)
    case_sensitive = not any(c.islower() for c in phrase)
    if phrase[-1].isascii() and phrase[-1].isalpha() and phrase[-1].islower():
        body += "(?:s|es)?"
    if phrase[-1].isascii() and phrase[-1].isalnum():
        body += f"(?![{_ASCII_WORD}])"
    first = _TOKEN_RE.match(phrase)
    if first is None:
        # Starts with punctuation ("$550"): no token to index, so search it with a word-boundary guard.
        return f"(?<![{_ASCII_WORD}]){body}", case_sensitive, ()
    keys = {first.group().lower()}
    initialism = _INITIALISM_RE.match(phrase)
    if initialism:
        keys.add(initialism.group().replace(".", "").lower())  # "U.S." is also written "US"
    return body, case_sensitive, tuple(sorted(keys))


# --------------------------------------------------------------------------------------------------------
# Matches over units


@dataclass(frozen=True)
class Unit:
    """A scoring unit: the title or one sentence of the text, as a span of its field."""

    field: str
    start: int
    end: int
    paragraph: int  # the title and the lead sentences form paragraph 0, the "headline block"
    position: str  # "title", "lead" or "body"


class Locator:
    """Maps a character offset in a field to the index of the unit that contains it."""

    def __init__(self, units: list[Unit]) -> None:
        self.starts: dict[str, list[int]] = {FIELD_TITLE: [], FIELD_TEXT: []}
        self.index: dict[str, list[int]] = {FIELD_TITLE: [], FIELD_TEXT: []}
        self.units = units
        for i, unit in enumerate(units):
            self.starts[unit.field].append(unit.start)
            self.index[unit.field].append(i)

    def find(self, field: str, offset: int) -> int | None:
        """Index of the unit of ``field`` that contains ``offset``, or None between units."""
        pos = bisect_right(self.starts[field], offset) - 1
        if pos < 0:
            return None
        i = self.index[field][pos]
        return i if offset < self.units[i].end else None


class Scan:
    """One article's phrase matches, binned into units, with one topic's masks applied."""

    def __init__(self, found: Mapping[str, Matches], locator: Locator, masks: PatternSet) -> None:
        self.found = found
        self.locator = locator
        self.units = locator.units
        self.masked = {
            field: [(start, end) for start, end, _ in by_set.get(masks.set_id, ())]
            for field, by_set in found.items()
        }

    def hits(self, patterns: PatternSet) -> list[set[int]]:
        """Per unit, the indexes of the phrases of ``patterns`` found in it (masked spans excluded)."""
        hits: list[set[int]] = [set() for _ in self.units]
        for field, by_set in self.found.items():
            masked = self.masked[field]
            for start, end, index in by_set.get(patterns.set_id, ()):
                if masked and any(m_start < end and start < m_end for m_start, m_end in masked):
                    continue
                unit = self.locator.find(field, start)
                if unit is not None:
                    hits[unit].add(index)
        return hits
