"""Facts run in time linear in the text (issue 16, case 5): hostile shapes that used to be quadratic.

Each shape is timed at n and 4n characters; linear work takes about 4x as long, quadratic work 16x.
The ratio is asserted below 8, with sizes big enough that the time is not noise. Time is this process's CPU
time, best of two runs at each size, so other processes on a busy machine (CI, helpers) do not count.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from pipeline.facts.document import extract

SHAPES: dict[str, Callable[[int], str]] = {
    # the Japanese-amount pre-check retried every digit of a run to its end
    "digit_commas": lambda n: "1," * (n // 2),
    "nines": lambda n: "9" * n,
    # the percent pattern was retried at every group of "123,123,123..." (found by tests/faults/test_hostile_site.py)
    "digit_groups": lambda n: "123," * (n // 4),
    "nines_then_yen": lambda n: "9" * (n // 2) + "円 5円 " + "9," * (n // 4) + "9円",
    # every amount was checked for overlap against every amount before it
    "many_dollar_amounts": lambda n: "$1 " * (n // 3),
    # inside_quote ran once per verb over every quote; each quote re-read its whole run-on sentence
    "quotes_without_full_stops": lambda n: "“a” said " * (n // 9),
    "quote_marks_and_verbs": lambda n: 'He said "yes" and she said "no". ' * (n // 33),
    # every unnamed speaker and pronoun looked back over every referent before it
    "unnamed_speakers_and_pronouns": lambda n: (
        "The senior official met a ministry spokesman. “We will see about that,” he said. The ministry agreed. "
    )
    * (n // 100),
}


def _seconds(text: str) -> float:
    start = time.process_time()
    extract("Trump", text, None)
    return time.process_time() - start


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_facts_time_grows_linearly(shape: str) -> None:
    make = SHAPES[shape]
    extract("Trump", make(1000), None)  # warm the gazetteer and the compiled patterns
    small = min(_seconds(make(20_000)) for _ in range(2))
    big = min(_seconds(make(80_000)) for _ in range(2))
    assert big < 8 * max(small, 0.01), f"{shape}: {small:.3f}s at 20k chars, {big:.3f}s at 80k"


def test_150kb_on_topic_text_finishes_quickly() -> None:
    paragraph = (
        "President Trump met Prime Minister Sanae Takaichi in Tokyo on Monday. Japan pledged $550 billion "
        "of investment in the United States, and tariffs fell to 15% of the value of imports. "
        "“We have a great deal,” Trump said. Takaichi told reporters the agreement was “historic.”\n\n"
    )
    text = paragraph * (150_000 // len(paragraph))
    assert _seconds(text) < 30
