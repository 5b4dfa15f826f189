"""Tests for pipeline.facts.entities.linking: name heads, acronyms, surnames, given names and roles.

The made-up gazetteer of tests/unit/facts/conftest.py knows two Freedonian presidents, Maria Lopez (until
2024) and Tom Baker (since).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.facts.entities.linking import link_acronyms, link_name_heads, link_people, link_roles
from pipeline.facts.entities.mentions import Mention, tokens
from pipeline.facts.gazetteer import Gazetteer, load_gazetteer


@pytest.fixture
def gaz(freedonia: Path) -> Gazetteer:
    """The made-up gazetteer."""
    return load_gazetteer()


def at(
    text: str, surface: str, etype: str, source: str = "ner", name: str | None = None, nth: int = 0
) -> Mention:
    """A mention of ``surface`` (its ``nth`` occurrence) in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Mention(name or surface, etype, start, start + len(surface), source)


def found(text: str, mentions: list[Mention]) -> list[tuple[str, str, str]]:
    """(name, type, surface text) of each mention."""
    return [(m.name, m.type, text[m.start : m.end]) for m in mentions]


def test_a_lone_first_word_is_the_one_longer_name_it_starts(gaz: Gazetteer) -> None:
    text = "Kessel Metals grew. Kessel said more."
    linked = link_name_heads([at(text, "Kessel Metals", "ORG"), at(text, "Kessel", "PERSON", nth=1)], gaz)
    assert found(text, linked)[-1] == ("Kessel Metals", "ORG", "Kessel")


def test_a_lone_first_word_of_several_names_is_dropped(gaz: Gazetteer) -> None:
    text = "Kessel Metals and Kessel Port grew. Kessel said more."
    mentions = [
        at(text, "Kessel Metals", "ORG"),
        at(text, "Kessel Port", "FAC"),
        at(text, "Kessel", "ORG", nth=2),
    ]
    assert link_name_heads(mentions, gaz) == mentions[:2]


def test_a_short_form_in_parentheses_means_its_full_name_everywhere() -> None:
    text = "The Kessel Copper Council (KCC) met. Later the KCC voted."
    council = at(text, "Kessel Copper Council", "ORG", "rule")
    linked = link_acronyms(text, [council])
    assert found(text, linked) == [
        ("Kessel Copper Council", "ORG", "Kessel Copper Council"),
        ("Kessel Copper Council", "ORG", "KCC"),
        ("Kessel Copper Council", "ORG", "KCC"),
    ]
    assert [m.source for m in linked[1:]] == ["acronym", "acronym"]


def test_a_short_form_of_a_law_or_common_noun_is_not_an_entity() -> None:
    text = "They signed a trade pact (TPA) and the Clean Rivers Act (CRA). The TPA and CRA apply."
    mentions = [at(text, "TPA", "ORG", nth=1), at(text, "CRA", "ORG", nth=1)]
    assert link_acronyms(text, mentions) == []


def test_a_surname_alone_is_the_person_named_in_full(gaz: Gazetteer) -> None:
    text = "Jan Kowalski spoke. Kowalski left."
    mentions = [at(text, "Jan Kowalski", "PERSON"), at(text, "Kowalski", "ORG", nth=1)]
    linked = link_people(text, tokens(text), mentions, gaz, [], "")
    assert found(text, linked) == [
        ("Jan Kowalski", "PERSON", "Jan Kowalski"),
        ("Jan Kowalski", "PERSON", "Kowalski"),
    ]
    assert linked[1].how == "surname"


def test_a_surname_in_a_candidate_run_links_without_its_possessive(gaz: Gazetteer) -> None:
    text = "Jan Kowalski spoke. Kowalski's aide left."
    toks = tokens(text)
    run = next(k for k, t in enumerate(toks) if t.text.startswith("Kowalski's"))
    linked = link_people(text, toks, [at(text, "Jan Kowalski", "PERSON")], gaz, [(run, run + 1)], "")
    assert found(text, linked)[-1] == ("Jan Kowalski", "PERSON", "Kowalski")


def test_a_surname_two_people_share_is_not_guessed(gaz: Gazetteer) -> None:
    text = "Jan Kowalski met Ewa Kowalski. Kowalski left."
    mentions = [
        at(text, "Jan Kowalski", "PERSON"),
        at(text, "Ewa Kowalski", "PERSON"),
        at(text, "Kowalski", "ORG", nth=2),
    ]
    linked = link_people(text, tokens(text), mentions, gaz, [], "")
    assert found(text, linked)[-1] == ("Kowalski", "ORG", "Kowalski")


def test_a_given_name_alone_is_the_person_when_unambiguous(gaz: Gazetteer) -> None:
    text = "Jan Kowalski spoke. Jan left."
    mentions = [at(text, "Jan Kowalski", "PERSON"), at(text, "Jan", "GPE", nth=1)]
    linked = link_people(text, tokens(text), mentions, gaz, [], "")
    assert found(text, linked)[-1] == ("Jan Kowalski", "PERSON", "Jan")
    assert linked[-1].how == "given"


def test_a_person_in_the_headline_makes_their_surname_linkable(gaz: Gazetteer) -> None:
    text = "Baker said no."
    linked = link_people(
        text, tokens(text), [at(text, "Baker", "ORG")], gaz, [], "Tom Baker visits Fredville"
    )
    assert found(text, linked) == [("Tom Baker", "PERSON", "Baker")]


@pytest.mark.parametrize(
    ("published", "holder"),
    [
        pytest.param(dt.date(2022, 5, 1), "Maria Lopez", id="her-term"),
        pytest.param(dt.date(2025, 5, 1), "Tom Baker", id="his-term"),
        pytest.param(None, None, id="undated-both-held-it"),  # no date: two holders, so no guess
    ],
)
def test_the_president_is_the_named_person_in_office_on_the_publication_date(
    gaz: Gazetteer, published: dt.date | None, holder: str | None
) -> None:
    text = "Tom Baker and Maria Lopez met. The President spoke."
    mentions = [at(text, "Tom Baker", "PERSON", "gazetteer"), at(text, "Maria Lopez", "PERSON", "gazetteer")]
    roles = [m for m in link_roles(text, mentions, gaz, published) if m.how == "role"]
    assert [(m.name, text[m.start : m.end]) for m in roles] == ([(holder, "President")] if holder else [])


def test_a_former_president_or_one_not_named_in_the_story_is_not_linked(gaz: Gazetteer) -> None:
    text = "Tom Baker met the former President."
    mentions = [at(text, "Tom Baker", "PERSON", "gazetteer")]
    assert link_roles(text, mentions, gaz, dt.date(2025, 5, 1)) == mentions
    alone = "The President spoke."
    assert link_roles(alone, [], gaz, dt.date(2025, 5, 1)) == []
