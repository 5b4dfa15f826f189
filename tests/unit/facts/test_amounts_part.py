"""Part amounts: a figure that is a slice of a larger one is flagged (amount_is_part), not a pledge of its own."""

from __future__ import annotations

import pytest

from pipeline.facts.amounts import find_amounts, is_part_amount
from pipeline.facts.document import extract


def _part(text: str, figure: str) -> bool:
    amounts = find_amounts(text)
    (amount,) = [a for a in amounts if text[a.start : a.end].startswith(figure)]
    return is_part_amount(text, amount, (0, len(text)), amounts)


@pytest.mark.parametrize(
    ("text", "figure", "expected"),
    [
        (
            "The first tranche of the projects, announced in May and worth $12 billion, went to Ohio.",
            "$12",
            True,
        ),
        ("Korea will provide $20 billion, part of the $350 billion fund.", "$20", True),
        ("Korea will provide $20 billion, part of the $350 billion fund.", "$350", False),
        ("Canada pledged $4 billion of the $30 billion facility.", "$4", True),
        ("Canada pledged $4 billion out of the total.", "$4", True),
        ("The fund holds $90 billion, of which $15 billion is for shipbuilding.", "$15", True),
        ("The fund holds $90 billion, of which $15 billion is for shipbuilding.", "$90", False),
        ("Mexico will invest $7 billion in new plants.", "$7", False),
        ("Japan's share of the cost is $3 billion.", "$3", False),
    ],
)
def test_part_cues(text: str, figure: str, expected: bool) -> None:
    assert _part(text, figure) is expected


def test_under_the_agreement_is_a_part_only_beside_a_larger_figure() -> None:
    alone = "Under the agreement, Korea will invest $20 billion in shipyards."
    with_whole = "Korea agreed to invest $350 billion. " + alone
    assert not _part(alone, "$20")
    assert _part(with_whole, "$20")
    # the whole itself is not a part of anything
    amounts = find_amounts(with_whole)
    assert not is_part_amount(with_whole, amounts[0], (0, with_whole.index(". ") + 1), amounts)


def test_extract_flags_the_tranche_and_keeps_the_pledge() -> None:
    text = (
        "Korea has agreed to invest $350 billion in the United States. "
        "The first tranche of Korean investments, announced in March, is worth $25 billion and will build "
        "shipyards in the United States."
    )
    doc = extract("", text, None)
    flagged = {ev.amount.value: ev.amount_is_part for ev in doc.events if ev.amount is not None}
    assert flagged == {350e9: False, 25e9: True}


def test_a_figure_in_a_welcomed_relative_clause_is_not_the_main_clauses_parties() -> None:
    text = (
        "Prime Minister Mark Carney of Canada met President Emmanuel Macron of France in Paris. "
        "Mark Carney and Emmanuel Macron welcomed the outcomes of the Atlantic Mining Forum, which brought "
        "together ministers from Australia to highlight over $40 billion of projects and investments in Australia."
    )
    doc = extract("", text, None)
    (figure,) = [ev for ev in doc.events if ev.amount is not None and ev.amount.value == 40e9]
    assert not {"Canada", "France", "Mark Carney", "Emmanuel Macron"} & set(figure.participants)
    assert "Australia" in figure.participants


def test_without_a_relative_clause_the_welcoming_parties_stay() -> None:
    text = "Canada and Australia welcomed a new investment of $40 billion in Australian mines."
    doc = extract("", text, None)
    (figure,) = [ev for ev in doc.events if ev.amount is not None]
    assert {"Canada", "Australia"} <= set(figure.participants)
