"""HTML bytes -> text (``pipeline.extract.html``) and text -> facts (``pipeline.facts.document``), issue 16 part 9.

The property: neither raises anything but the project's own errors, each ends within a wall-clock
budget, and every span facts return indexes the text it was given (so evidence can be shown).
"""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from pipeline.classify.config import load_topics
from pipeline.classify.score import classify
from pipeline.errors import PipelineError
from pipeline.extract.html import extract_html
from pipeline.facts.document import extract
from pipeline.text import mask_markup, split_sentences
from tests.fuzz.conftest import examples
from tests.fuzz.shapes import budget, char_refs, hostile_text

# -- HTML -------------------------------------------------------------------------------------------

_TAGS = [
    "div",
    "p",
    "span",
    "article",
    "table",
    "td",
    "li",
    "ul",
    "script",
    "style",
    "noscript",
    "svg",
    "math",
    "template",
    "iframe",
    "a",
    "b",
    "h1",
    "pre",
    "textarea",
    "title",
    "select",
    "option",
]
_SENTENCE = (
    "The port authority said cargo volumes rose {n} percent this quarter, officials told reporters, "
    "and shipping firms welcomed the figures. "
)


@st.composite
def html_documents(draw: st.DrawFn) -> tuple[bytes, str]:
    depth = draw(st.integers(0, 1500))
    tag = draw(st.sampled_from(_TAGS))
    unclosed = draw(st.booleans())
    paragraphs = "".join(
        f"<p>{_SENTENCE.format(n=i)}{draw(hostile_text)}</p>" for i in range(draw(st.integers(0, 12)))
    )
    body = (f"<{tag}>" * depth) + paragraphs + ("" if unclosed else f"</{tag}>" * depth)
    head = draw(
        st.sampled_from(
            [
                "",
                '<meta charset="utf-8">',
                '<meta charset="utf-16">',
                '<meta charset="x-bogus">',
                '<meta charset="shift_jis">',
                '<meta http-equiv="Content-Type" content="text/html; charset=iso-2022-jp">',
                '<?xml version="1.0" encoding="utf-32"?>',
                '<link rel="canonical" href="http://[::1">',
                '<link rel=canonical href="//:99999/">',
                '<meta property="article:published_time" content="99999-99-99T99:99">',
            ]
        )
    )
    doc = (
        f"<!doctype html><html><head>{head}<title>{draw(hostile_text)}</title></head>"
        f"<body>{body}{draw(char_refs)}</body></html>"
    )
    encoding = draw(st.sampled_from(["utf-8", "utf-16", "latin-1", "cp932", "utf-32"]))
    raw = doc.encode(encoding, errors="surrogatepass" if encoding.startswith("utf") else "replace")
    if draw(st.booleans()):
        raw = raw[: draw(st.integers(0, len(raw)))]
    content_type = draw(
        st.sampled_from(
            [
                "",
                "text/html",
                "text/html; charset=utf-8",
                "text/html; charset=bogus",
                "text/html; charset=utf-16",
                "application/xhtml+xml",
            ]
        )
    )
    return raw, content_type


def _html(body: bytes, content_type: str) -> None:
    with budget(15.0, body[:200]):
        try:
            result = extract_html(body, "http://news.test/a.html", content_type)
        except PipelineError as exc:
            event(f"raised {type(exc).__name__}")
            return
    event("text" if result else "no text")
    if result is not None:
        result.text.encode("utf-8", "surrogatepass")
        assert result.text.strip()


@settings(max_examples=examples(40))
@given(html_documents())
@example(
    (b'<html><head><link rel="canonical" href="http://[::1"></head><body><p>Text.</p></body></html>', "")
)
def test_a_hostile_page_gives_text_or_none_within_budget(case: tuple[bytes, str]) -> None:
    _html(*case)


@settings(max_examples=examples(60))
@given(
    st.binary(max_size=6000), st.sampled_from(["", "text/html; charset=utf-16", "text/html; charset=utf-8"])
)
def test_random_bytes_as_a_page_give_text_or_none(body: bytes, content_type: str) -> None:
    _html(body, content_type)


# -- facts ------------------------------------------------------------------------------------------

_NAMES = [
    "Japan",
    "China",
    "the United States",
    "Toyota Motor",
    "Lynas Rare Earths",
    "the Ministry of Economy",
    "Prime Minister Shigeru Ishiba",
    "Xi Jinping",
    "Reuters",
    "JOGMEC",
    "Mr. Tanaka",
    "Sojitz",
    "Beijing",
]
_VERBS = [
    "said",
    "agreed to buy",
    "will invest",
    "signed a deal with",
    "plans to build",
    "denied",
    "told",
    "announced",
    "may acquire",
    "pledged",
    "imposed export controls on",
    "cut",
    "raised",
]
_AMOUNTS = st.one_of(
    st.sampled_from(
        [
            "$1.2 billion",
            "¥500 million",
            "US$3bn",
            "€40m",
            "1,000 yen",
            "$",
            "¥",
            "5.5%",
            "3 percent",
            "Rs 2,00,000 crore",
            "0.0000001 dollars",
            "-$7",
            "$1,2,3,4",
        ]
    ),
    st.integers(1, 600).map(lambda n: "$" + ",".join(["999"] * n)),  # a long digit and comma run
    st.integers(1, 3000).map(lambda n: "1" * n),
    st.integers(1, 1000).map(lambda n: "1," * n + " billion"),
    st.integers(1, 1000).map(lambda n: "1." * n + "5%"),
)
_DATES = st.sampled_from(
    [
        "on Monday",
        "last week",
        "March 3, 2025",
        "3/4/2025",
        "2025-13-45",
        "in 99999",
        "on Feb. 30",
        "next year",
        "yesterday",
        "31 December 1899",
    ]
)
_QUOTES = st.sampled_from(['"', "“", "”", "「", "」", "‘", "'", "«", "»"])


@st.composite
def clauses(draw: st.DrawFn) -> str:
    parts = [draw(st.sampled_from(_NAMES)), draw(st.sampled_from(_VERBS))]
    for _ in range(draw(st.integers(0, 4))):
        parts.append(
            draw(
                st.one_of(
                    st.sampled_from(_NAMES),
                    _AMOUNTS,
                    _DATES,
                    _QUOTES,
                    hostile_text,
                    st.sampled_from(["rare earths", "magnets", "gallium", "and", ",", ";", "\n\n"]),
                )
            )
        )
    if draw(st.booleans()):
        q = draw(_QUOTES)
        parts.insert(0, f"{q}{draw(hostile_text)} {draw(st.sampled_from(_VERBS))}{draw(_QUOTES)}")
    return " ".join(parts) + draw(st.sampled_from([".", "", "?", "!", "...", "。"]))


texts = st.lists(clauses(), max_size=25).map(" ".join)


def _facts(title: str, text: str, published: dt.date | None) -> None:
    with budget(20.0, text[:300]):
        try:
            facts = extract(title, text, published)
        except PipelineError as exc:
            event(f"raised {type(exc).__name__}")
            return
    event(f"{min(len(facts.events), 3)}+ events")
    for span in (*facts.entities, *facts.amounts, *facts.quotes):
        assert 0 <= span.start <= span.end <= len(text) and text[span.start : span.end] == span.text, span
    for ev in facts.events:
        assert text[ev.evidence_start : ev.evidence_end] == ev.evidence_text, ev
    json.dumps(facts.to_json("doc"), allow_nan=False)


@settings(max_examples=examples(40))
@given(
    title=hostile_text,
    text=texts,
    published=st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1))),
)
def test_facts_of_hostile_text_end_within_budget_with_spans_that_index_it(
    title: str, text: str, published: dt.date | None
) -> None:
    _facts(title, text, published)


@settings(max_examples=examples(10))
@example("$" + ",".join(["999"] * 120))  # found by the fuzz set: an amount of inf
@example(",".join(["123"] * 40_000))  # found by the hostile site: quadratic percent pattern
@given(
    st.lists(
        st.one_of(_AMOUNTS, st.sampled_from([" ", ",", ", ", " and ", "."])), min_size=20, max_size=80
    ).map("".join)
)
def test_facts_of_long_digit_and_comma_runs_end_within_budget(text: str) -> None:
    _facts("Figures", text, None)


# -- sentences --------------------------------------------------------------------------------------

_ABBREVIATION_RUNS = st.tuples(
    st.sampled_from(["U.S.", "U.S. ", "A.", "e.g.", "Mr. ", "ABC. ", "U.S.A.", "J. ", "FOO BAR: ", ". "]),
    st.integers(1, 20_000),
).map(lambda piece_n: piece_n[0] * piece_n[1])


@settings(max_examples=examples(30))
@example("U.S." * 40_000)  # quadratic before the abbreviation look-back was bounded (about 13 s at 8,000)
@example("U.S. TRADE " * 20_000)  # a long capitalised run without a colon, for the heading-label pattern
@given(st.lists(st.one_of(_ABBREVIATION_RUNS, hostile_text, texts), min_size=1, max_size=4).map(" ".join))
def test_sentence_split_is_linear_in_runs_of_abbreviations(text: str) -> None:
    masked = mask_markup(text)
    # About 0.5 s for 160,000 characters on an idle core; the bound is per character, so it holds at any size.
    with budget(1.0 + len(masked) / 20_000, text[:100]):
        sentences = split_sentences(masked)
    previous = 0
    for sentence in sentences:
        assert previous <= sentence.start < sentence.end <= len(masked), sentence
        previous = sentence.end


# -- topic scores -----------------------------------------------------------------------------------

_TOPIC_WORDS = st.sampled_from(
    [
        "U.S.-Japan",
        "Japan",
        "the United States",
        "Tokyo",
        "Washington",
        "rare earths",
        "lithium",
        "supply chain",
        "tariff",
        "summit",
        "日米",
        "レアアース",
        "China",
        "G7",
        "alliance",
        "magnets",
        "U.S.",
        "said",
        "\n\n",
        "- ",
        ": ",
    ]
)
_TOPIC_TEXT = st.lists(st.one_of(_TOPIC_WORDS, hostile_text, _ABBREVIATION_RUNS), max_size=60).map(" ".join)


@settings(max_examples=examples(40))
@example("U.S. Japan " * 20_000, "U.S.-Japan")
@given(text=st.one_of(_TOPIC_TEXT, texts), title=hostile_text)
def test_topic_scores_of_hostile_text_are_bounded_and_end_within_budget(text: str, title: str) -> None:
    topics = load_topics()
    with budget(2.0 + len(text) / 20_000, text[:200]):
        results = classify(title, text, topics)
    assert set(results) == set(topics.names)
    for result in results.values():
        assert 0.0 <= result.score <= 1.0, result
        assert result.relevant in (True, False)
        for evidence in result.evidence:
            json.dumps(repr(evidence))
