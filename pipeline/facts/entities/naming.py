"""Typing and shaping of entity spans: clean the NER's spans, type names by their head word, grow names.

The NER's spans lose determiners, titles and possessives, and are retyped by their last word ("... Council"
is an organisation whatever the model said; "... Act" is a law, not an entity). Capitalised runs with a
telling head word become rule mentions. Names then grow around places and suffixes: "Alaska" + "LNG
Project", "Eaton Corporation, Inc.", "Sun deposit".
"""

from __future__ import annotations

import logging
import re

from pipeline.facts.entities.mentions import Mention, Tok, bare, coverage, covered, hits, is_cap
from pipeline.facts.gazetteer import Gazetteer, norm_surface
from pipeline.facts.lexicon.entities import (
    CORPORATE_SUFFIX,
    FAC_HEADS,
    FAC_TAILS,
    FUNCTION_WORDS,
    GOVERNMENT_HEADS,
    GPE_HEADS,
    LAW_HEADS,
    NER_LABELS,
    NON_NAMES,
    NOT_ENTITY_HEADS,
    ORG_HEADS,
    TITLE_WORDS,
)

logger = logging.getLogger(__name__)

# Korean and some Chinese names romanised with a hyphenated given name: "Lee Jae-myung", "Bae Kyung-hoon".
_HYPHENATED_NAME = re.compile(r"\b[A-Z][a-z]{1,4}\s+[A-Z][a-z]+-[a-z]+$")


def _clean_ner_span(masked: str, start: int, end: int) -> tuple[int, int]:
    """Strip determiners, titles, possessives and stray punctuation from an NER span."""
    text = masked[start:end]
    while True:
        m = re.match(r"(?:the|The|THE|a|an)\s+|([\w.-]+)\s+", text)
        if not m:
            break
        word = m.group(1)
        if word is None or word in TITLE_WORDS or word.rstrip(".") in TITLE_WORDS:
            if len(text) - m.end() <= 0:
                break
            start += m.end()
            text = text[m.end() :]
            continue
        break
    based = re.match(r"[\w.’'-]+-based\s+", text)  # "Dublin-based Eaton Corporation"
    if based:
        start += based.end()
        text = text[based.end() :]
    lead_lower = re.match(r"(?:[a-z][\w’'-]*\s+)+(?=[A-Z0-9])", text)
    if lead_lower:
        start += lead_lower.end()
        text = text[lead_lower.end() :]
    tail_lower = re.search(r"(?:\s+(?:of|for|and|the|to|in|on|a|an|with))+\s*$", text)
    if tail_lower:
        end -= len(tail_lower.group())
        text = text[: len(text) - len(tail_lower.group())]
    m2 = re.search(r"(?:\s*(?:’s|'s|’|'))$", text)
    if m2:
        end -= len(m2.group())
        text = text[: len(text) - len(m2.group())]
    stripped = text.rstrip(" ,;:-—\n")
    end -= len(text) - len(stripped)
    lead = len(stripped) - len(stripped.lstrip(' “"‘(\n'))
    return start + lead, end


def _retype(text: str, label: str) -> str | None:
    words = text.split()
    if not words:
        return None
    last = words[-1]
    if (
        last in LAW_HEADS
        or last in NOT_ENTITY_HEADS
        or last in GOVERNMENT_HEADS
        or (len(words) == 1 and (last in ORG_HEADS or last in FAC_HEADS))
    ):
        return None  # laws, deals and orders; a bare "Administration" or "Project" names nothing
    if last in FAC_HEADS or (len(words) > 1 and words[-2] in ("Naval", "Air") and last == "Base"):
        return "FAC"
    if label in ("PERSON",) and last not in ORG_HEADS:
        return "PERSON"
    if last in ORG_HEADS and label in (
        "ORG",
        "PRODUCT",
        "WORK_OF_ART",
        "EVENT",
        "GPE",
        "FAC",
        "NORP",
        "PERSON",
    ):
        return "ORG"
    if last in GPE_HEADS and label in ("GPE", "LOC", "ORG", "FAC"):
        return "GPE"
    return NER_LABELS.get(label)


def rule_type(words: list[str]) -> str | None:
    """The type a run of capitalised words gets from its head word ("... Council" -> ORG), or None."""
    if not words:
        return None
    last = words[-1]
    if len(words) < 2 or last in NOT_ENTITY_HEADS:
        return None
    if last in FAC_HEADS:
        return "FAC"
    if last in ORG_HEADS and len(words) > 1:
        return "ORG"
    if last in GPE_HEADS and len(words) > 1:
        return "GPE"
    return None


def mentions_from_ner(
    masked: str,
    ner_raw: list[tuple[int, int, str]],
    run_chars: list[tuple[int, int]],
    gmentions: list[Mention],
    gaz: Gazetteer,
) -> tuple[list[Mention], list[Mention]]:
    """Clean and type the NER's spans; an organisation or facility name may swallow the places inside it
    ("Japan AI Safety Institute"). Returns the NER mentions and the gazetteer mentions left standing."""
    ner_mentions: list[Mention] = []
    replaced: set[int] = set()
    for start, end, label in ner_raw:
        if not covered(run_chars, start, end):
            continue
        start, end = _clean_ner_span(masked, start, end)
        if end - start < 2:
            continue
        text = norm_surface(masked[start:end])
        if text in gaz.ignore or text.rstrip(".") in NON_NAMES or text in TITLE_WORDS or not is_cap(text):
            continue
        korean = _HYPHENATED_NAME.search(text)
        if korean and korean.start() > 0:
            start, text, label = (
                start + korean.start(),
                korean.group(),
                "PERSON",
            )  # "... Minister Bae Kyung-hoon"
        if "," in text and not CORPORATE_SUFFIX.search(text):
            continue  # "Science, Information": a list, not a name
        etype = _retype(text, label)
        if etype is None:
            continue
        inner = [k for k, g in enumerate(gmentions) if g.start < end and start < g.end]
        if inner:
            inside = all(start <= gmentions[k].start and gmentions[k].end <= end for k in inner)
            soft = all(gmentions[k].type == "GPE" or gmentions[k].how == "demonym" for k in inner)
            if not (inside and soft and etype in ("ORG", "FAC") and len(text.split()) >= 2):
                continue
            replaced.update(inner)
            # "U.S. Center for AI Standards": the leading country is a modifier, not part of the name.
            lead = re.match(r"(?:U\.S\.|US)\s+", masked[start:end])
            if lead:
                start += lead.end()
                text = norm_surface(masked[start:end])
        ner_mentions.append(Mention(text, etype, start, end, "ner"))
    return ner_mentions, [g for k, g in enumerate(gmentions) if k not in replaced]


def mentions_from_rules(
    masked: str,
    toks: list[Tok],
    runs: list[tuple[int, int]],
    ner_mentions: list[Mention],
    rule_mentions: list[Mention],
) -> tuple[list[Mention], list[Mention]]:
    """Capitalised runs whose head word says what they are ("Lisbon Valley Copper Project"); the rule wins
    over an NER span that covers only part of the name. Returns the NER and the rule mentions."""
    rule_mentions = list(rule_mentions)
    for a, b in runs:
        cs, ce = toks[a].start, toks[b - 1].end
        inside = [m for m in ner_mentions if m.start < ce and cs < m.end]
        head_words = [toks[k].text for k in range(a, b)]
        if inside and not (rule_type(head_words) and all(cs <= m.start and m.end <= ce for m in inside)):
            continue
        while a < b and (
            toks[a].text in TITLE_WORDS or toks[a].text in FUNCTION_WORDS or not is_cap(toks[a].text)
        ):
            a += 1
        if a == b:
            continue
        cs = toks[a].start
        etype = rule_type([toks[k].text for k in range(a, b)])
        if etype:
            ner_mentions = [m for m in ner_mentions if not (m.start < ce and cs < m.end)]
            rule_mentions.append(Mention(norm_surface(masked[cs:ce]), etype, cs, ce, "rule"))
    return ner_mentions, rule_mentions


def drop_overlaps(mentions: list[Mention]) -> list[Mention]:
    """Mentions that overlap an earlier one go; a longer non-gazetteer span replaces a shorter one."""
    out: list[Mention] = []
    for m in mentions:
        if out and m.start < out[-1].end:
            if (m.end - m.start) > (out[-1].end - out[-1].start) and out[-1].source != "gazetteer":
                out[-1] = m
            continue
        out.append(m)
    return out


def head_names(masked: str, toks: list[Tok], mentions: list[Mention]) -> list[Mention]:
    """Names built around a place: "South West Arkansas Project", "Japan AI Safety Institute".

    A capitalised organisation or facility head that no mention covers takes in the capitalised words and
    gazetteer places right before it (on the same line, joined by a space or a hyphen).
    """
    cover = coverage(len(masked), [(m.start, m.end) for m in mentions])
    places = {
        m.start: m for m in mentions if m.type == "GPE" and m.source == "gazetteer" and m.how != "metonym"
    }
    place_ends = {m.end: m for m in places.values()}
    extra: list[Mention] = []
    for k, tok in enumerate(toks):
        head = bare(tok.text)
        if (
            head not in FAC_HEADS
            and head not in ORG_HEADS
            or not tok.text[0].isupper()
            or hits(cover, tok.start, tok.end)
        ):
            continue
        if head in GOVERNMENT_HEADS or (
            k + 1 < len(toks)
            and masked[tok.end : toks[k + 1].start] in (" ", "\xa0")
            and (is_cap(toks[k + 1].text) or toks[k + 1].text in ("of", "for", "on"))
        ):
            continue  # not the last word of the name: "Technology Prosperity Deal", "Center for AI ..."
        start, j, words, has_place = tok.start, k - 1, 1, False
        while j >= 0:
            gap = masked[toks[j].end : start]
            if gap not in (" ", "-", "\xa0"):
                break
            place = place_ends.get(toks[j].end)
            if (
                place is not None
                and gap != "-"
                and re.fullmatch(r"U\.S\.|US|United States", masked[place.start : place.end])
            ):
                break
            if place is not None:
                start, has_place = place.start, True
                while j >= 0 and toks[j].start >= place.start:
                    j -= 1
                words += 1
                continue
            word = toks[j].text
            if (
                not word[0].isupper()
                or word in TITLE_WORDS
                or word in FUNCTION_WORDS
                or word in NON_NAMES
                or hits(cover, toks[j].start, toks[j].end)
                or word.endswith(("’s", "'s"))
            ):
                break
            start, j, words = toks[j].start, j - 1, words + 1
        if has_place and words >= 2:
            etype = "FAC" if head in FAC_HEADS else "ORG"
            extra.append(Mention(norm_surface(masked[start : tok.end]), etype, start, tok.end, "rule"))
    if not extra:
        return mentions
    spans = [(m.start, m.end) for m in extra]
    kept = [m for m in mentions if not any(a <= m.start and m.end <= b for a, b in spans)]
    return sorted(kept + extra, key=lambda m: m.start)


def merge_prefixes(masked: str, mentions: list[Mention]) -> list[Mention]:
    """ "Alaska" + "LNG Project" -> "Alaska LNG Project": a place inside an organisation's or facility's name.

    Capitalised words before that place join too ("South West Arkansas Project"). A leading "U.S." joined by a
    space stays apart: it qualifies the name ("U.S. Center for AI Standards"); joined by a hyphen it belongs
    to it ("U.S.-Japan Critical Minerals Supply Security Rapid Response Group").
    """
    out: list[Mention] = []
    for m in mentions:
        if m.source in ("ner", "rule") and m.type in ("ORG", "FAC"):
            start = m.start
            absorbed = False
            while (
                out and out[-1].type == "GPE" and out[-1].source == "gazetteer" and out[-1].how != "metonym"
            ):
                gap = masked[out[-1].end : start]
                surface = masked[out[-1].start : out[-1].end]
                if gap == "-" or (
                    re.fullmatch(r"[ \xa0]", gap) and not re.fullmatch(r"U\.S\.|US|United States", surface)
                ):
                    start = out.pop().start
                    absorbed = True
                    continue
                break
            if absorbed:
                plain = re.search(r"(?:(?<![\w.’'])[A-Z][a-z]+[ \xa0])+$", masked[max(0, start - 40) : start])
                if plain and not any(
                    w in TITLE_WORDS or w in FUNCTION_WORDS or w in NON_NAMES for w in plain.group().split()
                ):
                    start -= len(plain.group())
            if start != m.start:
                m = Mention(norm_surface(masked[start : m.end]), m.type, start, m.end, m.source)
        if m.type == "ORG" and m.source in ("ner", "rule"):
            suffix = CORPORATE_SUFFIX.match(masked, m.end)
            if suffix:
                m = Mention(
                    norm_surface(masked[m.start : suffix.end()]), m.type, m.start, suffix.end(), m.source
                )
        out.append(m)
    return out


def extend_facilities(masked: str, mentions: list[Mention]) -> list[Mention]:
    """A name followed by a lower-case facility word is that facility: "Sun deposit", "Kansai airport"."""
    out: list[Mention] = []
    for m in mentions:
        tail = re.match(r"[ \t\xa0\n]+([a-z]+)\b", masked[m.end : m.end + 20])
        if tail and tail.group(1) in FAC_TAILS and m.type != "PERSON":
            end = m.end + tail.end()
            m = Mention(norm_surface(masked[m.start : end]), "FAC", m.start, end, "rule")
        out.append(m)
    return out
