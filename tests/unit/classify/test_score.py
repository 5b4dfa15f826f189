"""Tests for pipeline.classify.score: crafted inputs for the known traps, evidence spans and the JSON shape."""

from __future__ import annotations

import json

import pytest

from pipeline.classify.config import Topics, load_topics
from pipeline.classify.score import Evidence, TopicResult, classify, result_to_json
from pipeline.extract.html import extract_html

SUMMIT_TITLE = "Trump and Takaichi sign critical minerals pact at Tokyo summit"
SUMMIT_TEXT = (
    "U.S. President Donald Trump and Japanese Prime Minister Sanae Takaichi signed a framework on rare earths "
    "and critical minerals on Tuesday. Japan is also preparing a $550 billion investment package for the "
    "United States, officials said."
)


@pytest.fixture(scope="module")
def topics() -> Topics:
    return load_topics()


# ------------------------------------------------------------------------------------------------------
# Relevance on crafted inputs


def test_results_are_keyed_by_topic_in_config_order(topics: Topics) -> None:
    results = classify(SUMMIT_TITLE, SUMMIT_TEXT, topics)
    assert list(results) == ["us_japan", "rare_earths"]
    assert all(isinstance(r, TopicResult) and r.topic == name for name, r in results.items())


def test_summit_sentence_is_relevant_to_both_topics(topics: Topics) -> None:
    results = classify(SUMMIT_TITLE, SUMMIT_TEXT, topics)
    assert results["us_japan"].relevant
    assert results["rare_earths"].relevant
    assert results["us_japan"].score > 0.8
    assert results["rare_earths"].score > 0.8


@pytest.mark.parametrize(
    ("title", "text", "topic"),
    [
        pytest.param(
            "Senator pays a rare visit to flooded towns",
            "The senator made a rare visit on Monday, a rare opportunity for residents to be heard.",
            "rare_earths",
            id="rare-visit-is-not-rare-earths",
        ),
        pytest.param(
            "Stocks climb in Tokyo and New York",
            "Shares rose in Tokyo and New York on Friday as the Nikkei gained 1% and U.S. stocks rallied on "
            "strong earnings from Japanese and American chipmakers.",
            "us_japan",
            id="market-wrap-tokyo-new-york-is-not-us-japan",
        ),
        pytest.param(
            "Japan protests to China over coast guard ships near disputed islands",
            "Tokyo lodged a protest with Beijing after Chinese coast guard vessels entered waters around the "
            "Senkaku Islands, Japan's foreign ministry said. China rejected the protest.",
            "us_japan",
            id="japan-china-dispute-is-not-us-japan",
        ),
        pytest.param(
            "Copper miner lifts output at its Chilean mine",
            "The company said copper production at the mine rose 5% in the quarter as prices climbed.",
            "rare_earths",
            id="copper-mine-is-not-rare-earths",
        ),
        pytest.param(
            "Cargo ship carrying lithium-ion batteries catches fire",
            "A fire broke out on a ship carrying lithium-ion batteries, the coast guard said.",
            "rare_earths",
            id="lithium-ion-battery-fire-is-not-minerals-supply",
        ),
        pytest.param(
            "American skater beats Japan's champion to win Olympic gold",
            "The American won the Olympic final ahead of two Japanese rivals.",
            "us_japan",
            id="two-nationalities-in-sport-are-not-relations",
        ),
        pytest.param(
            "Leaders gather for G7 summit",
            "Leaders of the United States, Japan, Germany, France, Britain, Italy and Canada met at the G7 "
            "summit, where they discussed the global economy.",
            "us_japan",
            id="g7-member-list-is-not-bilateral",
        ),
    ],
)
def test_known_traps_are_not_relevant(topics: Topics, title: str, text: str, topic: str) -> None:
    assert not classify(title, text, topics)[topic].relevant


@pytest.mark.parametrize(
    ("title", "text", "topic"),
    [
        pytest.param("日米首脳会談 関税と投資で協議", "", "us_japan", id="japanese-title-nichibei-summit"),
        pytest.param(
            "政府 レアアースの調達先を多角化へ",
            "政府は重要鉱物の供給網を強化する方針です。",
            "rare_earths",
            id="japanese-rare-earths-and-critical-minerals",
        ),
        pytest.param(
            "Okinawa rejects court order on U.S. base relocation plan",
            "",
            "us_japan",
            id="us-base-in-okinawa",
        ),
        pytest.param(
            "Pentagon seeks gallium supply after China curbs exports",
            "",
            "rare_earths",
            id="framed-mineral-with-export-curbs",
        ),
    ],
)
def test_on_topic_items_are_relevant(topics: Topics, title: str, text: str, topic: str) -> None:
    # The rules' terms find these. The learned model scores the Japanese summit headline just under its
    # threshold (few Japanese labelled items): a known weakness, docs/CLASSIFY.md.
    assert classify(title, text, topics, use_model=False)[topic].relevant
    assert classify(title, text, topics)[topic].evidence


def test_lithium_needs_supply_framing(topics: Topics) -> None:
    plain = classify("Lithium producer reports higher quarterly profit", "", topics)["rare_earths"]
    framed = classify("Lithium supply chain deal aims to cut reliance on China", "", topics)["rare_earths"]
    assert not plain.relevant
    assert framed.relevant


@pytest.mark.parametrize(
    ("title", "topic"),
    [
        pytest.param("U.S. and Japan agree on auto tariff deal", "us_japan", id="us-japan-title"),
        pytest.param("China tightens rare earth export controls", "rare_earths", id="rare-earths-title"),
    ],
)
def test_empty_text_with_on_topic_title_still_classifies(topics: Topics, title: str, topic: str) -> None:
    result = classify(title, "", topics)[topic]
    assert result.relevant
    assert result.evidence[0].field == "title"
    assert result.evidence[0].text == title


def test_empty_title_and_text_score_zero(topics: Topics) -> None:
    for result in classify("", "", topics).values():
        assert result == TopicResult(topic=result.topic, score=0.0, relevant=False, evidence=())


def test_passing_mention_deep_in_a_long_text_is_not_relevant(topics: Topics) -> None:
    filler = " ".join(f"The city council debated item {i} of the budget for an hour." for i in range(30))
    text = filler + " One speaker noted that rare earths are used in magnets."
    # A property of the rules' position weights. The learned model calls this story relevant (the fired term
    # "rare earth" weighs wherever it stands): a known weakness, docs/CLASSIFY.md.
    assert not classify("City council passes budget", text, topics, use_model=False)["rare_earths"].relevant


# ------------------------------------------------------------------------------------------------------
# Evidence


@pytest.mark.parametrize(
    ("title", "text"),
    [
        pytest.param(SUMMIT_TITLE, SUMMIT_TEXT, id="summit"),
        pytest.param(
            "  Padded title about rare earths  ",
            "Intro line.\n\nWashington and Tokyo signed a U.S.-Japan pact on critical minerals.\n"
            "    Officials said the\nrare-earth magnets plan would follow.",
            id="padded-and-wrapped",
        ),
        pytest.param(
            "", "日米首脳会談が行われました。両首脳はレアアースの供給網で合意しました。", id="japanese-text"
        ),
    ],
)
def test_evidence_spans_slice_back_to_evidence_text(topics: Topics, title: str, text: str) -> None:
    fields = {"title": title, "text": text}
    results = classify(title, text, topics)
    evidence = [e for r in results.values() for e in r.evidence]
    assert evidence, "expected some evidence"
    for item in evidence:
        assert isinstance(item, Evidence)
        assert fields[item.field][item.start : item.end] == item.text
        assert item.text == item.text.strip()
        assert item.terms


def test_evidence_is_best_first_and_at_most_five(topics: Topics) -> None:
    text = " ".join(f"Rare earth shipment number {i} left the port." for i in range(12))
    result = classify("Rare earth exports rise", text, topics)["rare_earths"]
    assert len(result.evidence) == 5
    assert result.evidence[0].field == "title"
    assert "rare earth" in result.evidence[0].terms


def test_us_abbreviation_does_not_split_the_sentence(topics: Topics) -> None:
    text = "Japan cut chip output to ward off U.S. Trade sanctions over the semiconductor pact."
    evidence = classify("Chipmakers cut output", text, topics)["us_japan"].evidence
    assert any(e.text == text for e in evidence)


def test_result_to_json_shape(topics: Topics) -> None:
    data = result_to_json(classify(SUMMIT_TITLE, SUMMIT_TEXT, topics))
    assert list(data) == ["us_japan", "rare_earths"]
    for value in data.values():
        # The default configuration scores with the rules alone (the learned model is opt-in; its output
        # shape, with "features" and "rule_score", is tested in test_model.py).
        assert set(value) == {"score", "relevant", "evidence"}
        assert isinstance(value["score"], float) and 0.0 <= value["score"] <= 1.0
        assert isinstance(value["relevant"], bool)
        for item in value["evidence"]:
            assert set(item) == {"text", "start", "end", "field", "terms"}
            assert isinstance(item["terms"], list)
    json.dumps(data)  # serialisable as is


# ------------------------------------------------------------------------------------------------------
# The seed story (bundled in the sample site).


def test_seed_story_is_relevant_to_both_topics(topics: Topics) -> None:
    from pipeline import sample_site

    page = sample_site.SITE_DIR / "articles" / "trump-takaichi-summit.html"
    seed = extract_html(page.read_bytes())
    assert seed is not None and seed.title
    results = classify(seed.title, seed.text, topics)
    assert results["us_japan"].relevant and results["rare_earths"].relevant
    for result in results.values():
        for evidence in result.evidence:  # every span points at the sentence it quotes
            source = seed.title if evidence.field == "title" else seed.text
            assert source[evidence.start:evidence.end] == evidence.text
    body = {topic: [e.text for e in r.evidence if e.field == "text"] for topic, r in results.items()}
    # us_japan: the sentence where the two leaders meet; rare_earths: the critical-minerals agreement
    assert any("Donald Trump met Japan" in text and "Takaichi" in text for text in body["us_japan"][:2])
    assert any("agreement on critical minerals and rare earths" in text for text in body["rare_earths"][:3])
