"""Linking mentions inside one document: name heads, acronyms, surnames and given names, and roles.

"Trilogy" means "Trilogy Metals" when that is the only name it starts, "NEDC" the council defined as
"(NEDC)", "Takaichi" the one Takaichi named in full, and "the President" whoever held the office on the
publication date among the people the story names.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from pipeline.facts.entities.mentions import Mention, Tok, coverage, covered, hits
from pipeline.facts.gazetteer import Gazetteer, GazetteerEntry, norm_surface
from pipeline.facts.lexicon.entities import (
    TITLE_WORDS,
)

logger = logging.getLogger(__name__)

_ROLE_REFERENCE = re.compile(
    r"\b(?:(?:the|The|Mr\.?|Madam)\s+)?(President|Prime Minister|Premier)\b(?![\s\xa0]+(?:of\s+)?[A-Z])"
)
_SHORT_FORM_DEF = re.compile(
    r"\s*\((?:the\s+)?[“\"]?([A-Z][A-Za-z0-9&.-]{1,9}(?:\s+[A-Z][A-Za-z0-9&.-]+){0,2})[”\"]?\)"
)


def _holds_role(entry: GazetteerEntry, title: str, on: dt.date | None) -> bool:
    if not entry.role or not entry.role.startswith(title):
        return False
    if on is None or not entry.terms:
        return True
    return any(a <= on and (b is None or on < b) for a, b in entry.terms)


def link_name_heads(mentions: list[Mention], gaz: Gazetteer) -> list[Mention]:
    """A lone first word of a longer name in the same story ("Trilogy" for "Trilogy Metals") is that name;
    when it starts several names ("Ambler ..."), it is dropped rather than guessed."""
    firsts: dict[str, set[tuple[str, str]]] = {}
    for m in mentions:
        words = m.name.split()
        if len(words) >= 2 and m.type in ("ORG", "FAC", "GPE"):
            firsts.setdefault(words[0], set()).add((m.name, m.type))
    out: list[Mention] = []
    for m in mentions:
        if m.source == "ner" and len(m.name.split()) == 1 and m.name in firsts and m.name not in gaz.surface:
            targets = firsts[m.name]
            if len(targets) == 1:
                name, etype = next(iter(targets))
                out.append(Mention(name, etype, m.start, m.end, "link"))
            continue
        out.append(m)
    return out


def link_acronyms(masked: str, mentions: list[Mention]) -> list[Mention]:
    """Short forms defined in parentheses.

    "National Energy Dominance Council (NEDC)", "... Steering Council (Permitting Council)": later bare
    "NEDC" or "Permitting Council" mean the full name. A short form defined after something that is not an
    entity ("a national security agreement (NSA)", "... Act (ANILCA)") is not an entity either.
    """
    defs: dict[str, Mention] = {}
    ends = {m.end: m for m in mentions}
    non_entities: set[str] = set()
    for d in _SHORT_FORM_DEF.finditer(masked):
        short = norm_surface(d.group(1))
        owner = ends.get(d.start()) or ends.get(d.start() - 1)
        if (
            owner is not None
            and owner.type in ("ORG", "FAC", "GPE")
            and len(owner.name.split()) >= 2
            and owner.source != "acronym"
            and short != owner.name
        ):
            defs.setdefault(short, owner)
        elif owner is None and re.search(
            r"[a-z]\s*$|\b(?:Act|Order|Agreement|Memo)\s*$", masked[max(0, d.start() - 30) : d.start()]
        ):
            non_entities.add(short)
    non_entities -= set(defs)
    if not defs and not non_entities:
        return mentions
    out: list[Mention] = []
    for m in mentions:
        if m.source in ("ner", "rule", "link") and m.name in non_entities:
            continue
        target = defs.get(m.name) if m.source in ("ner", "rule", "link") else None
        out.append(Mention(target.name, target.type, m.start, m.end, "acronym") if target else m)
    if defs:
        spans = coverage(len(masked), [(m.start, m.end) for m in out])
        pattern = re.compile(
            r"(?<![\w.])(" + "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in defs) + r")(?![\w])"
        )
        for hit in pattern.finditer(masked):
            if not hits(spans, hit.start(), hit.end()):
                target = defs[norm_surface(hit.group(1))]
                out.append(Mention(target.name, target.type, hit.start(), hit.end(), "acronym"))
    return sorted(out, key=lambda m: m.start)


def link_people(
    masked: str,
    toks: list[Tok],
    mentions: list[Mention],
    gaz: Gazetteer,
    runs: list[tuple[int, int]],
    title: str,
) -> list[Mention]:
    """Link surnames and given names to the full names of people in the same document.

    Known people are never typed ORG or GPE, whatever the statistical model said.
    """
    people = {m.name for m in mentions if m.type == "PERSON" and len(m.name.split()) >= 2}
    for hit in gaz.pattern.finditer(title or ""):
        name, _ = gaz.surface.get(norm_surface(hit.group()), ("", ""))
        if name and gaz.entries.get(name) and gaz.entries[name].type == "PERSON":
            people.add(name)
    by_surname: dict[str, set[str]] = {}
    by_given: dict[str, set[str]] = {}
    for person in people:
        entry = gaz.entries.get(person)
        words = person.split()
        surname = entry.surname if entry and entry.surname else words[-1]
        by_surname.setdefault(surname, set()).add(person)
        given = entry.given if entry else words[0]
        if given:
            by_given.setdefault(given, set()).add(person)

    def lookup(word: str) -> tuple[str, str] | None:
        word = re.sub(r"(?:’s|'s)$", "", word)
        if len(by_surname.get(word, ())) == 1:
            return next(iter(by_surname[word])), "surname"
        if len(by_given.get(word, ())) == 1 and word not in by_surname:
            return next(iter(by_given[word])), "given"
        return None

    out: list[Mention] = []
    for m in mentions:
        if m.source in ("ner", "rule") and m.name not in people:
            words = [w for w in m.name.split() if w not in TITLE_WORDS and w.rstrip(".") not in TITLE_WORDS]
            linked = lookup(words[-1]) if len(words) == 1 else None
            if linked:
                out.append(Mention(linked[0], "PERSON", m.start, m.end, "link", linked[1]))
                continue
        out.append(m)
    spans = coverage(len(masked), [(m.start, m.end) for m in out])
    for a, b in runs:
        for k in range(a, b):
            tok = toks[k]
            if hits(spans, tok.start, tok.end):
                continue
            linked = lookup(tok.text.rstrip("."))
            if linked:
                end = tok.end - (1 if tok.text.endswith(".") else 0)
                end -= 2 if re.search(r"(?:’s|'s)$", masked[tok.start : end]) else 0
                out.append(Mention(linked[0], "PERSON", tok.start, end, "link", linked[1]))
    return sorted(out, key=lambda m: m.start)


def link_roles(
    masked: str, mentions: list[Mention], gaz: Gazetteer, published: dt.date | None
) -> list[Mention]:
    """ "the President" -> the person named in this story who held the office on the publication date."""
    named = {m.name for m in mentions if m.type == "PERSON"}
    if not named:
        return mentions
    spans = [(m.start, m.end) for m in mentions]
    extra: list[Mention] = []
    for hit in _ROLE_REFERENCE.finditer(masked):
        start, end = hit.start(1), hit.end(1)
        if covered(spans, start, end):
            continue
        before = masked[max(0, start - 25) : start]
        country_hint = None
        for m in mentions:
            if m.end <= start and start - m.end <= 12 and m.type == "GPE":
                country_hint = m.name
        if re.search(r"(?:vice|Vice|former|Former|then-|ex-)\s*$", before):
            continue
        holders = [
            e.name
            for e in gaz.entries.values()
            if e.name in named
            and _holds_role(e, hit.group(1), published)
            and (country_hint is None or e.country == country_hint)
        ]
        if len(holders) == 1:
            extra.append(Mention(holders[0], "PERSON", start, end, "role", "role"))
    return sorted(mentions + extra, key=lambda m: m.start)
