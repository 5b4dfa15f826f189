"""Scale words and currency names of money amounts: data only, read by ``pipeline.facts.amounts``.

Scale words multiply the number before them ("5 bln", "2 crore"); currency symbols and codes are written
before the number ("US$", "¥"), currency words after it ("yen", "dlrs"), and the Japanese forms after a
number with 兆/億/万/千 units. Every currency maps to its ISO 4217 code. Adding a form here changes
extraction: rerun ``newswatch eval facts``.
"""

from __future__ import annotations

import re

# Scale words, grouped by the factor they multiply by.
SCALE_WORDS: dict[float, str] = {
    1e3: "thousand k",
    1e5: "lakh",
    1e6: "million mln mn m mil millions",
    1e7: "crore crores",
    1e9: "billion bln bn b billions",
    1e12: "trillion tln trn tn trillions",
}
SCALES: dict[str, float] = {word: factor for factor, words in SCALE_WORDS.items() for word in words.split()}
# Symbols and codes written before the number, longest first so "US$" wins over "$".
PREFIX_CURRENCIES = {
    "US$": "USD",
    "U.S.$": "USD",
    "USD": "USD",
    "A$": "AUD",
    "AU$": "AUD",
    "AUD": "AUD",
    "C$": "CAD",
    "CA$": "CAD",
    "CAD": "CAD",
    "HK$": "HKD",
    "NZ$": "NZD",
    "S$": "SGD",
    "NT$": "TWD",
    "R$": "BRL",
    "$": "USD",
    "¥": "JPY",
    "￥": "JPY",
    "JP¥": "JPY",
    "JPY": "JPY",
    "CN¥": "CNY",
    "RMB": "CNY",
    "CNY": "CNY",
    "€": "EUR",
    "EUR": "EUR",
    "£": "GBP",
    "GBP": "GBP",
    "₩": "KRW",
    "KRW": "KRW",
    "₹": "INR",
    "Rs.": "INR",
    "Rs": "INR",
    "INR": "INR",
    "CHF": "CHF",
}
# Words written after the number.
SUFFIX_CURRENCIES = {
    "australian dollars": "AUD",
    "australian dollar": "AUD",
    "aust dlrs": "AUD",
    "canadian dollars": "CAD",
    "canadian dollar": "CAD",
    "canadian dlrs": "CAD",
    "hong kong dollars": "HKD",
    "singapore dollars": "SGD",
    "taiwan dollars": "TWD",
    "new taiwan dollars": "TWD",
    "new zealand dollars": "NZD",
    "u.s. dollars": "USD",
    "us dollars": "USD",
    "u.s. dlrs": "USD",
    "dollars": "USD",
    "dollar": "USD",
    "dlrs": "USD",
    "dlr": "USD",
    "usd": "USD",
    "yen": "JPY",
    "jpy": "JPY",
    "yuan": "CNY",
    "renminbi": "CNY",
    "rmb": "CNY",
    "cny": "CNY",
    "euros": "EUR",
    "euro": "EUR",
    "eur": "EUR",
    "pounds sterling": "GBP",
    "pounds": "GBP",
    "stg": "GBP",
    "sterling": "GBP",
    "gbp": "GBP",
    "won": "KRW",
    "krw": "KRW",
    "rupees": "INR",
    "swiss francs": "CHF",
    "francs": "FRF",
    "marks": "DEM",
    "german marks": "DEM",
    "d-marks": "DEM",
    "guilders": "NLG",
    "lire": "ITL",
    "aud": "AUD",
    "cad": "CAD",
}
JA_CURRENCIES = {"円": "JPY", "ドル": "USD", "米ドル": "USD", "ユーロ": "EUR", "元": "CNY", "ウォン": "KRW"}
JA_UNITS = {"兆": 1e12, "億": 1e8, "万": 1e4, "千": 1e3}

# Which event an amount belongs to (``pipeline.facts.amounts.amount_tied``). Dependency labels (spaCy's English
# scheme) whose arc leaves a clause: an amount below one is not an argument of a trigger above it.
CLAUSE_DEPS = frozenset({"relcl", "advcl", "ccomp", "csubj", "parataxis", "acl:relcl"})
# Without a parse: a semicolon, a relative pronoun after a comma, or "and"/"while" before a verb phrase ends
# the clause; and a figure more than this many characters from the trigger is not its argument.
CLAUSE_BREAK = re.compile(
    r";|,\s*(?:which|who|whom|whose|where|while|in\s+which|under\s+which|of\s+which)\b"
    r"|\b(?:and|while|but)\s+(?:(?:will|would|to|also)\s+)?(?:pay|accept|impose|agree|sign|raise|cut|lower)\w*\b",
    re.I,
)
CLAUSE_REACH = 80
# A trigger and an amount that are both arguments of one verb are tied only when the trigger is its subject or
# object ("the agreement provides $15 billion"), not a prepositional phrase ("unlike any other agreement, Japan
# agreed to invest $550 billion").
CORE_ARGUMENTS = frozenset({"nsubj", "nsubjpass", "dobj", "attr", "csubjpass"})

# Part amounts (``pipeline.facts.amounts.part_amounts``): a figure that is a slice of a larger one ("the first
# tranche ... worth $36 billion", "$5 billion of the $550 billion", "of which $2 billion"). Such a figure is not
# a commitment of its own; totals leave it out. Cues before the figure, in its clause:
PART_BEFORE = re.compile(
    r"\b(?:tranches?|instal(?:l)?ments?)\b[^;]{0,180}$|\b(?:of\s+which|out\s+of\s+which)\s+(?:about\s+|some\s+|up\s+to\s+)?$",
    re.I,
)
# ... and right after it: "$5 billion of the $550 billion", "$36 billion, part of the", "$2 billion out of".
PART_AFTER = re.compile(
    r"^[\s,]{0,3}(?:(?:as\s+)?(?:a\s+|the\s+)?(?:first\s+|second\s+|third\s+|next\s+)?"
    r"(?:part|share|portion|slice|tranche|instal(?:l)?ment)\s+of\b|out\s+of\b|of\s+(?:the|that|its|their)\s+(?=\S*\d))",
    re.I,
)
# "under the agreement": a part only when the document holds a larger figure in the same currency.
UNDER_WHOLE = re.compile(
    r"\bunder\s+the\s+(?:agreement|deal|framework|package|arrangement|commitment)\b", re.I
)
UNDER_REACH = 80  # chars between the figure and "under the agreement"
