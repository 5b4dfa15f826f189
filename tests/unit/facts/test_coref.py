"""Tests for pipeline.facts.coref: which roles a reference can mean."""

from __future__ import annotations

import pytest

from pipeline.facts.coref import role_matches


@pytest.mark.parametrize(
    ("reference", "role", "expected"),
    [
        ("prime minister", "prime minister", True),
        ("minister", "foreign minister", True),
        ("president", "president", True),
        ("president", "vice president", False),
        ("prime minister", "former prime minister", False),
        ("senior official", "finance ministry official", True),
        ("spokesperson", "national security council spokesperson", True),
        ("president", None, False),
        ("ambassador", "president", False),
    ],
)
def test_a_reference_means_the_same_office(reference: str, role: str | None, expected: bool) -> None:
    assert role_matches(reference, role) is expected
