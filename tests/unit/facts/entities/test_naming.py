"""Tests for pipeline.facts.entities.naming: typing names by their head word and growing and trimming spans."""

from __future__ import annotations

import pytest

from pipeline.facts.entities.mentions import Mention, tokens
from pipeline.facts.entities.naming import (
    drop_overlaps,
    extend_facilities,
    head_names,
    mentions_from_rules,
    merge_prefixes,
    rule_type,
)


def place(text: str, name: str) -> Mention:
    """A gazetteer country mention of ``name`` at its first occurrence in ``text``."""
    start = text.index(name)
    return Mention(name, "GPE", start, start + len(name), "gazetteer")


def found(text: str, mentions: list[Mention]) -> list[tuple[str, str, str]]:
    """(name, type, surface text) of each mention."""
    return [(m.name, m.type, text[m.start : m.end]) for m in mentions]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["Kessel", "Energy", "Council"], "ORG"),
        (["Lisbon", "Copper", "Project"], "FAC"),
        (["New", "Kessel", "Province"], "GPE"),
        (["Council"], None),  # a bare head names nothing
        (["Clean", "Rivers", "Act"], None),  # a law is not an entity
        (["Jan", "Kowalski"], None),
    ],
)
def test_a_run_is_typed_by_its_head_word(words: list[str], expected: str | None) -> None:
    assert rule_type(words) == expected


def test_a_run_with_a_telling_head_becomes_a_rule_mention_without_its_title_or_article() -> None:
    text = "The Kessel Energy Council met Jan Kowalski."
    toks = tokens(text)
    runs = [(0, 4), (5, 7)]
    ner, rules = mentions_from_rules(text, toks, runs, [], [])
    assert ner == [] and found(text, rules) == [("Kessel Energy Council", "ORG", "Kessel Energy Council")]


def test_the_rule_replaces_an_ner_span_covering_only_part_of_the_name() -> None:
    text = "The Kessel Copper Project opened."
    toks = tokens(text)
    partial = Mention("Kessel", "PERSON", 4, 10, "ner")
    ner, rules = mentions_from_rules(text, toks, [(0, 4)], [partial], [])
    assert ner == [] and found(text, rules) == [("Kessel Copper Project", "FAC", "Kessel Copper Project")]


def test_overlaps_keep_the_first_mention_unless_a_longer_one_replaces_a_non_gazetteer_one() -> None:
    short_ner = Mention("Kessel", "ORG", 0, 6, "ner")
    long_rule = Mention("Kessel Mining Corp.", "ORG", 0, 19, "rule")
    known = Mention("Freedonia", "GPE", 20, 29, "gazetteer")
    longer = Mention("Freedonia Steel", "ORG", 20, 35, "ner")
    assert drop_overlaps([short_ner, long_rule, known, longer]) == [long_rule, known]


def test_a_place_before_an_organisation_is_part_of_its_name() -> None:
    text = "The Freedonia Mining Corp. signed."
    merged = merge_prefixes(text, [place(text, "Freedonia"), Mention("Mining Corp.", "ORG", 14, 26, "ner")])
    assert found(text, merged) == [("Freedonia Mining Corp.", "ORG", "Freedonia Mining Corp.")]


def test_a_leading_us_joined_by_a_space_stays_apart_but_joined_by_a_hyphen_belongs() -> None:
    spaced = "U.S. Copper Council"
    kept = merge_prefixes(spaced, [place(spaced, "U.S."), Mention("Copper Council", "ORG", 5, 19, "ner")])
    assert [m.name for m in kept] == ["U.S.", "Copper Council"]
    hyphen = "U.S.-Freedonia Council"
    joined = merge_prefixes(
        hyphen,
        [place(hyphen, "U.S."), place(hyphen, "Freedonia"), Mention("Council", "ORG", 15, 22, "rule")],
    )
    assert [m.name for m in joined] == ["U.S.-Freedonia Council"]


def test_an_organisation_takes_its_corporate_suffix() -> None:
    text = "Kessel Mining Corp., Inc. signed."
    merged = merge_prefixes(text, [Mention("Kessel Mining Corp.", "ORG", 0, 19, "ner")])
    assert found(text, merged) == [("Kessel Mining Corp., Inc.", "ORG", "Kessel Mining Corp., Inc.")]


def test_a_name_followed_by_a_facility_word_is_that_facility_but_a_person_is_not() -> None:
    text = "The Kessel deposit and the Baker mine"
    extended = extend_facilities(
        text, [Mention("Kessel", "GPE", 4, 10, "ner"), Mention("Tom Baker", "PERSON", 27, 32, "link")]
    )
    assert found(text, extended) == [
        ("Kessel deposit", "FAC", "Kessel deposit"),
        ("Tom Baker", "PERSON", "Baker"),
    ]


def test_an_organisation_head_takes_in_the_place_and_capitalised_words_before_it() -> None:
    text = "Officials of the North Freedonia Copper Institute spoke."
    mentions = [place(text, "Freedonia")]
    grown = head_names(text, tokens(text), mentions)
    assert found(text, grown) == [
        ("North Freedonia Copper Institute", "ORG", "North Freedonia Copper Institute")
    ]


def test_a_head_without_a_place_before_it_is_left_to_the_other_stages() -> None:
    text = "Officials of the North Copper Institute spoke."
    assert head_names(text, tokens(text), []) == []
