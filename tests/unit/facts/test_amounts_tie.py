"""Which event an amount belongs to: only the one whose trigger the sentence ties it to."""

from __future__ import annotations

import pytest

from pipeline.facts.amounts import amount_tied, find_amounts, trigger_spans

TRADE = (
    "In July, the President announced a trade agreement with Japan, in which Japan agreed to invest "
    "$550 billion into American industries and pay a baseline 15% tariff rate."
)
UNLIKE = "Critically, unlike any other agreement in history, Japan has agreed to invest $550 billion in the country."
PACKAGE = "Takaichi is expected to announce a $550 billion investment package, which includes shipbuilding."
PROVIDES = "The framework agreement provides American producers well over $15 billion of access to markets."


def _tied(sentence: str, etype: str) -> bool:
    (amount,) = find_amounts(sentence)
    return any(amount_tied(sentence, t, (amount.start, amount.end)) for t in trigger_spans(sentence, etype))


@pytest.mark.parametrize(
    ("sentence", "etype", "expected"),
    [
        pytest.param(TRADE, "investment", True, id="object-of-invest"),
        pytest.param(TRADE, "agreement", False, id="relative-clause-is-not-the-agreement"),
        pytest.param(TRADE, "trade_measure", False, id="conjoined-verb-is-not-the-tariff"),
        pytest.param(UNLIKE, "agreement", False, id="prepositional-aside"),
        pytest.param(PACKAGE, "investment", True, id="modifier-of-package"),
        pytest.param(PROVIDES, "agreement", True, id="subject-and-object-of-one-verb"),
    ],
)
def test_amount_tied_to_trigger_only_through_its_clause(sentence, etype, expected):
    assert _tied(sentence, etype) is expected


def test_without_a_parse_clause_boundaries_decide(monkeypatch):
    import pipeline.facts.amounts as amounts

    monkeypatch.setattr(amounts, "_parse", lambda sentence: None)
    (amount,) = find_amounts(TRADE)
    span = (amount.start, amount.end)
    agreement = TRADE.index("agreement")
    invest = TRADE.index("invest ")
    assert not amount_tied(TRADE, (agreement, agreement + 9), span)
    assert amount_tied(TRADE, (invest, invest + 6), span)


def test_extract_keeps_the_figure_on_the_investment_not_the_agreement_or_tariff():
    from pipeline.facts.document import extract

    doc = extract("", TRADE, None)
    with_figure = {ev.type for ev in doc.events if ev.amount is not None}
    assert "agreement" not in with_figure
    assert "trade_measure" not in with_figure
