"""Tests for pipeline.facts.amounts: money amounts with their currencies and scales, and percentages."""

from __future__ import annotations

import pytest

from pipeline.facts.amounts import find_amounts, find_percents


@pytest.mark.parametrize(
    ("text", "surface", "value", "currency"),
    [
        pytest.param("The firm raised $5m from investors.", "$5m", 5e6, "USD", id="glued-m-is-million"),
        pytest.param("A 2 crore rupees grant.", "2 crore rupees", 2e7, "INR", id="crore"),
        pytest.param("An HK$3.5 billion bond.", "HK$3.5 billion", 3.5e9, "HKD", id="hong-kong-dollar"),
        pytest.param("A deal worth USD 7 billion.", "USD 7 billion", 7e9, "USD", id="iso-code-prefix"),
        pytest.param("About 7 trillion won in loans.", "7 trillion won", 7e12, "KRW", id="won-with-scale"),
        pytest.param("It costs 40,000 won.", "40,000 won", 40_000, "KRW", id="won-large-count"),
        pytest.param("Exports of 15 mln stg.", "15 mln stg", 15e6, "GBP", id="wire-sterling"),
        pytest.param("総額1兆2000億円の支援", "1兆2000億円", 1.2e12, "JPY", id="japanese-cho-oku"),
    ],
)
def test_an_amount_becomes_a_value_in_currency_units_with_its_iso_code(
    text: str, surface: str, value: float, currency: str
) -> None:
    [amount] = find_amounts(text)
    assert (amount.text, amount.currency) == (surface, currency)
    assert amount.value == pytest.approx(value)
    assert text[amount.start : amount.end] == surface


def test_several_amounts_come_back_in_text_order() -> None:
    amounts = find_amounts("It cost £1.5bn and €300 million.")
    assert [(a.value, a.currency) for a in amounts] == [(1.5e9, "GBP"), (3e8, "EUR")]


@pytest.mark.parametrize(
    ("text", "surface"),
    [
        pytest.param("He spent $5 more on lunch.", "$5", id="m-of-the-next-word-is-no-scale"),
    ],
)
def test_a_scale_letter_must_be_glued_to_the_number(text: str, surface: str) -> None:
    [amount] = find_amounts(text)
    assert (amount.text, amount.value) == (surface, 5.0)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("They won 3 medals.", id="won-the-verb"),
        pytest.param("Japan will buy billions of dollars of equipment.", id="unquantified"),
        pytest.param("Prices are quoted in 2024 dollars.", id="year-price-basis"),
    ],
)
def test_no_amount_without_a_figure_of_money(text: str) -> None:
    assert find_amounts(text) == []


def test_percent_keeps_what_it_is_a_share_of() -> None:
    [pct] = find_percents("Seoul will lift defence outlays to 2.5% of GDP by 2030.")
    assert (pct.value, pct.of, pct.text) == (2.5, "GDP", "2.5% of GDP")


@pytest.mark.parametrize(
    ("text", "surface", "value"),
    [
        pytest.param("GDP rose 3.5 pct in May.", "3.5 pct", 3.5, id="pct"),
        pytest.param("Prices climbed 12 percent.", "12 percent", 12.0, id="percent-word"),
        pytest.param("a two percentage point cut", "two percentage point", 2.0, id="number-word-points"),
    ],
)
def test_percentages_in_their_written_forms(text: str, surface: str, value: float) -> None:
    [pct] = find_percents(text)
    assert (pct.text, pct.value, pct.of) == (surface, value, None)
    assert find_amounts(text) == []  # a share is not money


@pytest.mark.parametrize("text", ["$" + ",".join(["999"] * 120), "$" + "9" * 400 + " billion", "$" + "9" * 300 + " billion",
                                  "9" * 400 + " dollars"])
def test_a_figure_past_the_range_of_a_float_is_no_amount(text: str) -> None:
    """Found by tests/fuzz: such a run gave an amount of inf, which JSON cannot hold."""
    assert [a.value for a in find_amounts(f"The fund said {text} would follow.")] == []


def test_a_percentage_past_the_range_of_a_float_is_none() -> None:
    assert find_percents("Prices rose " + "9" * 400 + "% last year.") == []
