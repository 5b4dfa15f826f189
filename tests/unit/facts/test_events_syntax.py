"""Tests for pipeline.facts.syntax: events read from the dependency parse where the cue lists find none.

Every sentence is made up (the Freedonia / Sylvania gazetteer of conftest.py), so no test repeats a gold sentence.
"""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.facts import coref
from pipeline.facts.amounts import find_amounts, find_percents
from pipeline.facts.dates import find_dates
from pipeline.facts.events import Event, find_events
from pipeline.facts.quotes import find_quotes
from pipeline.facts.syntax import clause_status, find_syntax_events

TUESDAY = dt.date(2025, 3, 4)


def events(analyse, text: str, published: dt.date | None = TUESDAY) -> list[Event]:
    """Cue events then syntax events of ``text``, as ``document.extract`` chains them."""
    doc = analyse(text, published)
    masked, sentences, analysis = doc.masked, doc.sentences, doc.analysis
    amounts, percents = find_amounts(masked), find_percents(masked)
    dates = find_dates(masked, published)
    quotes = find_quotes(masked, sentences, analysis)
    found = find_events(masked, text, sentences, analysis, amounts, percents, dates, quotes, published)
    return find_syntax_events(
        masked, text, sentences, analysis, amounts, percents, dates, quotes, published, found
    )


def kinds(found: list[Event]) -> list[tuple[str, str]]:
    return [(e.type, e.status) for e in found]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a noun of military protection on a commitment head
        ("Freedonia reaffirmed its steadfast alliance commitments to Sylvania.", ("defense", "announced")),
        (
            "President Tom Baker reaffirmed Freedonia's firm commitment to Sylvania's defence.",
            ("defense", "announced"),
        ),
        # a verb of action under a future modal, with a party as subject
        (
            "Freedonia will prioritize permits for mining projects in Sylvania.",
            ("other_commitment", "announced"),
        ),
        # a promise in the past tense is still a commitment to be done
        ("Sylvania pledged to expand its port capacity.", ("other_commitment", "announced")),
        # a procedural act on a procedural object
        (
            "The Ministry of Foreign Affairs of Freedonia initiated a review of the contract.",
            ("other_commitment", "happened"),
        ),
        # a commitment whose complement invests
        (
            "Tom Baker welcomed Sylvania's commitment to increase investment in Freedonia.",
            ("investment", "announced"),
        ),
        # a gathering with people
        ("Tom Baker hosted a dinner for Maria Lopez.", ("meeting", "happened")),
    ],
)
def test_parse_reads_the_event_the_cues_miss(analyse, text: str, expected: tuple[str, str]) -> None:
    assert expected in kinds(events(analyse, text))


def test_modal_and_negation_set_the_status(analyse) -> None:
    doc = coref.parse_sentences(
        ["Freedonia will not expand the program.", "If Sylvania wins, Freedonia could expand it."]
    )
    first = next(t for t in doc[0] if t.lower_ == "expand")
    second = next(t for t in doc[1] if t.lower_ == "expand")
    assert clause_status(first, "other_commitment") == "denied"
    assert clause_status(second, "other_commitment") == "expected"


def test_a_performative_clause_is_dated_by_the_document(analyse) -> None:
    text = "NOW, THEREFORE, I, Tom Baker, President of Freedonia, do hereby proclaim March 1, 2024, as a day of remembrance."
    found = events(analyse, text, dt.date(2024, 2, 18))
    assert ("other_commitment", "happened", "2024-02-18") in [(e.type, e.status, e.date) for e in found]


def test_a_sentence_without_a_party_gives_nothing(analyse) -> None:
    assert events(analyse, "Prices will expand as demand grows.") == []


def test_a_type_the_cues_found_is_not_read_twice(analyse) -> None:
    text = "Freedonia and Sylvania signed a defense pact and reaffirmed their alliance commitments."
    found = events(analyse, text)
    assert sorted({e.type for e in found}) == sorted(e.type for e in found)


def test_only_trigger_sentences_are_parsed(analyse, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real = coref.parse_sentences

    def spy(texts: list[str]) -> list[object]:
        seen.extend(texts)
        return real(texts)

    monkeypatch.setattr("pipeline.facts.syntax.parse_sentences", spy)
    text = "The weather in Fredville was mild. Freedonia will prioritize permits for Sylvania. Markets rose."
    events(analyse, text)
    assert seen == ["Freedonia will prioritize permits for Sylvania."]
