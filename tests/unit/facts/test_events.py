"""Tests for pipeline.facts.events: event type, status, date and participants, against the made-up gazetteer."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.facts.amounts import find_amounts, find_percents
from pipeline.facts.dates import find_dates
from pipeline.facts.events import Event, find_events
from pipeline.facts.quotes import find_quotes

TUESDAY = dt.date(2025, 3, 4)


def events(analyse, text: str, published: dt.date | None = TUESDAY) -> list[Event]:
    """The events of ``text``, with every input the facts stage gives find_events."""
    doc = analyse(text, published)
    masked, sentences, analysis = doc.masked, doc.sentences, doc.analysis
    return find_events(
        masked,
        text,
        sentences,
        analysis,
        find_amounts(masked),
        find_percents(masked),
        find_dates(masked, published),
        find_quotes(masked, sentences, analysis),
        published,
    )


def summary(event: Event) -> tuple[str, str, str | None, tuple[str, ...]]:
    return (event.type, event.status, event.date, event.participants)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Freedonia and Sylvania signed a trade agreement on Monday.",
            ("agreement", "happened", "2025-03-03", ("Freedonia", "Sylvania")),
            id="signed-agreement-last-monday",
        ),
        pytest.param(
            "Tom Baker will meet Maria Lopez on Friday.",
            ("meeting", "planned", "2025-03-07", ("Tom Baker", "Maria Lopez")),
            id="future-meeting-looks-forward",
        ),
        pytest.param(
            "Tom Baker met Maria Lopez on Friday.",
            ("meeting", "happened", "2025-02-28", ("Tom Baker", "Maria Lopez")),
            id="past-meeting-looks-back",
        ),
        pytest.param(
            "Sylvania is expected to impose tariffs on Freedonian steel.",
            ("trade_measure", "expected", None, ("Sylvania", "Freedonia")),
            id="expected-tariffs",
        ),
        pytest.param(
            "Sylvania denied reports that it plans to impose tariffs on Freedonia.",
            ("trade_measure", "denied", None, ("Sylvania", "Freedonia")),
            id="denied",
        ),
    ],
)
def test_type_status_date_and_participants(analyse, text: str, expected: tuple) -> None:
    assert [summary(e) for e in events(analyse, text)] == [expected]


def test_an_investment_carries_its_amount(analyse) -> None:
    [event] = events(analyse, "Freedonia will invest $2 billion in Sylvania next month.")
    assert summary(event) == ("investment", "announced", "2025-04-01", ("Freedonia", "Sylvania"))
    assert event.amount is not None and (event.amount.value, event.amount.currency) == (2e9, "USD")


def test_a_defense_target_carries_its_percent(analyse) -> None:
    [event] = events(analyse, "Freedonia plans to raise its defense spending to 2% of GDP.")
    assert (event.type, event.status, event.percent, event.participants) == (
        "defense",
        "planned",
        2.0,
        ("Freedonia",),
    )


def test_the_evidence_is_the_sentence_verbatim(analyse) -> None:
    text = "Tom Baker left early. Tom Baker will meet Maria Lopez on Friday."
    [event] = events(analyse, text)
    assert event.evidence_text == "Tom Baker will meet Maria Lopez on Friday."
    assert text[event.evidence_start : event.evidence_end] == event.evidence_text


def test_a_back_reference_does_not_start_a_new_event(analyse) -> None:
    found = events(
        analyse, "Freedonia and Sylvania signed a trade agreement. Under the agreement, Sylvania cuts duties."
    )
    assert [e.type for e in found].count("agreement") == 1


def test_both_nations_are_the_two_main_countries(analyse) -> None:
    [event, *_] = events(
        analyse, "Both nations are exploring a free trade agreement, Freedonia said. Sylvania agreed."
    )
    assert summary(event) == ("agreement", "proposed", None, ("Freedonia", "Sylvania"))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Sylvania must meet demand for steel.", id="meet-demand"),
        pytest.param("Please visit the website for details.", id="nobody-visits-anybody"),
    ],
)
def test_no_meeting_without_anyone_to_meet(analyse, text: str) -> None:
    assert events(analyse, text) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Tom Baker had announced plans to meet Maria Lopez in Fredville on October 30.",
        "Officials said Tom Baker is scheduled to meet Maria Lopez in Fredville on October 30.",
        "Tom Baker announced his plan to meet Maria Lopez in Fredville on October 30.",
    ],
)
def test_restating_a_plan_after_its_date_is_no_report_that_it_happened(sentence) -> None:
    from pipeline.facts.document import extract

    later = dt.date(2025, 10, 31)
    (meeting,) = [ev for ev in extract("", sentence, later).events if ev.type == "meeting"]
    assert (meeting.status, meeting.date) == ("planned", "2025-10-30")
    (held,) = [
        ev for ev in extract("", "Tom Baker met Maria Lopez in Fredville on October 30.", later).events
    ]
    assert held.status == "happened"
