"""Tests for pipeline.facts.document on small crafted sentences (no publisher text)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from pipeline import staging
from pipeline.errors import ConfigError
from pipeline.facts import document
from pipeline.stages import facts as stage_facts
from pipeline.stages import schemas

TUESDAY = dt.date(2025, 10, 28)  # a Tuesday


def run(text: str, published: dt.date | None = TUESDAY, title: str = "") -> document.DocFacts:
    return document.extract(title, text, published)


def names_of(doc: document.DocFacts, etype: str) -> set[str]:
    return {e.name for e in doc.entities if e.type == etype}


def events_of(doc: document.DocFacts, etype: str) -> list[document.Event]:
    return [e for e in doc.events if e.type == etype]


# --- amounts -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "surface", "value", "currency"),
    [
        pytest.param(
            "Tokyo pledged $550 billion on Monday.", "$550 billion", 550e9, "USD", id="dollar-sign-billion"
        ),
        pytest.param("The $550bln package was welcomed.", "$550bln", 550e9, "USD", id="dollar-bln-glued"),
        pytest.param(
            "It is worth 550 billion dollars in all.", "550 billion dollars", 550e9, "USD", id="words-dollars"
        ),
        pytest.param("Tariffs on 300 mln dlrs of goods.", "300 mln dlrs", 300e6, "USD", id="wire-mln-dlrs"),
        pytest.param("A fund of ¥1 trillion was set up.", "¥1 trillion", 1e12, "JPY", id="yen-sign"),
        pytest.param("A fund of 1 trillion yen was set up.", "1 trillion yen", 1e12, "JPY", id="yen-word"),
        pytest.param("They raised US$2.5 bn from banks.", "US$2.5 bn", 2.5e9, "USD", id="us-dollar-bn"),
        pytest.param("The grant is €5 million in total.", "€5 million", 5e6, "EUR", id="euro-million"),
        pytest.param(
            "Canberra offered A$1.2 billion in loans.", "A$1.2 billion", 1.2e9, "AUD", id="australian-dollar"
        ),
        pytest.param(
            "A six billion dlr airport was planned.", "six billion dlr", 6e9, "USD", id="number-word"
        ),
        pytest.param(
            "Spending of 5,000 billion yen is due.",
            "5,000 billion yen",
            5e12,
            "JPY",
            id="thousands-separator",
        ),
        pytest.param("日本は5500億ドルを投資する。", "5500億ドル", 550e9, "USD", id="japanese-oku-dollars"),
    ],
)
def test_amounts_are_normalised(sentence: str, surface: str, value: float, currency: str) -> None:
    doc = run(sentence)
    assert [(a.text, a.currency) for a in doc.amounts] == [(surface, currency)]
    amount = doc.amounts[0]
    assert amount.value == pytest.approx(value)
    assert sentence[amount.start : amount.end] == surface


@pytest.mark.parametrize(
    "sentence",
    [
        pytest.param("Japan will buy billions of dollars of equipment.", id="unquantified"),
        pytest.param("Prices are quoted in 2024 dollars.", id="year-price-basis"),
    ],
)
def test_no_amount_without_a_figure(sentence: str) -> None:
    assert run(sentence).amounts == ()


def test_defense_event_carries_percent_of_gdp() -> None:
    doc = run("Japan plans to raise its defense budget to 2% of GDP within two years.")
    [event] = events_of(doc, "defense")
    assert event.percent == 2.0
    assert event.status == "planned"
    assert "Japan" in event.participants


# --- dates ---------------------------------------------------------------------------------------------------


def test_weekday_direction_follows_tense_of_the_event() -> None:
    doc = run("Lee Jae-myung met Xi Jinping on Monday. Lee will meet Sanae Takaichi on Wednesday.")
    dates = sorted(e.date for e in events_of(doc, "meeting"))
    assert dates == ["2025-10-27", "2025-10-29"]


# --- entities ------------------------------------------------------------------------------------------------


def test_surnames_and_given_names_link_to_the_full_name() -> None:
    text = (
        "Prime Minister Shinzo Abe once hosted the talks. Donald Trump praised Shinzo warmly, "
        "and Takaichi, who met Trump later, quoted Abe."
    )
    doc = run(text)
    by_text = {e.text: e.name for e in doc.entities}
    assert by_text["Shinzo"] == "Shinzo Abe"
    assert by_text["Trump"] == "Donald Trump"
    assert by_text["Takaichi"] == "Sanae Takaichi"
    assert by_text["Abe"] == "Shinzo Abe"


def test_unknown_person_surname_links_within_the_document() -> None:
    doc = run("Trade envoy Mariko Tanabe arrived in Washington. Tanabe said the talks went well.")
    linked = [e for e in doc.entities if e.text == "Tanabe"]
    assert [(e.name, e.type) for e in linked] == [("Mariko Tanabe", "PERSON")]


def test_known_person_is_never_typed_org() -> None:
    # The plain statistical model reads a sentence-initial "Trump" next to "Tokyo" as an organisation.
    text = "Trump lauded Japan's new leader. Trump's push for Tokyo to share more of the burden continued."
    doc = run(text)
    trump = [e for e in doc.entities if e.text.startswith("Trump")]
    assert trump and all((e.name, e.type) == ("Donald Trump", "PERSON") for e in trump)
    assert not any(e.type == "ORG" and "Trump" in e.text for e in doc.entities)


@pytest.mark.parametrize(
    ("sentence", "surface", "name"),
    [
        pytest.param(
            "Washington and Beijing agreed to a truce.",
            "Washington",
            "United States",
            id="capital-as-government",
        ),
        pytest.param(
            "The delegation arrived in Washington on Monday.",
            "Washington",
            "Washington, D.C.",
            id="capital-as-place",
        ),
        pytest.param("Officials urged Tokyo to spend more.", "Tokyo", "Japan", id="tokyo-urged"),
        pytest.param(
            "The U.S. and America are the same country.", "U.S.", "United States", id="us-abbreviation"
        ),
    ],
)
def test_capitals_and_abbreviations_resolve(sentence: str, surface: str, name: str) -> None:
    doc = run(sentence)
    assert {e.name for e in doc.entities if e.text == surface} == {name}


def test_spans_index_the_text_and_markup_is_ignored() -> None:
    text = "[Gov. Mike Dunleavy](https://example.org/x): “We welcome this decision,” he added."
    doc = run(text)
    for entity in doc.entities:
        assert text[entity.start : entity.end] == entity.text
    assert not any("example" in e.name for e in doc.entities)


# --- quotes --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        pytest.param(
            "“We will not back down on tariffs,” Trump said on Tuesday.", "Donald Trump", id="name-after"
        ),
        pytest.param(
            "“The alliance is strong,” said Marco Rubio at the briefing.", "Marco Rubio", id="said-name"
        ),
        pytest.param(
            "Takaichi told reporters: “We are ready to invest.”", "Sanae Takaichi", id="colon-before"
        ),
        pytest.param(
            "“Talks went well,” Takaichi told reporters in Tokyo.", "Sanae Takaichi", id="told-reporters"
        ),
        pytest.param(
            'Scott Bessent met his counterpart. "The deal is close," he said.', "Scott Bessent", id="he-said"
        ),
        pytest.param(
            "In a statement, the White House said the goal was “to secure supply chains.”",
            "White House",
            id="organisation-statement",
        ),
        pytest.param(
            "Xi Jinping met the delegation, with Trump calling the visit “a great success.”",
            "Donald Trump",
            id="participle-before",
        ),
    ],
)
def test_quote_speakers(text: str, speaker: str) -> None:
    [quote] = run(text).quotes
    assert quote.speaker == speaker
    assert text[quote.start : quote.end] == quote.text


def test_she_resolves_to_the_last_named_woman_and_quotes_continue() -> None:
    text = (
        "Sanae Takaichi thanked Donald Trump's team. She also spoke of the future, saying:\n"
        "“We will deepen our cooperation.” “It is a new era.”"
    )
    quotes = run(text).quotes
    assert [q.speaker for q in quotes] == ["Sanae Takaichi", "Sanae Takaichi"]


ORDER = (
    "By the authority vested in me as President by the Constitution and the laws of the United States, "
    "I hereby order that:\n"
    "(a) Section 2 of the earlier order is amended to read as follows:\n"
    "\u201cThe proposed transaction may proceed once the parties sign the agreement.\u201d\n"
    "(b) Treasury Secretary Scott Bessent said the review was \u201cthorough and complete.\u201d\n\n"
    "        DONALD J. TRUMP\n\nTHE WHITE HOUSE,\n    June 13, 2025."
)


def test_text_a_signed_order_introduces_as_follows_is_the_signatorys() -> None:
    quotes = {
        q.text.strip("\u201c\u201d"): q.speaker
        for q in document.extract("Order", ORDER, dt.date(2025, 6, 13)).quotes
    }
    assert (
        quotes["The proposed transaction may proceed once the parties sign the agreement."] == "Donald Trump"
    )
    # a quote that is not introduced "as follows" keeps its own attribution
    assert quotes["thorough and complete."] == "Scott Bessent"


def test_as_follows_without_a_first_person_signature_stays_unattributed() -> None:
    text = ORDER.replace("I hereby order", "The agency orders").replace("vested in me", "vested in it")
    quotes = document.extract("Order", text, dt.date(2025, 6, 13)).quotes
    assert all(q.speaker is None for q in quotes if "proposed transaction" in q.text)


def test_defined_terms_and_titles_are_not_quotes() -> None:
    text = (
        "The United States of America (the “United States”) and Japan (together, the “Participants”) "
        "signed an order titled “Securing Supply Chains” today."
    )
    assert run(text).quotes == ()


# --- events --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "etype", "status"),
    [
        pytest.param(
            "Takaichi is expected to announce a $20 billion investment package.",
            "investment",
            "expected",
            id="is-expected-to",
        ),
        pytest.param(
            "Japan will invest $5 billion in American shipyards.", "investment", "announced", id="will"
        ),
        pytest.param(
            "The ministry plans to build 40 fighter jets by 2030.", "defense", "planned", id="plans-to"
        ),
        pytest.param(
            "Japan and Australia signed a minerals agreement on Monday.", "agreement", "happened", id="signed"
        ),
        pytest.param(
            "The United States and Japan are exploring a new offtake agreement.",
            "agreement",
            "proposed",
            id="exploring",
        ),
        pytest.param(
            "The White House denied plans to impose tariffs on Japanese cars.",
            "trade_measure",
            "denied",
            id="denied",
        ),
        pytest.param(
            "The summit scheduled for Friday between Trump and Lee was cancelled.",
            "meeting",
            "cancelled",
            id="cancelled",
        ),
        pytest.param(
            "Lee Jae-myung will meet Xi Jinping in Gyeongju on Saturday.",
            "meeting",
            "planned",
            id="will-meet",
        ),
    ],
)
def test_event_status_from_tense_and_modality(sentence: str, etype: str, status: str) -> None:
    [event] = events_of(run(sentence), etype)
    assert event.status == status
    assert event.evidence_text == sentence


def test_meeting_event_has_people_and_date() -> None:
    text = (
        "Trump is expected to continue his tour in South Korea on Wednesday, where he will meet Xi Jinping."
    )
    [event] = events_of(run(text), "meeting")
    assert event.status in ("planned", "expected")
    assert event.date == "2025-10-29"
    assert {"Donald Trump", "Xi Jinping"} <= set(event.participants)
    assert "South Korea" not in event.participants  # the venue, not a party


def test_investment_event_carries_its_amount() -> None:
    [event] = events_of(run("Japan will invest $550 billion in the United States."), "investment")
    assert event.amount is not None
    assert (event.amount.value, event.amount.currency) == (550e9, "USD")
    assert {"Japan", "United States"} <= set(event.participants)


def test_back_reference_does_not_start_a_new_event() -> None:
    text = "Trump met Takaichi in Tokyo on Tuesday. During the meeting, the two leaders praised each other."
    assert len(events_of(run(text), "meeting")) == 1


def test_both_nations_means_the_two_main_countries() -> None:
    text = "Japan and the United States met in Tokyo. Both nations agreed to a strategic agreement on rare earths."
    [event] = events_of(run(text), "agreement")
    assert {"Japan", "United States"} <= set(event.participants)


def test_one_event_per_figure_in_a_list_sentence() -> None:
    text = (
        "Up to $30 billion in partnership with Toshiba, and up to $20 billion in collaboration with Hitachi."
    )
    events = events_of(run(text), "investment")
    assert [(e.amount.value if e.amount else None) for e in events] == [30e9, 20e9]
    assert "Toshiba" in events[0].participants and "Hitachi" in events[1].participants


# --- API -----------------------------------------------------------------------------------------------------


def test_to_json_follows_the_contract() -> None:
    doc = run("Japan will invest $5 billion in Texas, Trump said on Tuesday. “Great deal,” he said.")
    data = doc.to_json("doc-1")
    json.dumps(data)
    assert set(data) == {"id", "entities", "amounts", "events", "quotes"}
    assert data["id"] == "doc-1"
    assert set(data["entities"][0]) == {"name", "type", "start", "end"}
    assert set(data["amounts"][0]) == {"value", "currency", "text", "start", "end"}
    event = data["events"][0]
    assert set(event) == {
        "type",
        "status",
        "date",
        "participants",
        "amount",
        "percent",
        "subject",
        "evidence",
    }
    assert set(event["amount"]) == {"value", "currency"}
    assert set(event["evidence"]) == {"text", "start", "end"}
    assert set(data["quotes"][0]) == {"speaker", "text", "start", "end"}


def test_gazetteer_tables() -> None:
    types = document.entity_types()
    aliases = document.entity_aliases()
    assert types["Sanae Takaichi"] == "PERSON"
    assert types["Ministry of Economy, Trade and Industry"] == "ORG"
    assert types["United States"] == "GPE"
    assert "Takaichi" in aliases["Sanae Takaichi"]
    assert "U.S." in aliases["United States"]


def test_empty_text_gives_empty_facts() -> None:
    assert run("   ") == document.DocFacts((), (), (), ())


def test_a_malformed_gazetteer_fails_loudly(tmp_path, monkeypatch) -> None:
    bad = tmp_path / "entities.yaml"
    bad.write_text("organizations:\n  - {name: Ministry of Economy, Trade and Industry}\n", encoding="utf-8")
    monkeypatch.setenv("NEWS_ENTITIES_FILE", str(bad))
    with pytest.raises(ConfigError, match="quote names with commas"):
        document.entity_types()


# --- the stage -----------------------------------------------------------------------------------------------

STAGE_TEXT = (
    "Donald Trump will meet Xi Jinping in Busan on Thursday. Japan will invest $550 billion in the "
    "United States, Takaichi said. “It is a historic day,” she said."
)


def _article(aid: str, text: str) -> dict:
    when = dt.datetime(2025, 10, 28, 9, 0, tzinfo=dt.UTC)
    return {
        "article_id": aid,
        "url": f"http://news.test/{aid}",
        "original_url": None,
        "final_url": None,
        "source_domain": "news.test",
        "feed_url": None,
        "feed_name": None,
        "guid": aid,
        "title": "Summit",
        "author": None,
        "published_at": when,
        "published_source": "feed",
        "language": "en",
        "summary": None,
        "text": text,
        "text_source": "page",
        "text_hash": None,
        "count_words": len(text.split()),
        "is_truncated": False,
        "page_status": "ok",
        "page_attempts": 1,
        "http_status": 200,
        "error_class": None,
        "raw_path": None,
        "seen_at": when,
    }


def _classification(aid: str, relevant: bool) -> dict:
    return {
        "article_id": aid,
        "topic": "us_japan",
        "score": 0.9 if relevant else 0.1,
        "is_relevant": relevant,
        "evidence": "[]",
        "classifier_version": "test",
        "classified_at": dt.datetime(2025, 10, 28, tzinfo=dt.UTC),
    }


def test_extract_facts_stages_rows_for_relevant_articles_only(tmp_path) -> None:
    run = tmp_path / "run-1"
    staging.write_rows(
        staging.stage_file(run, "articles", "000"),
        [_article("a1", STAGE_TEXT), _article("a2", "Donald Trump played golf.")],
        schemas.ARTICLES,
    )
    classified = staging.write_rows(
        staging.stage_file(run, "classifications", "000"),
        [_classification("a1", True), _classification("a2", False)],
        schemas.CLASSIFICATIONS,
    )
    out = stage_facts.extract_facts(classified, staging.stage_file(run, "articles", "000"))
    assert out == staging.stage_file(run, "fact_mentions", "000")
    fact_rows = staging.read_rows(out)
    assert {r["article_id"] for r in fact_rows} == {"a1"}
    meeting = next(r for r in fact_rows if r["event_type"] == "meeting")
    assert meeting["event_date"] == dt.date(2025, 10, 30) and meeting["status"] == "planned"
    mentions = staging.read_rows(staging.stage_file(run, "mentions", "000"))
    trump = next(r for r in mentions if r["name"] == "Donald Trump")
    assert trump["type"] == "PERSON" and trump["entity_id"] == document.entity_id("Donald Trump", "PERSON")
    assert "Trump" in trump["aliases"]
    [quote] = staging.read_rows(staging.stage_file(run, "quotes", "000"))
    assert quote["speaker"] == "Sanae Takaichi" and quote["quote_id"] == f"a1:{quote['start_char']}"
    [amount] = staging.read_rows(staging.stage_file(run, "amounts", "000"))
    assert (amount["value"], amount["currency"]) == (550e9, "USD")
    assert (
        stage_facts.extract_facts(classified, staging.stage_file(run, "articles", "000")) == out
    )  # re-running overwrites the same files
    assert staging.read_rows(out) == fact_rows


def test_the_same_event_reported_twice_gets_one_fact_id() -> None:
    first = run("Donald Trump will meet Xi Jinping in Busan on Thursday.")
    second = run("Xi Jinping and Donald Trump are set to meet on Thursday, China said.", published=TUESDAY)
    [a] = events_of(first, "meeting")
    [b] = events_of(second, "meeting")
    types = {"Donald Trump": "PERSON", "Xi Jinping": "PERSON"}
    assert document.fact_id(a, types) == document.fact_id(b, types)


def test_extract_facts_reads_at_most_news_facts_max_chars_and_counts_the_capped(
    tmp_path, monkeypatch, caplog
) -> None:
    monkeypatch.setenv("NEWS_FACTS_MAX_CHARS", "1000")
    run = tmp_path / "run-1"
    tail = " Japan will invest $9 billion more." + " filler" * 300
    text = STAGE_TEXT.ljust(1000) + tail
    staging.write_rows(staging.stage_file(run, "articles", "000"), [_article("a1", text)], schemas.ARTICLES)
    classified = staging.write_rows(
        staging.stage_file(run, "classifications", "000"),
        [_classification("a1", True)],
        schemas.CLASSIFICATIONS,
    )
    with caplog.at_level("WARNING"):
        stage_facts.extract_facts(classified, staging.stage_file(run, "articles", "000"))
    amounts = staging.read_rows(staging.stage_file(run, "amounts", "000"))
    assert [a["value"] for a in amounts] == [550e9]  # the $9 billion past the cap is not read
    assert staging.read_counts(run)["facts_capped"] == 1
    assert "NEWS_FACTS_MAX_CHARS" in caplog.text
