"""Direct quotations and who said them.

Quotes are text between curly (“ ”) or straight (") double quotation marks. A speaker is found, in order,
from an attribution right after the quote ("…,” Trump said / said Takaichi / the ministry said / he told
reporters / "These were the words of …"), from the sentence before it ("the White House said the goal was
“…”", "Trump commending her as a “…”", "Gov. Mike Dunleavy: “…”", "…, saying:" on the line before), and
from the previous quote when the speaker simply goes on, and in a transcript from the turn's label when the
speaker's own clause holds the quote ("KISHIDA: ... I would like to propose a toast with this word: “…”"; not
"the line from “Star Trek”: “…”", whose words are another's). Roles ("the Prime Minister"), unnamed
speakers ("one senior Finance Ministry official", "the spokesperson") and pronouns resolve over the whole
document in ``pipeline.facts.coref``. In a signed first-person document (an executive order, a
proclamation: "I hereby order", a signature line at the end), text it introduces "as follows:" is the
signatory's.

A quote needs an attribution: a phrase of a few words with none (a scare quote, a title, a "boom" tag)
is not a quote, nor is one a noun follows ("the “historic” deal"). Defined terms ("the “Participants”",
"“Mineral” means", "the term “…”"), titles after "titled" / "known as the" and glosses after "translates
to" are never quotes. A quote inside a quote is a quote of its own, with the speaker its clause names (or
none), never the outer speaker by default; the same words by the same speaker count once.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

from pipeline.facts.coref import Referent, Referents, Turns
from pipeline.facts.entities.mentions import EntityAnalysis
from pipeline.facts.lexicon.quotes import ATTITUDE_VERBS, DEFINITION_VERBS, SPEECH_VERBS
from pipeline.text import Sentence

logger = logging.getLogger(__name__)

MAX_QUOTE_CHARS = 4000
BEFORE_LOOKBACK = 2000  # chars of the sentence before a quote that are read for its speaker
AFTER_GAP_WORDS = 6  # words between a quote and the name after it ("…," X's former coach, Y, says)
CONTINUATION_GAP = 260  # chars between two quotes that still read as one speaker going on

_AFTER_VERB_FIRST = re.compile(rf"^[\s,.!?—–-]*(?:{SPEECH_VERBS})\b", re.I)
_AFTER_PRONOUN = re.compile(
    rf"^[\s,.!?—–-]*(?P<pron>he|she|it|they|He|She|It|They)\s+(?:also\s+|later\s+|then\s+|had\s+|has\s+)?"
    rf"(?:{SPEECH_VERBS})\b"
)
_VERB_AFTER_NAME = re.compile(
    rf"^(?:’s|'s)?\s*(?:,[^,.;:“”\"]{{1,80}},\s*)?,?\s*(?:\w+\s+){{0,2}}?(?:{SPEECH_VERBS})\b", re.I
)  # "Tom Baker said" / "Tom Baker, the president of Freedonia, said"
_BEFORE_VERB = re.compile(rf"\b(?:{SPEECH_VERBS}|{ATTITUDE_VERBS})\b", re.I)
_TITLE_SKIP = re.compile(
    r"(?:titled|entitled|called|named|dubbed|known\s+as|termed|the\s+so-called|translates?\s+(?:to|as)|"
    r"translated\s+(?:to|as)|meaning)\s*,?\s*(?:(?:the|a|an)\s+)?$",
    re.I,
)
_LABEL_GAP = re.compile(r"[\s\xa0,]*(?:\([^()]{0,60}\)[\s\xa0]*)?(?:[A-Z][\w.-]*[\s\xa0]*){0,3}")
_QUOTED_AS = re.compile(r"\bquot(?:ed|es|ing)\s+$", re.I)
# "“…” These were the words that President Kennedy sent": the next sentence names whose words they were.
_WORDS_OF = re.compile(
    r"[\s\xa0]*(?:These|Those|Such|That|This)\s+(?:were|are|was|is)\s+(?:the\s+)?(?:words?|lines?)\s+"
    r"(?:that|of|which|spoken\s+by|written\s+by)?\s*"
)
SCARE_QUOTE_WORDS = 4  # a quoted phrase this short needs an attribution to be a quote
_DEFINED_AFTER = re.compile(rf"^[”\"]?\s*(?:\([^)]{{0,40}}\)\s*)?(?:shall\s+)?(?:{DEFINITION_VERBS})\b")
_TERM_BEFORE = re.compile(r"\bthe\s+(?:terms?|words?|phrases?)\s*$", re.I)
_SINGLE_QUOTED = re.compile(r"(?<![\w’])‘([^‘’]{1,400}?)’(?![\w])")
_FUNCTION_WORDS = frozenset(
    """and or but nor to for of in on at by with as from that which who whom whose he she it they we i you
    is was were are be been has had have will would can could may might should must not than then so if
    because after before when while since until about over into onto during under across against between
    through within without per via the a an this these those its their his her our my your also again""".split()
)
_SPEECH_WORD = re.compile(rf"(?:{SPEECH_VERBS})", re.I)
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
_FIRST_PERSON = re.compile(r"\b(?:I|[Ww]e)\b")
# "the line from “Star Trek”", "the words of Kennedy": the clause credits the words to someone else.
_CREDITED = re.compile(
    r"\b(?:line|lines|words?|quote|quotation|saying|phrase|verse|motto|slogan|song)\s+(?:from|of|by)\b", re.I
)
_PRONOUN_SUBJECT = re.compile(r"(?:^|[,;]\s*|\band\s+)(?P<pron>He|She|he|she)\s")


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

    depth = 0  # curly quotes opened inside the open one: “… “…” …”
    for m in re.finditer(r"[“”\"]", masked):
        ch, pos = m.group(), m.start()
        if open_at is not None:
            brk = para_break_between(open_at, pos)
            if brk is not None:
                depth = 0
                if ch in '“"':
                    spans.append((open_at + 1, brk))  # closes at the paragraph end, reopens here
                    open_at, open_char = pos, ch
                    continue
                open_at = None
            elif ch == "“":
                depth += 1
                continue
            elif ch == "”" and depth:
                depth -= 1
                continue
        if open_at is None:
            if ch == "“" or ch == '"':
                open_at, open_char = pos, ch
            continue
        if open_char == '"' and ch == '"' and _looks_opening(masked, pos):
            # The open quote lost its closing mark ("advanced' proposals ... .): it ends with its sentence.
            stop = _SENTENCE_END.search(masked, open_at + 1, pos)
            if stop:
                spans.append((open_at + 1, stop.end()))
            open_at = pos
            continue
        if (open_char == "“" and ch == "”") or (open_char == '"' and ch == '"'):
            if pos - open_at <= MAX_QUOTE_CHARS:
                spans.append((open_at + 1, pos))
            open_at = None
        elif open_char == '"' and ch == "”":
            spans.append((open_at + 1, pos))
            open_at = None
    return [(a, b) for a, b in spans if re.search(r"[^\W\d_]", masked[a:b])]


_SENTENCE_LIKE = re.compile(r"^[A-Z].*[.!?]$", re.S)
_SENTENCE_END = re.compile(r"[.!?](?=\s)")


def _looks_opening(masked: str, pos: int) -> bool:
    """A straight mark after a space or an opening bracket and before a word opens a quote; it does not close one."""
    prev = masked[pos - 1] if pos else "\n"
    nxt = masked[pos + 1] if pos + 1 < len(masked) else ""
    return (prev.isspace() or prev in "([") and nxt.isalnum()


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


@dataclass(frozen=True)
class _Found:
    """An attribution: the speaker it names (None when it names nobody we can name) and whether it is final.

    A final attribution names its speaker or says who it is without a name ("one senior official said",
    "they said"); a speech verb with no subject found is not final, so a speaker going on may still take it.
    """

    speaker: str | None
    final: bool = True


class _Speakers:
    """Speaker resolution over one document's referents (``pipeline.facts.coref``)."""

    def __init__(
        self,
        masked: str,
        sentences: list[Sentence],
        analysis: EntityAnalysis,
        quote_spans: list[tuple[int, int]],
    ) -> None:
        self.masked = masked
        self.analysis = analysis
        self.quote_spans = quote_spans  # disjoint and in text order
        self.quote_starts = [a for a, _ in quote_spans]
        self.refs = Referents(masked, sentences, analysis, self.inside_quote)

    def speakers_from(self, pos: int) -> Iterator[Referent]:
        """The referents starting at or after ``pos``, in text order (found by bisection, not a scan)."""
        yield from self.refs.after(pos)

    def inside_quote(self, pos: int) -> bool:
        i = bisect.bisect_right(self.quote_starts, pos) - 1  # the last quote opened at or before pos
        return i >= 0 and pos < self.quote_spans[i][1]

    def is_possessive(self, m: Referent) -> bool:
        return bool(re.match(r"(?:’s|'s|’)(?!\w)", self.masked[m.end : m.end + 3]))

    def subject_like(self, m: Referent, floor: int) -> bool:
        if self.is_possessive(m) or self.inside_quote(m.start):
            return False
        before = self.masked[max(floor, m.start - 40) : m.start]
        if _SUBJECT_BEFORE.search(before) or m.start <= floor or _QUOTED_AS.search(before):
            return True  # "Kyodo quoted Nakasone as telling reporters": the one quoted speaks
        last = re.search(r"(\S+)\s*$", before)
        return bool(last and last.group(1)[:1].isupper())  # part of a title phrase: "Executive Director X"

    def resolve_pronoun(self, pronoun: str, pos: int) -> str | None:
        """The referent of a pronoun subject of the speech verb: see ``pipeline.facts.coref``."""
        referent = self.refs.pronoun(pronoun, pos)
        return referent.name if referent else None

    def after(self, end: int) -> _Found | None:
        tail = self.masked[end + 1 : end + 160]
        tail = re.split(r"[“\"]", tail)[0]
        base = end + 1
        if _NEW_LIST_ITEM.match(tail):
            return None  # "…”\n(b) Bessent said …": the next item of a list speaks for itself
        pron = _AFTER_PRONOUN.match(tail)
        if pron:
            return _Found(self.resolve_pronoun(pron.group("pron"), base + pron.start("pron")))
        verb = _AFTER_VERB_FIRST.match(tail)
        if verb:
            limit = base + verb.end() + 60
            for m in self.speakers_from(base + verb.end()):
                if m.start <= limit:
                    gap = self.masked[base + verb.end() : m.start]
                    if re.fullmatch(r"[\s\w.,’'-]*", gap) and not re.search(r"[.;]\s", gap):
                        return _Found(m.name)
                break
            pron2 = re.match(r"\s+(he|she|it)\b", tail[verb.end() :])
            if pron2:
                return _Found(self.resolve_pronoun(pron2.group(1), base + verb.end()))
            return _Found(None, final=False)
        words_of = _WORDS_OF.match(self.masked, end + 1, end + 160)
        if words_of:
            for m in self.speakers_from(words_of.end()):
                if m.start - words_of.end() <= 40 and m.type == "PERSON":
                    return _Found(m.name)
                break
        lead = re.match(r"^[\s,.!?—–-]*", tail)
        first = base + (lead.end() if lead else 0)
        # "…," Trump said / "…," the ministry said / "…," Ohtani's former coach, Shoji Asari, says.
        for m in self.speakers_from(first):
            gap = self.masked[first : m.start]
            if (
                m.start > first + 80
                or re.search(r"[.;!?“\"]", gap)
                or _words(gap) > AFTER_GAP_WORDS
                or (
                    "\n" in self.masked[end : m.start] and re.search(r"[.!?]\W*$", self.masked[end - 2 : end])
                )
            ):
                break  # the next sentence's own subject, not this quote's speaker
            if self.is_possessive(m):
                continue
            if _VERB_AFTER_NAME.match(self.masked[m.end : m.end + 50]):
                return _Found(m.name)
        return None

    def before(self, sentence: Sentence, start: int, previous: Sentence | None) -> _Found | None:
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
            # A label: "Gov. Mike Dunleavy: “…" -- the name right before the colon. A name further back is
            # someone addressed or talked about ("Mr. President, Dr. Biden, ..., with this word: “…”").
            colon = floor + len(stripped) - 1
            for m in reversed(self.refs.before(open_mark)):
                if m.start < floor:
                    break
                if not self.is_possessive(m) and m.name and _LABEL_GAP.fullmatch(self.masked[m.end : colon]):
                    return _Found(m.name)
            return _Found(None, final=False)
        verbs = [v for v in _BEFORE_VERB.finditer(text) if not self.inside_quote(floor + v.start())]
        if not verbs:
            return None
        verb_pos = floor + verbs[-1].start()
        best: Referent | None = None
        for m in self.speakers_from(floor):
            if m.start >= verb_pos:
                break
            if self.subject_like(m, floor):
                best = m
        pron = None
        for p in _PRONOUN_SUBJECT.finditer(self.masked[floor:verb_pos]):
            pron = p
        if pron and (best is None or floor + pron.start("pron") > best.start):
            return _Found(self.resolve_pronoun(pron.group("pron"), floor + pron.start("pron")))
        if best is None:
            return _Found(None, final=False)
        return _Found(best.name, final=best.name is not None or not best.named)


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


def _words(text: str) -> int:
    return len(re.findall(r"[^\W_]+(?:[’'-][^\W_]+)*", text))


def _is_modifier(masked: str, end: int) -> bool:
    """A short quoted phrase that a noun follows ("the “historic” deal") modifies it: nobody is quoted."""
    nxt = re.match(r"[”\"’']?[ \t\xa0]+([a-z][\w-]*)", masked[end : end + 40])
    return bool(nxt and nxt.group(1) not in _FUNCTION_WORDS and not _SPEECH_WORD.fullmatch(nxt.group(1)))


def _is_definition(masked: str, start: int, end: int) -> bool:
    """ "(a) “Mineral production” means ..." / "the term “processed minerals” refers to ...": a defined term."""
    if _DEFINED_AFTER.match(masked[end : end + 40]):
        return True
    return bool(_TERM_BEFORE.search(masked[max(0, start - 30) : start - 1]))


_TERM_DETERMINER = re.compile(r"(?:^|\s)(?:the|a|an|this|that|its|their|his|her|our|so-called|new)\s*$", re.I)
_CALLED_IT = re.compile(
    r"\b(?:call(?:s|ed|ing)?|describ(?:e|es|ed|ing)|label(?:l?ed|s)?)\s+(?:\w+\s+)?(?:a|an|the)?\s*$", re.I
)


def _is_bare_term(masked: str, start: int, end: int) -> bool:
    """A name in quotation marks where a noun goes ("includes a “Golden Share” for", "this “framework”"):
    a short phrase after a determiner, a single word or capitalised words with no sentence punctuation, that
    nobody is said to have called it ("called her a “hero”" stays a quote)."""
    words = masked[start:end].split()
    if not words or len(words) > SCARE_QUOTE_WORDS or re.search(r"[.!?,;:]", masked[start:end]):
        return False
    if len(words) > 1 and not all(w[:1].isupper() or w.lower() in _FUNCTION_WORDS for w in words):
        return False
    before = masked[max(0, start - 40) : max(0, start - 1)]
    return bool(_TERM_DETERMINER.search(before)) and not _CALLED_IT.search(before)


def inner_spans(masked: str, start: int, end: int) -> list[tuple[int, int]]:
    """Quotes inside the quote ``start``-``end``: curly double marks nested in it, or curly single marks."""
    out: list[tuple[int, int]] = []
    depth_open: int | None = None
    for m in re.finditer(r"[“”]", masked[start:end]):
        pos = start + m.start()
        if m.group() == "“" and depth_open is None:
            depth_open = pos
        elif m.group() == "”" and depth_open is not None:
            out.append((depth_open + 1, pos))
            depth_open = None
    for m in _SINGLE_QUOTED.finditer(masked, start, end):
        out.append((m.start(1), m.end(1)))
    return sorted((a, b) for a, b in out if re.search(r"[^\W\d_]", masked[a:b]))


def _inner_speaker(
    masked: str, analysis: EntityAnalysis, outer: tuple[int, int], inner: tuple[int, int]
) -> _Found | None:
    """Who the quoted speaker quotes: a name before a speech verb in the same clause of the outer quote
    ("Ivo Brand told me ‘…’"), or a name and a verb right after it; never the outer speaker by default."""
    a, b = inner
    clause_start = outer[0]
    for stop in re.finditer(r"[.!?;]\s", masked[outer[0] : a - 1]):
        clause_start = outer[0] + stop.end()
    clause = masked[clause_start : a - 1]
    verbs = list(_BEFORE_VERB.finditer(clause))
    people = [m for m in analysis.mentions if m.type in ("PERSON", "ORG") and m.how != "demonym"]
    if verbs:
        verb_pos = clause_start + verbs[-1].start()
        named = [m for m in people if clause_start <= m.start and m.end <= verb_pos]
        return _Found(named[-1].name if named else None)
    tail = masked[b + 1 : min(outer[1], b + 80)]
    for person in people:
        if b < person.start <= b + 40 and re.fullmatch(r"[\s,’'”\"]*", masked[b + 1 : person.start]):
            if _VERB_AFTER_NAME.match(masked[person.end : person.end + 50]):
                return _Found(person.name)
    if _AFTER_VERB_FIRST.match(tail):
        return _Found(None)
    return None


def _keep(masked: str, start: int, end: int, found: _Found | None, from_after: bool) -> bool:
    """A quote needs an attribution: a short phrase (``SCARE_QUOTE_WORDS`` words or fewer) is a quote only when
    a speech verb after it attributes it, or the verb before it has a speaker (or says words were spoken) and
    no noun follows it ("the “historic” deal" modifies the noun; "the report called it a “failure”" quotes
    nobody)."""
    if _words(masked[start:end]) > SCARE_QUOTE_WORDS:
        return True
    if found is None:
        return False
    if from_after:
        return True
    # A named speaker, or words a clause says somebody said ("my father told me, ‘Never give up’"), not a tag.
    said = (
        found.speaker is not None
        or (found.final and masked[start : start + 1].isupper())
        or masked[max(0, start - 6) : start - 1].rstrip().endswith(":")  # "with this word: “…”"
    )
    return said and not _is_modifier(masked, end)


def find_quotes(masked: str, sentences: list[Sentence], analysis: EntityAnalysis) -> list[Quote]:
    """Find direct quotations and attribute each to a canonical speaker.

    A quote needs an attribution (a speech verb, a colon, a speaker going on, a signed order's "as follows:")
    unless it is longer than a few words; defined terms and titles are never quotes. A quote inside a quote
    is a quote of its own, with its own speaker; the same words by the same speaker count once.

    Args:
        masked: the masked article text.
        sentences: its sentence spans.
        analysis: the entity mentions of the document.

    Returns:
        Quotes in text order; ``speaker`` is None when nothing in the text says who spoke.
    """
    spans = [
        (a, b)
        for a, b in find_quote_spans(masked)
        if not _is_excluded(masked, a, b)
        and not _is_definition(masked, a, b)
        and not _is_bare_term(masked, a, b)
    ]
    if not spans:
        return []
    resolver = _Speakers(masked, sentences, analysis, spans)
    turns = Turns(masked, resolver.refs)
    signatory = _signatory(masked, analysis)
    quotes: list[Quote] = []
    prev_end: int | None = None
    prev_speaker: str | None = None
    for start, end in spans:
        idx = _sentence_of(sentences, start - 1) if sentences else 0
        found = resolver.after(end)
        from_after = found is not None and found.final
        if (found is None or not found.final) and sentences:
            sentence = sentences[idx]
            if sentence.start > start - 1:
                sentence = Sentence(start - 1, start - 1, False)
            previous = sentences[idx - 1] if idx > 0 else None
            found = resolver.before(sentence, start, previous) or found
        if (
            (found is None or found.speaker is None)
            and signatory
            and _INTRODUCED_AS_FOLLOWS.search(masked[max(0, start - 200) : start - 1])
        ):
            found = _Found(signatory)
        if found is None or not found.final:
            found = _turn_speaker(masked, sentences[idx].start if sentences else 0, start, turns) or found
        if (
            (found is None or not found.final)
            and prev_end is not None
            and prev_speaker is not None
            and start - prev_end <= CONTINUATION_GAP
        ):
            gap_people = [
                m
                for m in analysis.mentions
                if prev_end <= m.start < start and m.type == "PERSON" and m.name != prev_speaker
            ]
            text = masked[start:end].strip()
            if not gap_people and (_words(text) > SCARE_QUOTE_WORDS or _SENTENCE_LIKE.match(text)):
                found = _Found(prev_speaker)  # a speaker goes on in sentences, not in one-word tags
        if not _keep(masked, start, end, found, from_after):
            continue
        speaker = found.speaker if found else None
        quotes.append(Quote(speaker, masked[start:end], start, end))
        prev_end, prev_speaker = end, speaker
        for a, b in inner_spans(masked, start, end):
            if _is_definition(masked, a, b):
                continue
            inner = _inner_speaker(masked, analysis, (start, end), (a, b))
            if _keep(masked, a, b, inner, False):
                quotes.append(Quote(inner.speaker if inner else None, masked[a:b], a, b))
    return _once(sorted(quotes, key=lambda q: q.start))


def _turn_speaker(masked: str, sentence_start: int, start: int, turns: Turns) -> _Found | None:
    """The speaker of a transcript turn, for a quote in the turn speaker's own clause: the clause opens the
    turn or speaks in the first person, a speech verb before the quote has a first-person subject, and the
    clause credits the words to nobody else."""
    turn = turns.at(start)
    if turn is None or turn[1] is None:
        return None
    turn_start, speaker = turn
    clause = masked[max(turn_start, sentence_start) : start - 1]
    if _CREDITED.search(clause):
        return None
    verbs = list(_BEFORE_VERB.finditer(clause))
    if verbs:  # "they said, “…”" quotes them; "as I told them, “…”" quotes the turn's speaker
        before_verb = clause[: verbs[-1].start()].split()[-3:]
        return _Found(speaker) if _FIRST_PERSON.search(" ".join(before_verb)) else None
    opens_turn = not _SENTENCE_END.search(masked, turn_start, start - 1)
    return _Found(speaker) if opens_turn or _FIRST_PERSON.search(clause) else None


def _once(quotes: list[Quote]) -> list[Quote]:
    """The same words by the same speaker in one document are one quote (a toast repeated, a line re-quoted)."""
    seen: set[tuple[str | None, str]] = set()
    out: list[Quote] = []
    for q in quotes:
        key = (q.speaker, " ".join(re.findall(r"\w+", q.text.lower())))
        if key in seen:
            continue
        seen.add(key)
        out.append(q)
    return out
