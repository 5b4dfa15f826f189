"""Tests for pipeline.facts.quotes: quoted text and who said it, against the made-up gazetteer."""

from __future__ import annotations

import pytest

from pipeline.facts.quotes import find_quote_spans, find_quotes


def quotes(analyse, text: str) -> list[tuple[str | None, str]]:
    """(speaker, quoted text) of each quote."""
    doc = analyse(text)
    return [(q.speaker, q.text) for q in find_quotes(doc.masked, doc.sentences, doc.analysis)]


@pytest.mark.parametrize(
    ("text", "speaker", "quoted"),
    [
        pytest.param(
            '"We will build a plant," Tom Baker said.', "Tom Baker", "We will build a plant,", id="name-said"
        ),
        pytest.param(
            '"We will build a plant," said Maria Lopez.',
            "Maria Lopez",
            "We will build a plant,",
            id="said-name",
        ),
        pytest.param(
            'Maria Lopez said the goal was "a fair deal".',
            "Maria Lopez",
            "a fair deal",
            id="before-the-quote",
        ),
        pytest.param('Tom Baker: "Trade is up."', "Tom Baker", "Trade is up.", id="label"),
        pytest.param(
            'Tom Baker met Maria Lopez. "Prices are falling," she said.',
            "Maria Lopez",
            "Prices are falling,",
            id="she-is-the-last-named-woman",
        ),
    ],
)
def test_a_quote_is_attributed_to_its_speaker(analyse, text: str, speaker: str, quoted: str) -> None:
    assert quotes(analyse, text) == [(speaker, quoted)]


def test_a_speaker_going_on_keeps_the_next_quote(analyse) -> None:
    assert quotes(analyse, '"Trade is up," Tom Baker said. "Jobs follow."') == [
        ("Tom Baker", "Trade is up,"),
        ("Tom Baker", "Jobs follow."),
    ]


def test_an_unnamed_spokesman_is_nobody_we_can_name(analyse) -> None:
    assert quotes(analyse, 'Tom Baker left. "It was fine," a ministry spokesman said.') == [
        (None, "It was fine,")
    ]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('The report, titled "A New Dawn", was released by Tom Baker.', id="title"),
        pytest.param('The two sides (the "Parties") agreed, Tom Baker said.', id="defined-term"),
    ],
)
def test_titles_and_defined_terms_are_not_quotes(analyse, text: str) -> None:
    assert quotes(analyse, text) == []


def test_quote_spans_are_the_text_inside_the_marks() -> None:
    text = 'He said “yes” and then "no".'
    assert [text[a:b] for a, b in find_quote_spans(text)] == ["yes", "no"]


def test_a_quote_left_open_at_a_paragraph_end_closes_there_when_the_next_paragraph_quotes() -> None:
    text = 'He said: "first part\n\n"second part," and left.'
    assert [text[a:b] for a, b in find_quote_spans(text)] == ["first part", "second part,"]


def test_quoted_numbers_alone_are_not_quotes() -> None:
    assert find_quote_spans('He said "123".') == []
