"""A small made-up gazetteer for the facts module tests, so they do not depend on config/entities.yaml."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.facts.entities.finder import find_entities
from pipeline.facts.entities.mentions import EntityAnalysis
from pipeline.text import Sentence, mask_markup, split_sentences

GAZETTEER = """\
persons:
  - name: Maria Lopez
    aliases: [M. Lopez]
    role: President of Freedonia
    terms: [[2020-01-01, 2024-01-01]]
    country: Freedonia
    gender: f
  - name: Tom Baker
    role: President of Freedonia
    terms: [[2024-01-01, null]]
    country: Freedonia
    gender: m
organizations:
  - {name: Freedonia Steel Works, aliases: [FSW], country: Freedonia}
  - {name: Ministry of Foreign Affairs of Freedonia, country: Freedonia}
  - {name: Ministry of Foreign Affairs of Sylvania, country: Sylvania}
places:
  - {name: Freedonia, kind: country, demonyms: [Freedonian]}
  - {name: Sylvania, kind: country}
  - {name: Fredville, kind: city, capital_of: Freedonia}
generic_orgs:
  Foreign Ministry: {Freedonia: Ministry of Foreign Affairs of Freedonia, Sylvania: Ministry of Foreign Affairs of Sylvania}
ignore: [Acme Weekly]
"""

PUBLISHED = dt.date(2025, 3, 4)  # a Tuesday; the tests that pass no date read against it


@pytest.fixture
def freedonia(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point NEWS_ENTITIES_FILE at the made-up gazetteer."""
    path = tmp_path / "entities.yaml"
    path.write_text(GAZETTEER, encoding="utf-8")
    monkeypatch.setenv("NEWS_ENTITIES_FILE", str(path))
    return path


@dataclass
class Analysed:
    """A text run through masking, sentence splitting and entity finding, as the facts stage does."""

    masked: str
    sentences: list[Sentence]
    analysis: EntityAnalysis


Analyse = Callable[..., Analysed]


@pytest.fixture
def analyse(freedonia: Path) -> Analyse:
    """Mask, split and find entities in a text against the made-up gazetteer, as the facts stage does."""

    def run(text: str, published: dt.date | None = PUBLISHED, title: str = "") -> Analysed:
        masked = mask_markup(text)
        sentences = split_sentences(masked)
        return Analysed(
            masked, sentences, find_entities(masked, {s.start for s in sentences}, published, title)
        )

    return run
