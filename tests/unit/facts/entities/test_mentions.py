"""Tests for pipeline.facts.entities.mentions: the word tokens, capitalisation test and span coverage."""

from __future__ import annotations

import pytest

from pipeline.facts.entities.mentions import bare, coverage, covered, hits, is_cap, tokens


def test_tokens_keep_abbreviations_possessives_and_hyphens_whole_and_index_the_text() -> None:
    text = "Japan's U.S. envoy met Rolls-Royce."
    toks = tokens(text)
    assert [t.text for t in toks] == ["Japan's", "U.S.", "envoy", "met", "Rolls-Royce."]
    assert all(text[t.start : t.end] == t.text for t in toks)


@pytest.mark.parametrize(
    ("word", "expected"),
    [("Tokyo", True), ("5G", True), ("3M", True), ("5g", False), ("iPhone", False), ("", False)],
)
def test_a_word_reads_as_part_of_a_name_when_capitalised_or_a_code_with_capitals(
    word: str, expected: bool
) -> None:
    assert is_cap(word) is expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [("Japan's", "Japan"), ("Japan’s", "Japan"), ("Corp.", "Corp"), ("Texas", "Texas"), ("Kansas", "Kansas")],
)
def test_bare_drops_only_a_trailing_possessive_or_full_stop(word: str, expected: str) -> None:
    assert bare(word) == expected


def test_coverage_and_covered_agree_on_which_spans_overlap() -> None:
    spans = [(2, 5), (10, 12)]
    arr = coverage(15, spans)
    for start, end in [(0, 2), (0, 3), (4, 10), (5, 10), (11, 15), (12, 15)]:
        assert hits(arr, start, end) is covered(spans, start, end)
    assert covered(spans, 4, 6) and not covered(spans, 5, 10)
