"""Direct quotations and who said them.

Quotes are text between curly (“ ”) or straight (") double quotation marks. A speaker is found, in order,
from an attribution right after the quote ("…,” Trump said / said Takaichi / he told reporters), from the
sentence before it ("the White House said the goal was “…”", "Trump commending her as a “…”",
"Gov. Mike Dunleavy: “…”", "…, saying:" on the line before), and finally from the previous quote when the
speaker simply goes on. Pronouns resolve to the last person named before the quote, with gender from the
gazetteer when it is known. In a signed first-person document (an executive order, a proclamation:
"I hereby order", a signature line at the end), text it introduces "as follows:" is the signatory's.
Defined terms in parentheses ("the “Participants”") and titles after "titled"
are not quotes.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

from pipeline.facts.entities.mentions import EntityAnalysis, Mention
from pipeline.facts.lexicon.quotes import ATTITUDE_VERBS, NOMINAL_SPEAKERS, SPEECH_VERBS
from pipeline.text import Sentence

logger = logging.getLogger(__name__)

MAX_QUOTE_CHARS = 4000
BEFORE_LOOKBACK = 2000  # chars of the sentence before a quote that are read for its speaker
CONTINUATION_GAP = 260  # chars between two quotes that still read as one speaker going on

_AFTER_VERB_FIRST = re.compile(rf"^[\s,.!?—–-]*(?:{SPEECH_VERBS})\b", re.I)
_AFTER_PRONOUN = re.compile(
    rf"^[\s,.!?—–-]*(?P<pron>he|she|it|they|He|She|It|They)\s+(?:also\s+|later\s+|then\s+|had\s+|has\s+)?"
    rf"(?:{SPEECH_VERBS})\b"
)
_VERB_AFTER_NAME = re.compile(rf"^(?:’s|'s)?\s*,?\s*(?:\w+\s+){{0,2}}?(?:{SPEECH_VERBS})\b", re.I)
_BEFORE_VERB = re.compile(rf"\b(?:{SPEECH_VERBS}|{ATTITUDE_VERBS})\b", re.I)
_TITLE_SKIP = re.compile(
    r"(?:titled|entitled|called|named|dubbed|known\s+as|termed|the\s+so-called)\s*,?\s*$", re.I
)
_NOMINAL_SPEAKER = re.compile(rf"\b(?:{NOMINAL_SPEAKERS})\b", re.I)
_SUBJECT_BEFORE = re.compile(
    r"(?:^|[,;:(“\"—–]|\b(?:and|with|but|while|as|the|The|then|also|where|when))\s*$"
)
# A signed document speaks in the first person and ends with its signatory's name on a line of its own.
_FIRST_PERSON_ORDER = re.compile(r"\bI\s+hereby\b|\bvested\s+in\s+me\b", re.I)
_INTRODUCED_AS_FOLLOWS = re.compile(r"\bas\s+follows\s*:\s*$", re.I)
SIGNATURE_TAIL = 400
_NEW_LIST_ITEM = re.compile(
    r"^[ \t\xa0]*\n\s*(?:\(\w{1,3}\)|\d{1,2}[.)]|[-•*])\s"
)  # the signature block sits in the last few lines
_PRONOUN_SUBJECT = re.compile(r"(?:^|[,;]\s*|\band\s+)(?P<pron>He|She|he|she)\s+(?:\w+\s+){0,3}?\w+")


@dataclass(frozen=True)
class Quote:
    """A direct quotation: its speaker's canonical name (or None), the quoted text and its span."""

    speaker: str | None
    text: str
    start: int
    end: int


def find_quote_spans(masked: str) -> list[tuple[int, int]]:
    """Spans of quoted text (inside the marks) in ``masked``.

    Curly and straight double quotes are paired within paragraphs; a quote left open at a paragraph end
    closes there when the next paragraph opens a new quote (the wire-copy convention for long quotes).

    Args:
        masked: the masked article text.

    Returns:
        (start, end) of each quote's inner text, in order.
    """
    spans: list[tuple[int, int]] = []
    open_at: int | None = None
    open_char = ""
    breaks = [m.start() for m in re.finditer(r"\n[ \t\xa0]*\n|\n[ \t\xa0]{3,}(?=[“\"])", masked)]

    def para_break_between(a: int, b: int) -> int | None:
        i = bisect.bisect_right(breaks, a)  # the first break after a, found in log time
        return breaks[i] if i < len(breaks) and breaks[i] < b else None

    for m in re.finditer(r"[“”\"]", masked):
        ch, pos = m.group(), m.start()
        if open_at is not None:
            brk = para_break_between(open_at, pos)
            if brk is not None:
                if ch in '“"':
                    spans.append((open_at + 1, brk))  # closes at the paragraph end, reopens here
                    open_at, open_char = pos, ch
                    continue
                open_at = None
        if open_at is None:
            if ch == "“" or ch == '"':
                open_at, open_char = pos, ch
            continue
        if (open_char == "“" and ch == "”") or (open_char == '"' and ch == '"'):
            if pos - open_at <= MAX_QUOTE_CHARS:
                spans.append((open_at + 1, pos))
            open_at = None
        elif open_char == '"' and ch == "”":
            spans.append((open_at + 1, pos))
            open_at = None
    return [(a, b) for a, b in spans if re.search(r"[^\W\d_]", masked[a:b])]


def _is_excluded(masked: str, start: int, end: int) -> bool:
    """Defined terms in parentheses and titles are not quotations."""
    before = masked[max(0, start - 400) : start - 1]
    if _TITLE_SKIP.search(before[-80:]):
        return True
    line_before = before.rsplit("\n\n", 1)[-1]
    words = len(masked[start:end].split())
    opened = line_before.count("(") - line_before.count(")")
    return opened > 0 and words <= 6


def _sentence_of(sentences: list[Sentence], pos: int) -> int:
    lo, hi = 0, len(sentences) - 1
    best = 0
    while lo <= hi:
        mid = (lo + hi) // 2
        if sentences[mid].start <= pos:
            best = mid
            lo = mid + 1
        else:
            hi = mid - 1
    return best


class _Speakers:
    """Speaker resolution over one document's mentions."""

    def __init__(self, masked: str, analysis: EntityAnalysis, quote_spans: list[tuple[int, int]]) -> None:
        self.masked = masked
        self.analysis = analysis
        self.quote_spans = quote_spans  # disjoint and in text order
        self.quote_starts = [a for a, _ in quote_spans]
        self.speakers = [m for m in analysis.mentions if m.type in ("PERSON", "ORG") and m.how != "demonym"]
        self.speaker_starts = [m.start for m in self.speakers]

    def speakers_from(self, pos: int) -> Iterator[Mention]:
        """The speaker mentions starting at or after ``pos``, in text order (found by bisection, not a scan)."""
        for j in range(bisect.bisect_left(self.speaker_starts, pos), len(self.speakers)):
            yield self.speakers[j]

    def inside_quote(self, pos: int) -> bool:
        i = bisect.bisect_right(self.quote_starts, pos) - 1  # the last quote opened at or before pos
        return i >= 0 and pos < self.quote_spans[i][1]

    def is_possessive(self, m: Mention) -> bool:
        return bool(re.match(r"(?:’s|'s|’)(?!\w)", self.masked[m.end : m.end + 3]))

    def subject_like(self, m: Mention, floor: int) -> bool:
        if self.is_possessive(m) or self.inside_quote(m.start):
            return False
        before = self.masked[max(floor, m.start - 40) : m.start]
        if _SUBJECT_BEFORE.search(before) or m.start <= floor:
            return True
        last = re.search(r"(\S+)\s*$", before)
        return bool(last and last.group(1)[:1].isupper())  # part of a title phrase: "Executive Director X"

    def resolve_pronoun(self, pronoun: str, pos: int) -> str | None:
        """The last person (or organisation, for "it") named before ``pos`` outside quotes.

        Gender from the gazetteer skips the wrong person ("she" after "Trump"). An unnamed speaker told after
        that person ("a defence ministry spokesman said ...") takes the pronoun instead: the speaker is then
        the organisation named with the noun, or nobody.
        """
        pronoun = pronoun.lower()
        if pronoun == "they":
            return None
        wanted = "ORG" if pronoun == "it" else "PERSON"
        gender = {"he": "m", "she": "f"}.get(pronoun)
        for m in reversed(self.speakers):
            if m.start >= pos or m.type != wanted or self.inside_quote(m.start):
                continue
            known = self.analysis.genders.get(m.name)
            if gender and known and known != gender:
                continue
            if wanted == "PERSON":
                nominal = [
                    n
                    for n in _NOMINAL_SPEAKER.finditer(self.masked, m.end, pos)
                    if not self.inside_quote(n.start())
                ]
                if nominal:
                    return self.nominal_owner(nominal[-1].start())
            return m.name
        return None

    def nominal_owner(self, pos: int) -> str | None:
        """ "A defence ministry spokesman": the organisation named just before the noun, if any."""
        for m in reversed(self.analysis.mentions):
            if m.end <= pos and pos - m.end <= 30 and m.type == "ORG":
                return m.name
        return None

    def after(self, end: int) -> str | None:
        tail = self.masked[end + 1 : end + 160]
        tail = re.split(r"[“\"]", tail)[0]
        base = end + 1
        if _NEW_LIST_ITEM.match(tail):
            return None  # "…”\n(b) Bessent said …": the next item of a list speaks for itself
        pron = _AFTER_PRONOUN.match(tail)
        if pron:
            return self.resolve_pronoun(pron.group("pron"), base + pron.start("pron"))
        verb = _AFTER_VERB_FIRST.match(tail)
        if verb:
            limit = base + verb.end() + 60
            for m in self.speakers_from(base + verb.end()):
                if m.start <= limit:
                    gap = self.masked[base + verb.end() : m.start]
                    if re.fullmatch(r"[\s\w.,’'-]*", gap) and not re.search(r"[.;]\s", gap):
                        return m.name
                break
            pron2 = re.match(r"\s+(he|she|it)\b", tail[verb.end() :])
            if pron2:
                return self.resolve_pronoun(pron2.group(1), base + verb.end())
            return None
        lead = re.match(r"^[\s,.!?—–-]*", tail)
        first = base + (lead.end() if lead else 0)
        # "…," Trump said / "…," Ohtani's former coach, Shoji Asari, says: a name then a speech verb.
        for m in self.speakers_from(first):
            if m.start > first + 80 or re.search(r"[.;!?“\"]", self.masked[first : m.start]):
                break
            if self.is_possessive(m):
                continue
            if _VERB_AFTER_NAME.match(self.masked[m.end : m.end + 50]):
                return m.name
        return None

    def before(self, sentence: Sentence, start: int, previous: Sentence | None) -> str | None:
        open_mark = start - 1
        text = self.masked[sentence.start : open_mark]
        floor = sentence.start
        if (
            not text.strip()
            and previous is not None
            and self.masked[previous.start : previous.end].rstrip().endswith(":")
        ):
            sentence, floor = previous, previous.start
            text = self.masked[previous.start : previous.end]
            open_mark = previous.end
        # a run-on "sentence": read only its end, so each quote costs the same
        if open_mark - floor > BEFORE_LOOKBACK:
            floor = open_mark - BEFORE_LOOKBACK
            text = self.masked[floor:open_mark]
        stripped = text.rstrip()
        if not stripped:
            return None
        if stripped.endswith(":") and not re.search(
            rf"\b(?:{SPEECH_VERBS}|{ATTITUDE_VERBS})\b", stripped, re.I
        ):
            # A label: "Gov. Mike Dunleavy: “…" -- the nearest name before the colon.
            for m in reversed(self.speakers):
                if floor <= m.start < open_mark and not self.is_possessive(m):
                    return m.name
            return None
        verbs = [v for v in _BEFORE_VERB.finditer(text) if not self.inside_quote(floor + v.start())]
        if not verbs:
            return None
        verb_pos = floor + verbs[-1].start()
        best: tuple[int, str] | None = None
        for m in self.speakers_from(floor):
            if m.start >= verb_pos:
                break
            if self.subject_like(m, floor):
                best = (m.start, m.name)
        pron = None
        for p in _PRONOUN_SUBJECT.finditer(self.masked[floor:verb_pos]):
            pron = p
        if pron and (best is None or floor + pron.start("pron") > best[0]):
            return self.resolve_pronoun(pron.group("pron"), floor + pron.start("pron"))
        return best[1] if best else None


def _signatory(masked: str, analysis: EntityAnalysis) -> str | None:
    """The person who signs a first-person document: a name alone on its line near the end."""
    if not _FIRST_PERSON_ORDER.search(masked):
        return None
    tail = len(masked) - SIGNATURE_TAIL
    for m in reversed(analysis.mentions):
        if m.start < tail:
            break
        line_start = masked.rfind("\n", 0, m.start) + 1
        line_end = masked.find("\n", m.end)
        rest = masked[m.end : len(masked) if line_end < 0 else line_end]
        if m.type == "PERSON" and not masked[line_start : m.start].strip() and not rest.strip(" \t\xa0,."):
            return m.name
    return None


def find_quotes(masked: str, sentences: list[Sentence], analysis: EntityAnalysis) -> list[Quote]:
    """Find direct quotations and attribute each to a canonical speaker.

    Args:
        masked: the masked article text.
        sentences: its sentence spans.
        analysis: the entity mentions of the document.

    Returns:
        Quotes in text order; ``speaker`` is None when nothing in the text says who spoke.
    """
    spans = [(a, b) for a, b in find_quote_spans(masked) if not _is_excluded(masked, a, b)]
    resolver = _Speakers(masked, analysis, spans)
    signatory = _signatory(masked, analysis) if spans else None
    quotes: list[Quote] = []
    prev_end: int | None = None
    prev_speaker: str | None = None
    for start, end in spans:
        idx = _sentence_of(sentences, start - 1) if sentences else 0
        speaker = resolver.after(end)
        if speaker is None and sentences:
            sentence = sentences[idx]
            if sentence.start > start - 1:
                sentence = Sentence(start - 1, start - 1, False)
            previous = sentences[idx - 1] if idx > 0 else None
            speaker = resolver.before(sentence, start, previous)
        if (
            speaker is None
            and signatory
            and _INTRODUCED_AS_FOLLOWS.search(masked[max(0, start - 200) : start - 1])
        ):
            speaker = signatory
        if (
            speaker is None
            and prev_end is not None
            and prev_speaker is not None
            and start - prev_end <= CONTINUATION_GAP
        ):
            gap_people = [
                m
                for m in analysis.mentions
                if prev_end <= m.start < start and m.type == "PERSON" and m.name != prev_speaker
            ]
            if not gap_people:
                speaker = prev_speaker
        quotes.append(Quote(speaker, masked[start:end], start, end))
        prev_end, prev_speaker = end, speaker
    return quotes
