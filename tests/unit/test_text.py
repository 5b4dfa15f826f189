"""Tests for pipeline.text: markup masking that keeps offsets, and the one sentence splitter."""

from __future__ import annotations

import pytest

from pipeline.text import ABBREVIATIONS, mask_markup, split_sentences


def _sentences(text: str) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(mask_markup(text))]


def test_mask_keeps_length_and_link_labels() -> None:
    text = "See [the pact](https://example.com/a) and <b>more</b> at https://x.org now."
    masked = mask_markup(text)
    assert len(masked) == len(text)
    assert "the pact" in masked and "more" in masked
    assert "example.com" not in masked and "<b>" not in masked and "x.org" not in masked


def test_mask_blanks_emphasis_and_entities() -> None:
    masked = mask_markup("**Tokyo**&nbsp;said")
    assert masked.split() == ["Tokyo", "said"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Japan cut chip output to ward off U.S. Trade sanctions. Officials agreed.",
            ["Japan cut chip output to ward off U.S. Trade sanctions.", "Officials agreed."],
            id="abbreviation-does-not-split",
        ),
        pytest.param(
            "President Donald J. Trump spoke. Mr. Abe listened.",
            ["President Donald J. Trump spoke.", "Mr. Abe listened."],
            id="initials-and-titles",
        ),
        pytest.param(
            "Leaders met in Washington, D.C. On Monday they signed.",
            ["Leaders met in Washington, D.C. On Monday they signed."],
            id="d-c-is-an-abbreviation",
        ),
        pytest.param(
            "Prices rose 3.5 percent. the index fell.",
            ["Prices rose 3.5 percent. the index fell."],
            id="lowercase-next-word-does-not-start-a-sentence",
        ),
        pytest.param(
            "首脳会談を行いました。関税は10％です。",
            ["首脳会談を行いました。", "関税は10％です。"],
            id="japanese-full-stop",
        ),
        pytest.param(
            "First paragraph here.\n\nSecond paragraph here.",
            ["First paragraph here.", "Second paragraph here."],
            id="blank-line",
        ),
        pytest.param(
            "Facts:\n- One fact here\n- Another fact here",
            ["Facts:", "One fact here", "Another fact here"],
            id="bullets-are-stripped",
        ),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert _sentences(text) == expected


def test_hard_wrapped_lines_stay_one_sentence() -> None:
    text = "The minister said the deal covers rare\nearths and critical minerals. It was signed."
    assert _sentences(text)[0] == "The minister said the deal covers rare\nearths and critical minerals."


def test_paragraph_counts_blank_and_indented_line_breaks() -> None:
    text = "One here. Two here.\n\nThree here.\n    Four here."
    assert [s.paragraph for s in split_sentences(mask_markup(text))] == [0, 0, 1, 2]


def test_heading_is_flagged() -> None:
    sentences = split_sentences(mask_markup("TRADE DEAL SIGNED\n\nThe two leaders met on Tuesday."))
    assert [s.is_heading for s in sentences] == [True, False]


def test_abbreviations_are_lowercase_without_final_dot() -> None:
    assert all(a == a.lower() and not a.endswith(".") for a in ABBREVIATIONS)
