"""Tests for pipeline.facts.entities.finder: entity mentions from the gazetteer, the NER and in-document links.

The made-up gazetteer of tests/unit/facts/conftest.py knows Freedonia (capital Fredville), Sylvania, two
Freedonian presidents (Maria Lopez until 2024, Tom Baker since) and Freedonia Steel Works.
"""

from __future__ import annotations

import datetime as dt

import pytest


def mentions(
    analyse, text: str, published: dt.date | None = dt.date(2025, 3, 4)
) -> list[tuple[str, str, str]]:
    """(canonical name, type, surface text) of each mention, in text order."""
    found = analyse(text, published).analysis.mentions
    return [(m.name, m.type, text[m.start : m.end]) for m in found]


def test_known_actors_get_their_canonical_name_and_type(analyse) -> None:
    assert mentions(analyse, "Maria Lopez met Tom Baker at FSW.") == [
        ("Maria Lopez", "PERSON", "Maria Lopez"),
        ("Tom Baker", "PERSON", "Tom Baker"),
        ("Freedonia Steel Works", "ORG", "FSW"),
    ]


def test_a_surname_alone_is_the_person_named_in_full(analyse) -> None:
    assert mentions(analyse, "Maria Lopez arrived. Lopez said little.")[-1] == (
        "Maria Lopez",
        "PERSON",
        "Lopez",
    )


def test_an_unknown_persons_surname_links_to_their_full_name(analyse) -> None:
    found = mentions(analyse, "Jan Kowalski met Tom Baker. Kowalski left.")
    assert found[0] == ("Jan Kowalski", "PERSON", "Jan Kowalski")
    assert found[-1] == ("Jan Kowalski", "PERSON", "Kowalski")


def test_another_person_sharing_a_known_surname_is_not_the_known_person(analyse) -> None:
    found = mentions(analyse, "Tom Baker met Anna Baker in Fredville.")
    assert ("Anna Baker", "PERSON", "Anna Baker") in found
    assert [m for m in found if m[2] == "Baker"] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Fredville urged Sylvania to act.", ("Freedonia", "GPE", "Fredville"), id="capital-acts"
        ),
        pytest.param("Officials met in Fredville.", ("Fredville", "GPE", "Fredville"), id="in-the-city"),
        pytest.param(
            "Fredville, March 3 - Tom Baker spoke.", ("Fredville", "GPE", "Fredville"), id="dateline"
        ),
    ],
)
def test_a_capital_names_its_government_only_when_it_acts(
    analyse, text: str, expected: tuple[str, str, str]
) -> None:
    assert expected in mentions(analyse, text)


def test_a_demonym_is_its_country(analyse) -> None:
    assert ("Freedonia", "GPE", "Freedonian") in mentions(analyse, "The Freedonian delegation left.")


def test_a_generic_organisation_belongs_to_the_country_named_before_it(analyse) -> None:
    found = mentions(analyse, "Sylvania's Foreign Ministry said no.")
    assert ("Ministry of Foreign Affairs of Sylvania", "ORG", "Foreign Ministry") in found


@pytest.mark.parametrize(
    ("published", "holder"),
    [
        pytest.param(dt.date(2022, 5, 1), "Maria Lopez", id="her-term"),
        pytest.param(dt.date(2025, 5, 1), "Tom Baker", id="his-term"),
    ],
)
def test_the_president_is_whoever_held_the_office_on_the_publication_date(
    analyse, published: dt.date, holder: str
) -> None:
    found = mentions(analyse, "The President met Tom Baker and Maria Lopez.", published)
    assert found[0] == (holder, "PERSON", "President")


def test_a_former_president_is_not_linked_to_the_office(analyse) -> None:
    found = mentions(analyse, "The former President Maria Lopez spoke with Tom Baker.", dt.date(2022, 5, 1))
    assert [m for m in found if m[2] == "President"] == []


def test_unknown_names_are_typed_by_their_head_word(analyse) -> None:
    found = mentions(analyse, "Sylvania Mining Corp. and the Sylvania Energy Council signed.")
    assert ("Sylvania Mining Corp.", "ORG", "Sylvania Mining Corp.") in found  # the place is part of the name
    assert ("Sylvania Energy Council", "ORG", "Sylvania Energy Council") in found


def test_a_name_before_a_facility_word_is_that_facility(analyse) -> None:
    found = mentions(analyse, "Officials toured the Kessel deposit near Fredville.")
    assert found == [("Kessel deposit", "FAC", "Kessel deposit"), ("Fredville", "GPE", "Fredville")]


def test_a_short_form_defined_in_parentheses_means_the_full_name(analyse) -> None:
    found = mentions(
        analyse, "Tom Baker praised the National Copper Council (NCC). The NCC will meet in May."
    )
    assert [m for m in found if m[2] == "NCC"] == [("National Copper Council", "ORG", "NCC")] * 2


def test_laws_are_not_entities(analyse) -> None:
    assert mentions(analyse, "The Clean Rivers Act (CRA) passed. The CRA bans dumping.") == []


def test_the_analysis_carries_what_the_gazetteer_knows(analyse) -> None:
    analysis = analyse("Maria Lopez visited Fredville and Sylvania.").analysis
    assert analysis.countries["Maria Lopez"] == "Freedonia"
    assert analysis.genders["Maria Lopez"] == "f"
    assert (analysis.kinds["Fredville"], analysis.kinds["Sylvania"]) == ("city", "country")
    assert analysis.types == {"Maria Lopez": "PERSON", "Fredville": "GPE", "Sylvania": "GPE"}


def test_mentions_do_not_overlap_and_index_the_text(analyse) -> None:
    text = "Tom Baker met Maria Lopez at the Sylvania Steel Institute in Fredville."
    found = analyse(text).analysis.mentions
    assert all(a.end <= b.start for a, b in zip(found, found[1:], strict=False))
    assert [text[m.start : m.end] for m in found] == [
        "Tom Baker",
        "Maria Lopez",
        "Sylvania Steel Institute",
        "Fredville",
    ]
