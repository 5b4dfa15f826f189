"""Tests for pipeline.classify.matcher: how config phrases match, the one-pass scan, and binning into units."""

from __future__ import annotations

import re

import pytest

from pipeline.classify.matcher import FIELD_TEXT, Locator, MatcherBuilder, Scan, Unit, compile_phrase


def _matcher(*sets: list[str]):
    builder = MatcherBuilder()
    pattern_sets = [
        builder.add(dict.fromkeys(phrases, 1.0), {p: compile_phrase(p) for p in phrases}, {}) for phrases in sets
    ]
    return builder.build(), pattern_sets


def _found(phrase: str, text: str) -> list[str]:
    matcher, (patterns,) = _matcher([phrase])
    return [text[start:end] for start, end, _ in matcher.scan(text).get(patterns.set_id, [])]


@pytest.mark.parametrize(
    ("phrase", "text", "expected"),
    [
        pytest.param("U.S.", "the US and Japan", ["US"], id="dots-optional"),
        pytest.param("US", "tell us more", [], id="all-caps-is-case-sensitive"),
        pytest.param("rare earth", "rare-earth magnets", ["rare-earth"], id="hyphen-matches-space"),
        pytest.param("mineral", "critical minerals", ["minerals"], id="plural-s"),
        pytest.param("tax", "new taxes", ["taxes"], id="plural-es"),
        pytest.param("tax", "taxi fares", [], id="whole-words"),
        pytest.param("China's", "China\u2019s curbs", ["China\u2019s"], id="typographic-apostrophe"),
        pytest.param("日米", "日米首脳会談", ["日米"], id="japanese-needs-no-spaces"),
        pytest.param("re:rare\\s+visit", "a rare  visit", ["rare  visit"], id="raw-regex"),
        pytest.param("$550", "a $550 billion package", ["$550"], id="leading-punctuation-is-searched"),
    ],
)
def test_phrase_matching(phrase: str, text: str, expected: list[str]) -> None:
    assert _found(phrase, text) == expected


def test_longest_phrase_wins_at_one_start() -> None:
    assert _found("rare earth", "rare earths") == ["rare earths"]
    matcher, (patterns,) = _matcher(["rare", "rare earth"])
    assert [(s, e) for s, e, _ in matcher.scan("rare earth deal")[patterns.set_id]] == [(0, 10)]


def test_invalid_raw_regex_raises_re_error() -> None:
    with pytest.raises(re.error):
        compile_phrase("re:([unclosed")


def test_scan_bins_matches_into_units_and_applies_masks() -> None:
    text = "Lithium supply. Lithium-ion battery fire."
    matcher, (terms, masks) = _matcher(["lithium"], ["lithium-ion"])
    units = [Unit(FIELD_TEXT, 0, 15, 0, "lead"), Unit(FIELD_TEXT, 16, len(text), 1, "body")]
    scan = Scan({FIELD_TEXT: matcher.scan(text)}, Locator(units), masks)
    assert scan.hits(terms) == [{0}, set()]  # the masked "Lithium-ion" does not count


def test_locator_finds_no_unit_between_units() -> None:
    locator = Locator([Unit(FIELD_TEXT, 0, 5, 0, "lead"), Unit(FIELD_TEXT, 10, 15, 0, "body")])
    assert [locator.find(FIELD_TEXT, offset) for offset in (0, 7, 12)] == [0, None, 1]
