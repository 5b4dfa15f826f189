"""Named entities for fact extraction: gazetteer first, statistical NER only for names it does not know.

The gazetteer (``config/entities.yaml``) is matched on the masked text with one trie-shaped regex, so known
actors get their canonical name and type whatever the statistical model thinks (the plain
``en_core_web_sm`` model tags "Trump" as ORG and "Shinzo" as GPE). spaCy's NER then runs only on small
token windows around capitalised words the gazetteer did not cover; that keeps extraction fast, and the
model's receptive field is only a few tokens wide, so windows lose almost nothing. Finally, names are
linked inside the document: surnames and given names to full names, acronyms to their definitions, and
"the President" to whoever held the office on the publication date.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter

from pipeline.facts.entities.candidates import (
    candidate_runs,
    copy_to_repeats,
    needs_ner,
    ner_spans,
    unique_runs,
)
from pipeline.facts.entities.linking import link_acronyms, link_name_heads, link_people, link_roles
from pipeline.facts.entities.mentions import EntityAnalysis, Mention, coverage, tokens
from pipeline.facts.entities.naming import (
    drop_overlaps,
    extend_facilities,
    head_names,
    mentions_from_ner,
    mentions_from_rules,
    merge_prefixes,
)
from pipeline.facts.gazetteer import Gazetteer, load_gazetteer, norm_surface
from pipeline.facts.lexicon.entities import (
    FUNCTION_WORDS,
    GOVERNMENT_AFTER,
    LOCATIVE_BEFORE,
    MOTION_WORDS,
    NON_NAMES,
    PLACE_AFTER,
    TITLE_WORDS,
)

logger = logging.getLogger(__name__)

_LOCATIVE_THE = re.compile(r"\b(?:at|in|to|from|outside|inside|near|into|visit\w*|arrived)\s+the\s+$", re.I)
_FAC_PREFIX = re.compile(r"\b(?:USS|HMS|USNS|HMAS)\s+(?:[A-Z][\w.'’-]*)(?:\s+[A-Z][\w.'’-]*){0,2}")


def _other_given_name(masked: str, start: int, gaz: Gazetteer) -> bool:
    """Whether a surname match is preceded by a given name that is not part of the known person's name."""
    m = re.search(r"([A-Z][\w’'-]*)[ \t\xa0]+$", masked[max(0, start - 40) : start])
    if not m:
        return False
    word = m.group(1)
    return not (
        word in TITLE_WORDS
        or word in NON_NAMES
        or word in FUNCTION_WORDS
        or norm_surface(word) in gaz.surface
    )


def _capital_is_government(masked: str, start: int, end: int) -> bool:
    """Whether a capital city names its government ("Tokyo urged", "Washington and Beijing")."""
    before = masked[max(0, start - 60) : start]
    if not before.strip() and re.match(r"\s*(?:\(|,\s*[A-Z][a-z]+\.?\s+\d|[—–]|-\s)", masked[end : end + 20]):
        return False  # a dateline: "TOKYO (Reuters) -", "Washington, Oct 28 -"
    words = re.findall(r"[A-Za-z’']+", before)
    prev = words[-1].lower() if words else ""
    after = masked[end : end + 40]
    if PLACE_AFTER.match(after) or re.match(r",?\s*(?:D\.C\.|DC|District of Columbia)", after):
        return False
    if prev in LOCATIVE_BEFORE and prev != "to":
        return False
    if prev == "to" and any(w.lower() in MOTION_WORDS for w in words[-4:-1]):
        return False
    if prev in ("the", "a") and not GOVERNMENT_AFTER.match(after):
        return False
    return True


def _gazetteer_mentions(masked: str, gaz: Gazetteer, blocked: list[tuple[int, int]]) -> list[Mention]:
    mentions: list[Mention] = []
    country_positions: list[tuple[int, str]] = []
    for m in gaz.pattern.finditer(masked):
        start, end = m.start(), m.end()
        if any(a < end and start < b for a, b in blocked):
            continue
        key = norm_surface(m.group())
        name, how = gaz.surface.get(key, ("", ""))
        if how == "generic":
            mentions.append(Mention(key, "ORG", start, end, "gazetteer", "generic"))
            continue
        if not name:
            continue
        entry = gaz.entries[name]
        if how == "surname" and _other_given_name(masked, start, gaz):
            continue  # "Melania Trump", "Akie Abe": another person sharing the surname
        etype = entry.type
        mention_how = how
        if entry.capital_of and _capital_is_government(masked, start, end):
            name, mention_how = entry.capital_of, "metonym"
        if name == "White House" and _LOCATIVE_THE.search(masked[max(0, start - 30) : start]):
            etype = "FAC"  # "met at the White House": the building
        mentions.append(Mention(name, etype, start, end, "gazetteer", mention_how))
        if gaz.entries.get(name) and gaz.entries[name].kind == "country":
            country_positions.append((start, name))
    return _resolve_generic(mentions, gaz, country_positions)


def _resolve_generic(
    mentions: list[Mention], gaz: Gazetteer, countries: list[tuple[int, str]]
) -> list[Mention]:
    """Give "Foreign Ministry"-style names an owner: the country named just before, else the main one."""
    counts = Counter(name for _, name in countries)
    out: list[Mention] = []
    for m in mentions:
        if m.how != "generic":
            out.append(m)
            continue
        options = next((v for k, v in gaz.generic.items() if norm_surface(k) == m.name), {})
        near = [name for pos, name in countries if m.start - 40 <= pos < m.start and name in options]
        owner = near[-1] if near else next((c for c, _ in counts.most_common() if c in options), None)
        if owner:
            out.append(Mention(options[owner], "ORG", m.start, m.end, "gazetteer", "name"))
    return out


def find_entities(
    masked: str,
    sentence_starts: set[int],
    published: dt.date | None,
    title: str = "",
    *,
    statistical: bool = True,
) -> EntityAnalysis:
    """Find entity mentions in the masked text.

    Args:
        masked: the masked article text (see ``nlp_text.mask_markup``).
        sentence_starts: character offsets where sentences start.
        published: publication date, used to resolve "the President".
        title: the headline, used only to know which actors the story is about.
        statistical: ask spaCy's English NER about capitalised words the gazetteer does not know; the Japanese
            path passes False (an English model has nothing to say about "WTI" in Japanese copy).

    Returns:
        An :class:`EntityAnalysis` with non-overlapping mentions in text order.
    """
    gaz = load_gazetteer()
    fac_spans = [(m.start(), m.end()) for m in _FAC_PREFIX.finditer(masked)]
    gmentions = _gazetteer_mentions(masked, gaz, fac_spans)
    rule_mentions = [Mention(norm_surface(masked[a:b]), "FAC", a, b, "rule") for a, b in fac_spans]
    covered = coverage(len(masked), [(m.start, m.end) for m in gmentions] + fac_spans)
    lower_words = {w for w in re.findall(r"\b[a-z][a-z-]+\b", masked)}
    toks = tokens(masked)
    runs = candidate_runs(toks, masked, covered, sentence_starts, lower_words)
    wanted = [r for r in runs if needs_ner(toks, r, lower_words, gaz.ignore)] if statistical else []
    asked = unique_runs(masked, toks, wanted)
    ner_raw = ner_spans(masked, toks, asked)
    ner_raw = copy_to_repeats(masked, toks, runs, ner_raw)
    run_chars = [(toks[a].start, toks[b - 1].end) for a, b in runs]

    ner_mentions, gmentions = mentions_from_ner(masked, ner_raw, run_chars, gmentions, gaz)
    ner_mentions, rule_mentions = mentions_from_rules(masked, toks, runs, ner_mentions, rule_mentions)

    mentions = sorted(gmentions + rule_mentions + ner_mentions, key=lambda m: (m.start, -(m.end - m.start)))
    mentions = drop_overlaps(mentions)
    mentions = head_names(masked, toks, mentions)
    mentions = merge_prefixes(masked, mentions)
    mentions = extend_facilities(masked, mentions)
    mentions = link_name_heads(mentions, gaz)
    mentions = link_acronyms(masked, mentions)
    mentions = link_people(masked, toks, mentions, gaz, runs, title)
    mentions = link_roles(masked, mentions, gaz, published)
    return _analysis(mentions, gaz)


def _analysis(mentions: list[Mention], gaz: Gazetteer) -> EntityAnalysis:
    analysis = EntityAnalysis(mentions=mentions)
    media: set[str] = set()
    for m in mentions:
        analysis.types.setdefault(m.name, m.type)
        entry = gaz.entries.get(m.name)
        if entry is None:
            continue
        if entry.country:
            analysis.countries[m.name] = entry.country
        if entry.gender:
            analysis.genders[m.name] = entry.gender
        if entry.kind:
            analysis.kinds[m.name] = entry.kind
        if entry.media:
            media.add(m.name)
    analysis.media = frozenset(media)
    return analysis
