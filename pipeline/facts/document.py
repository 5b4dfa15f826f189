"""Facts from one relevant article: entities, money amounts, events and quotes.

``extract(title, text, published)`` is the whole stage for one article. It is rule-based around a
gazetteer (``config/entities.yaml``) and spaCy's small English NER, which runs only where the gazetteer
does not know a name. Every span indexes the article ``text`` (the title is context only), so evidence
can be shown verbatim and stored in ``fact_mentions`` / ``mentions``.

The helpers live in ``pipeline.text`` (markup masking, sentences), ``entities/`` (gazetteer matching,
NER candidates, typing, linking), ``amounts`` (money, percentages), ``dates`` (dates against the
publication date), ``quotes`` (quotes and speakers), ``events`` (typed events with status, from cues) and ``syntax`` (the
events the cues miss, from the dependency parse of the trigger sentences); the words
and cue patterns they read live in ``lexicon/``. What counts as a fact follows ``eval/FACTS.md``;
``pipeline.eval.facts`` scores this module against its gold set.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import re
from dataclasses import dataclass
from typing import Any

from pipeline.facts import japanese
from pipeline.facts.amounts import Amount, Percent, find_amounts, find_percents, part_amounts, tie_amounts
from pipeline.facts.coref import get_parser
from pipeline.facts.dates import find_dates
from pipeline.facts.deadlines import event_due_dates
from pipeline.facts.entities.finder import find_entities
from pipeline.facts.events import Event, find_events
from pipeline.facts.gazetteer import entity_aliases, entity_types
from pipeline.facts.quotes import Quote, find_quotes
from pipeline.facts.syntax import find_syntax_events
from pipeline.text import mask_markup, split_sentences

logger = logging.getLogger(__name__)

__all__ = [
    "Amount",
    "DocFacts",
    "Entity",
    "Event",
    "Percent",
    "Quote",
    "entity_aliases",
    "entity_id",
    "entity_types",
    "extract",
    "fact_id",
    "warm_up",
]

ID_CHARS = 16
# Datasets the facts stage writes per shard.
DATASETS = ("mentions", "fact_mentions", "quotes", "amounts")


@dataclass(frozen=True)
class Entity:
    """One mention of a named entity: canonical name, type (PERSON, ORG, GPE, FAC), span and surface text."""

    name: str
    type: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class DocFacts:
    """Everything extracted from one article."""

    entities: tuple[Entity, ...]
    amounts: tuple[Amount, ...]
    events: tuple[Event, ...]
    quotes: tuple[Quote, ...]

    def to_json(self, doc_id: str | None) -> dict[str, Any]:
        """The JSON shape printed by ``newswatch facts`` and read by the evaluation tooling.

        Args:
            doc_id: the article id to put under ``"id"``.

        Returns:
            A JSON-serialisable dict with ``id``, ``entities``, ``amounts``, ``events`` and ``quotes``.
        """
        return {
            "id": doc_id,
            "entities": [
                {"name": e.name, "type": e.type, "start": e.start, "end": e.end} for e in self.entities
            ],
            "amounts": [
                {"value": a.value, "currency": a.currency, "text": a.text, "start": a.start, "end": a.end}
                for a in self.amounts
            ],
            "events": [
                {
                    "type": ev.type,
                    "status": ev.status,
                    "date": ev.date,
                    "participants": list(ev.participants),
                    "amount": {"value": ev.amount.value, "currency": ev.amount.currency}
                    if ev.amount
                    else None,
                    "percent": ev.percent,
                    "subject": ev.subject,
                    "evidence": {
                        "text": ev.evidence_text,
                        "start": ev.evidence_start,
                        "end": ev.evidence_end,
                    },
                }
                for ev in self.events
            ],
            "quotes": [
                {"speaker": q.speaker, "text": q.text, "start": q.start, "end": q.end} for q in self.quotes
            ],
        }


def extract(title: str, text: str, published: dt.date | None, language: str | None = None) -> DocFacts:
    """Extract entities, amounts, events and quotes from one article.

    A Japanese article (``language`` "ja", or kana in the text when no language is given) goes to
    ``pipeline.facts.japanese``, which returns the same records.

    Args:
        title: the headline; used as context only (which actors the story is about).
        text: the clean article text; every returned span indexes this string.
        published: publication date (a ``datetime`` is reduced to its date); relative dates such as
            "on Wednesday" resolve against it and stay unresolved when it is None.
        language: the article's language (``articles.language``); None lets the text decide.

    Returns:
        The article's :class:`DocFacts`.
    """
    if isinstance(published, dt.datetime):
        published = published.date()
    if not text or not text.strip():
        return DocFacts((), (), (), ())
    if language == "ja" or (language is None and japanese.is_japanese(text)):
        ja = japanese.extract(title, text, published)
        ja_entities = tuple(Entity(e.name, e.type, e.start, e.end, e.surface) for e in ja.entities)
        return DocFacts(ja_entities, tuple(ja.amounts), tuple(ja.events), tuple(ja.quotes))
    masked = mask_markup(text)
    sentences = split_sentences(masked)
    analysis = find_entities(masked, {s.start for s in sentences}, published, title)
    amounts = [
        Amount(a.value, a.currency, text[a.start : a.end], a.start, a.end) for a in find_amounts(masked)
    ]
    percents = find_percents(masked)
    dates = find_dates(masked, published)
    quotes = [
        Quote(q.speaker, text[q.start : q.end], q.start, q.end)
        for q in find_quotes(masked, sentences, analysis)
    ]
    events = find_events(masked, text, sentences, analysis, amounts, percents, dates, quotes, published)
    events = tie_amounts(
        masked,
        find_syntax_events(
            masked, text, sentences, analysis, amounts, percents, dates, quotes, published, events
        ),
    )
    events = [
        dataclasses.replace(ev, amount_is_part=part) if part else ev
        for ev, part in zip(events, part_amounts(masked, events, amounts), strict=True)
    ]
    entities = tuple(Entity(m.name, m.type, m.start, m.end, text[m.start : m.end]) for m in analysis.mentions)
    logger.debug(
        "facts: %d entities, %d amounts, %d events, %d quotes",
        len(entities),
        len(amounts),
        len(events),
        len(quotes),
    )
    return DocFacts(entities, tuple(amounts), tuple(events), tuple(quotes))


def warm_up() -> None:
    """Load the gazetteer, the NER and the parser the speaker resolution uses, once per process.

    Timings (``newswatch eval facts``, ``make bench``) call it first, so a model's one-off load is not
    counted against the first article that needs it.
    """
    extract("", "Warm-up.", None)
    get_parser()


def entity_id(name: str, etype: str) -> str:
    """Stable id of a canonical entity: ``sha256(type || name)[:16]`` (see ``sql/ddl/006_entities.sql``)."""
    return hashlib.sha256(f"{etype}{name}".encode()).hexdigest()[:ID_CHARS]


def fact_id(event: Event, entity_types_in_doc: dict[str, str] | None = None) -> str:
    """Identity of a real-world fact, shared by every article that reports it.

    The key is the event type, its date, its participants (for a meeting with two or more people, just the
    people, since articles differ in which countries they name) and its figure; an event with neither date
    nor figure also keys on its subject, so two undated US-Japan agreements stay two facts.

    Args:
        event: the extracted event.
        entity_types_in_doc: canonical name -> type for the article, to pick out the people.

    Returns:
        A 16-hex-character id.
    """
    types = entity_types_in_doc or {}
    people = sorted(p for p in event.participants if types.get(p) == "PERSON")
    parties = people if event.type == "meeting" and len(people) >= 2 else sorted(event.participants)
    amount = f"{event.amount.value:.3g}{event.amount.currency}" if event.amount else ""
    percent = f"{event.percent:g}" if event.percent is not None else ""
    subject = ""
    if not (event.date or amount or percent):
        subject = " ".join(re.findall(r"[a-z0-9]+", event.subject.lower())[:8])
    key = "|".join([event.type, event.date or "", ",".join(parties), amount, percent, subject])
    return hashlib.sha256(key.encode()).hexdigest()[:ID_CHARS]


def staged_rows(
    article: dict[str, Any], doc: DocFacts, aliases: dict[str, list[str]], published: dt.date | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The staged rows of one article, per dataset; ``published`` resolves relative deadlines (due_date)."""
    aid = article["article_id"]
    seen_at = article.get("seen_at") or dt.datetime.now(dt.UTC)
    types = {e.name: e.type for e in doc.entities}
    mentions = [
        {
            "article_id": aid,
            "entity_id": entity_id(e.name, e.type),
            "name": e.name,
            "type": e.type,
            "aliases": aliases.get(e.name, []),
            "start_char": e.start,
            "end_char": e.end,
            "text": e.text,
        }
        for e in doc.entities
    ]
    fact_rows: dict[tuple[str, int], dict[str, Any]] = {}
    for ev, due in zip(doc.events, event_due_dates(doc.events, published), strict=True):
        fid = fact_id(ev, types)
        fact_rows.setdefault(
            (fid, ev.evidence_start),
            {
                "fact_id": fid,
                "article_id": aid,
                "event_type": ev.type,
                "status": ev.status,
                "event_date": dt.date.fromisoformat(ev.date) if ev.date else None,
                "participants": list(ev.participants),
                "amount_value": ev.amount.value if ev.amount else None,
                "amount_currency": ev.amount.currency if ev.amount else None,
                "amount_text": ev.amount.text if ev.amount else None,
                "amount_is_part": ev.amount_is_part,
                "due_date": due,
                "percent": ev.percent,
                "subject": ev.subject,
                "evidence_text": ev.evidence_text,
                "start_char": ev.evidence_start,
                "end_char": ev.evidence_end,
                "seen_at": seen_at,
            },
        )
    quotes = [
        {
            "quote_id": f"{aid}:{q.start}",
            "article_id": aid,
            "speaker": q.speaker,
            "speaker_entity_id": entity_id(q.speaker, types[q.speaker]) if q.speaker in types else None,
            "text": q.text,
            "start_char": q.start,
            "end_char": q.end,
        }
        for q in doc.quotes
    ]
    amounts = [
        {
            "article_id": aid,
            "value": a.value,
            "currency": a.currency,
            "text": a.text,
            "start_char": a.start,
            "end_char": a.end,
        }
        for a in doc.amounts
    ]
    return {
        "mentions": mentions,
        "fact_mentions": list(fact_rows.values()),
        "quotes": quotes,
        "amounts": amounts,
    }
