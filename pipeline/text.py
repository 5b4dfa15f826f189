"""Text preparation for classification and fact extraction: an offset-preserving clean view and sentence spans.

Every extractor works on a *masked* copy of the article text in which markup (Markdown links and
emphasis, HTML tags, bare URLs) is overwritten with spaces. The copy has exactly the same length as
the original, so every span found in it indexes the original text too, and evidence can be quoted
verbatim from the original.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from dataclasses import dataclass

logger = logging.getLogger(__name__)

# Markdown link: keep the label, blank the brackets and the target. Labels may wrap over lines.
_MD_LINK = re.compile(r"\[([^\[\]]{0,400}?)\]\((?:[^()\s]|\([^()\s]*\))*\)")
_URL = re.compile(r"\bhttps?://[^\s)\]>]+")
_HTML = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]{0,300}>", re.S)
_EMPHASIS = re.compile(r"\*{1,3}|(?<!\w)_{1,2}(?=\w)|(?<=\w)_{1,2}(?!\w)")
_ESCAPE = re.compile(r"\\(?=[.\-*_()\[\]#])")
_ENTITY_REF = re.compile(r"&(?:nbsp|amp|quot|#\d+);")
# The second masking pass, each pattern with the characters one of its matches must hold.
_SECOND_PASS = ((_EMPHASIS, "*_"), (_ESCAPE, "\\"), (_ENTITY_REF, "&"))

# English cardinal number words, shared by amounts ("two billion") and dates ("twenty-five").
CARDINALS: dict[str, int] = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}

# Abbreviations whose period does not end a sentence: splitting "U.S. Trade sanctions" would hide the US actor
# from the sentence it belongs to, and a fact from its evidence.
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof gov sen rep gen lt col capt adm sgt st jr sr inc corp co ltd no nos vs
    jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.u d.c dept est approx etc e.g i.e
    a.m p.m fig sec secs op pres ft mt rev messrs u.s.a""".split()
)
# A word longer than this is no abbreviation: looking back further only costs time (quadratic on "U.S.U.S.…").
_ABBREVIATION_LOOKBACK = max(len(a) for a in ABBREVIATIONS) + 1
_BULLET = re.compile(
    r"(?m)^[ \t]*(?:[-•*▪●◦]|\d{1,2}[.)]|[a-z]\\?[.)]|\((?:[a-z]|[ivx]{1,4}|\d{1,2})\))[ \t]+"
)
_TERMINAL = re.compile(r"[.!?]+[”\"’')\]]*|[。！？]+[」』）]*")
_CLOSERS = "”\"’')]"
_CJK_STOPS = "。！？"
# A single newline is only hard wrapping (White House and Reuters texts wrap at ~70 columns), so it does not
# start a paragraph; an indented line or a bullet does.
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*|\n[ \t]{2,}|\n(?=[ \t]*[-*\u2022]\s)")
_UPPER = re.compile(r"[A-Z]")
_LOWER = re.compile(r"[a-z]")
_NEWLINE = re.compile(r"\n")
_BLANK_LINE = re.compile(r"\n[ \t\xa0]*\n")
_LINE_COLON = re.compile(r":(?=[ \t\xa0]*\n|[ \t\xa0]{2,})")
# Bounded: an unbounded run backtracks from every word start of a long capitalised run (quadratic).
_CAPS_LABEL = re.compile(r"\b[A-Z][A-Z’'.,&\- ]{6,160}[A-Z.]:")
_PARAGRAPH_END = re.compile(r"[ \t]*\n[ \t]*\n|[ \t]*$")
_WORD = re.compile(r"\w")
_SENTENCE_END = re.compile(r"[.!?;:,。”\"]\s*$")


@dataclass(frozen=True)
class Sentence:
    """One sentence of the article: its span, whether it reads like a heading, and its paragraph.

    ``paragraph`` counts the paragraph breaks before the sentence: a blank line, an indented line (Reuters 1987
    style) or a bullet. The classifier reads two actors in one paragraph as weaker co-occurrence.
    """

    start: int
    end: int
    is_heading: bool
    paragraph: int = 0


def mask_markup(text: str) -> str:
    """Return ``text`` with markup replaced by spaces, keeping every offset.

    Args:
        text: the article text, possibly with Markdown or HTML left over from extraction.

    Returns:
        A string of the same length where link targets, tags, URLs and emphasis marks are spaces.
    """
    # Each pattern runs only on a text holding the character it starts with (most news text holds none).
    first = [(m.start(), m.end()) for m in _HTML.finditer(text)] if "<" in text else []
    for m in _MD_LINK.finditer(text) if "[" in text else ():
        first += [(m.start(), m.start() + 1), (m.end(1), m.end())]  # "[" and "](target)"
    first += [(m.start(), m.end()) for m in _URL.finditer(text)] if "http" in text else []
    masked = _blank(text, first)
    second = [
        (m.start(), m.end())
        for pattern, mark in _SECOND_PASS
        if any(c in masked for c in mark)
        for m in pattern.finditer(masked)
    ]
    return _blank(masked, second)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with every character of the spans but newlines made a space (most texts have no spans)."""
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        chars[start:end] = ["\n" if c == "\n" else " " for c in chars[start:end]]
    return "".join(chars)


def _one_paragraph_per_line(text: str) -> bool:
    """True when lines are paragraphs (scraped prose) rather than hard-wrapped text (fact sheets, wires)."""
    lengths = sorted(len(" ".join(line.split())) for line in text.split("\n") if line.strip())
    if not lengths:
        return False
    return lengths[len(lengths) // 2] > 100 or lengths[-1] > 200


def _ends_with_abbreviation(masked: str, dot: int) -> bool:
    """Whether the period at ``dot`` closes an abbreviation or an initial rather than a sentence."""
    start = dot
    floor = max(0, dot - _ABBREVIATION_LOOKBACK)
    while start > floor and (masked[start - 1].isalpha() or masked[start - 1] == "."):
        start -= 1
    if start == floor and start > 0 and (masked[start - 1].isalpha() or masked[start - 1] == "."):
        return False  # the word runs on past the longest abbreviation
    word = masked[start:dot].lower()
    if not word:
        return False
    if len(word) == 1 and masked[start].isupper():
        return True  # an initial: "Donald J. Trump"
    return word in ABBREVIATIONS or word.rstrip(".") in ABBREVIATIONS


def _next_starts_sentence(masked: str, pos: int) -> bool:
    """Whether the text after ``pos`` (past spaces and opening quotes) can start a sentence."""
    n = len(masked)
    while pos < n and masked[pos] in " \t\n\r\xa0":
        pos += 1
    while pos < n and masked[pos] in "“\"‘'([":
        pos += 1
    return pos >= n or masked[pos].isupper() or masked[pos].isdigit() or masked[pos] in "$¥€£"


def split_sentences(masked: str, *, headings: bool = True) -> list[Sentence]:
    """Split the masked article text into sentence spans.

    Boundaries are blank lines, bullet and list markers at line starts, a colon ending a line or closing an
    ALL-CAPS heading, sentence punctuation followed by a capital (not after an abbreviation), and, in
    texts with one paragraph per line, every newline. A Japanese full stop always ends a sentence.

    Args:
        masked: the output of :func:`mask_markup`.
        headings: tell headings from sentences (``is_heading``); a caller that never asks passes False
            and every sentence has ``is_heading`` False (a fifth of the cost on news text).

    Returns:
        Sentences in text order; spans are trimmed of whitespace and bullet markers.
    """
    cuts: set[int] = {0, len(masked)}
    for m in _BLANK_LINE.finditer(masked):
        cuts.add(m.start())
    for m in _BULLET.finditer(masked):
        cuts.add(m.start())
    if _one_paragraph_per_line(masked):
        cuts.update(m.start() for m in _NEWLINE.finditer(masked))
    for m in _LINE_COLON.finditer(masked):
        cuts.add(m.end())
    for m in _CAPS_LABEL.finditer(masked):
        cuts.add(m.end())
    for m in _TERMINAL.finditer(masked):
        end = m.end()
        if m.group()[0] in _CJK_STOPS:
            cuts.add(end)  # Japanese has no capitals and puts no space after a full stop
            continue
        if "." in m.group() and m.group()[0] == "." and _ends_with_abbreviation(masked, m.start()):
            # "U.S." ends a sentence only at a paragraph end; wire copy capitalises the word after it.
            if not _PARAGRAPH_END.match(masked[end : end + 4]):
                continue
        if end < len(masked) and masked[end] not in " \t\n\r\xa0" and masked[end] not in _CLOSERS:
            continue
        if _next_starts_sentence(masked, end):
            cuts.add(end)
    bounds = sorted(cuts)
    paragraph_breaks = [m.start() for m in _PARAGRAPH_BREAK.finditer(masked)]
    sentences: list[Sentence] = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        seg = masked[a:b]
        bullet = _BULLET.match(seg)
        lead = bullet.end() if bullet else 0
        stripped_start = a + lead + (len(seg[lead:]) - len(seg[lead:].lstrip()))
        stripped_end = a + len(seg.rstrip())
        if stripped_end <= stripped_start:
            continue
        body = masked[stripped_start:stripped_end]
        if not _WORD.search(body):
            continue
        paragraph = bisect_right(paragraph_breaks, stripped_start)
        sentences.append(
            Sentence(stripped_start, stripped_end, headings and _looks_like_heading(body), paragraph)
        )
    return sentences


def _looks_like_heading(body: str) -> bool:
    """A short line without sentence punctuation, or an ALL-CAPS label."""
    words = body.split()
    upper = len(_UPPER.findall(body))
    lower = len(_LOWER.findall(body))
    if upper + lower and upper / (upper + lower) > 0.8 and len(words) >= 2:
        return True
    return len(words) <= 10 and not _SENTENCE_END.search(body)
