"""Tests for pipeline.facts.gazetteer: loading, checking and looking up the entities file."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.facts.gazetteer import entity_aliases, entity_types, load_gazetteer, norm_surface


def surface(text: str) -> tuple[str, str] | None:
    """(canonical name, how) a text is known as, or None."""
    return load_gazetteer().surface.get(norm_surface(text))


def test_entries_keep_their_type_role_terms_and_country(freedonia: Path) -> None:
    entry = load_gazetteer().entries["Tom Baker"]
    assert (entry.type, entry.role, entry.country, entry.gender) == (
        "PERSON",
        "President of Freedonia",
        "Freedonia",
        "m",
    )
    assert entry.terms == ((dt.date(2024, 1, 1), None),)
    assert (entry.given, entry.surname) == ("Tom", "Baker")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Maria Lopez", ("Maria Lopez", "name"), id="full-name"),
        pytest.param("M. Lopez", ("Maria Lopez", "name"), id="alias"),
        pytest.param("Lopez", ("Maria Lopez", "surname"), id="surname"),
        pytest.param("FSW", ("Freedonia Steel Works", "name"), id="organisation-alias"),
        pytest.param("Freedonian", ("Freedonia", "demonym"), id="demonym"),
        pytest.param("FREEDONIA", ("Freedonia", "name"), id="upper-case-heading-form"),
        pytest.param("Maria   Lopez", ("Maria Lopez", "name"), id="spacing-folded"),
        pytest.param("Foreign Ministry", ("", "generic"), id="generic-organisation"),
    ],
)
def test_surface_forms_lead_to_the_canonical_name(
    freedonia: Path, text: str, expected: tuple[str, str]
) -> None:
    assert surface(text) == expected


def test_the_pattern_matches_known_names_as_whole_words(freedonia: Path) -> None:
    pattern = load_gazetteer().pattern
    text = "Tom Baker and FSWX met the Freedonian envoy in Fredville."
    assert [m.group() for m in pattern.finditer(text)] == ["Tom Baker", "Freedonian", "Fredville"]


def test_a_japanese_person_is_also_known_in_japanese_name_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "entities.yaml"
    path.write_text(
        "persons:\n  - {name: Sanae Takaichi, country: Japan}\nplaces:\n  - {name: Japan, kind: country}\n"
    )
    monkeypatch.setenv("NEWS_ENTITIES_FILE", str(path))
    assert surface("Takaichi Sanae") == ("Sanae Takaichi", "name")


def test_entity_types_and_aliases_for_the_entities_table(freedonia: Path) -> None:
    types = entity_types()
    assert types["Maria Lopez"] == "PERSON" and types["Freedonia Steel Works"] == "ORG"
    assert types["Fredville"] == "GPE"
    aliases = entity_aliases()
    assert aliases["Maria Lopez"] == ["M. Lopez", "Lopez"]  # declared aliases, then the linking surname
    assert aliases["Freedonia"] == ["Freedonian"]  # demonyms link too


def test_an_edited_file_is_read_again(freedonia: Path) -> None:
    assert "Sylvania" in load_gazetteer().entries
    freedonia.write_text("places:\n  - {name: Sylvania, kind: country}\n", encoding="utf-8")
    later = freedonia.stat().st_mtime + 5
    os.utime(freedonia, (later, later))
    assert set(load_gazetteer().entries) == {"Sylvania"}


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        pytest.param("people:\n  - Maria Lopez\n", "top-level keys", id="unknown-section"),
        pytest.param(
            "persons:\n  - {name: Maria Lopez, role: X, Trade: Y}\n", "unknown keys", id="unquoted-comma"
        ),
        pytest.param("persons:\n  - {nom: Maria Lopez}\n", "string 'name'", id="no-name"),
        pytest.param("places:\n  - Sylvania\n  - Sylvania\n", "listed twice", id="duplicate"),
        pytest.param(
            "persons:\n  - {name: Maria Lopez, country: Atlantis}\n", "not an entry", id="dangling-country"
        ),
        pytest.param(
            "places:\n  - Sylvania\ngeneric_orgs:\n  Foreign Ministry: {Sylvania: Sylvanian Ministry}\n",
            "unknown entries",
            id="dangling-generic",
        ),
    ],
)
def test_a_malformed_file_fails_naming_what_to_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, yaml_text: str, message: str
) -> None:
    path = tmp_path / "entities.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    monkeypatch.setenv("NEWS_ENTITIES_FILE", str(path))
    with pytest.raises(ConfigError, match=message) as caught:
        load_gazetteer()
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    ("yaml_text", "key", "expected"),
    [
        pytest.param("persons: Donald Trump\n", "persons:", "valid list", id="section-a-string"),
        pytest.param("persons:\n  - {name: Maria Lopez, aliases: Lopez}\n", "persons[0].aliases:", "valid list",
                     id="aliases-a-string"),
        pytest.param("places:\n  - Sylvania\n  - {name: Freedonia, media: 'yes'}\n", "places[1].media:",
                     "valid boolean", id="media-not-a-bool"),
        pytest.param("persons:\n  - {name: Maria Lopez, terms: [[last year, null]]}\n", "persons[0].terms:",
                     "ISO date", id="terms-not-dates"),
        pytest.param("ignore: Nobel Prize\n", "ignore:", "valid list", id="ignore-a-string"),
        pytest.param("generic_orgs: [Foreign Ministry]\n", "generic_orgs:", "a mapping", id="generic-a-list"),
    ],
)
def test_the_schema_names_file_key_path_and_what_was_expected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, yaml_text: str, key: str, expected: str
) -> None:
    path = tmp_path / "entities.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    monkeypatch.setenv("NEWS_ENTITIES_FILE", str(path))
    with pytest.raises(ConfigError) as caught:
        load_gazetteer()
    message = str(caught.value)
    assert str(path) in message and key in message and expected in message
