"""Alert content: feed text made inert, only http(s) links, one message per story with a stable key."""

from __future__ import annotations

import json
from datetime import date

import pytest

from pipeline.alerts import content, wording


def hostile_alert(**changes) -> content.Alert:
    values = {"story_cluster_id": "c1", "topic": "us_japan", "score": 0.91,
              "title": "<script>alert(1)</script> [click](http://evil.test) & @everyone <!channel>",
              "source": "evil.test", "url": "https://news.test/a?x=1&y=<2>", "published": "2025-10-28 09:30 UTC",
              "evidence": ("See <img src=x onerror=alert(1)> at www.evil.test",), "facts": ("$5 billion (expected)",),
              "terms": ("rare earths",)}
    return content.Alert(**{**values, **changes})


def test_feed_text_arrives_inert_in_text_and_escaped_in_html():
    alert = hostile_alert()
    text, body = alert.text(), alert.html()
    for rendered in (text, body):
        assert "<script" not in rendered and "<img" not in rendered and "<!channel" not in rendered
        assert "[click](" not in rendered and "http://evil" not in rendered and "@everyone" not in rendered
        assert "www.evil" not in rendered
    assert text.splitlines()[0] == "‹script›alert(1)‹/script› ⁅click⁆(hxxp://evil.test) & ＠everyone ‹!channel›"
    assert "&amp; ＠everyone" in body and '<a href="https://news.test/a?x=1&amp;y=%3C2%3E">' in body
    assert "evidence: “See ‹img src=x onerror=alert(1)› at www[.]evil.test”" in text
    assert "https://news.test/a?x=1&y=%3C2%3E" in text


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<b>x</b>", "", "//no-scheme.test/a"])
def test_only_http_links_are_links(url):
    alert = hostile_alert(url=url)
    assert "<a href" not in alert.html() and alert.text().splitlines()[-1] == "link unavailable"


def test_a_story_matching_both_topics_is_one_message_with_a_stable_key():
    us = content.Item(hostile_alert(title="Deal"))
    re_ = content.Item(hostile_alert(title="Deal", topic="rare_earths", score=0.7))
    message = content.Message("r", "immediate", (us, re_), content.message_key("r", "immediate", [us, re_]))
    assert message.title() == "newswatch [us_japan, rare_earths] Deal"
    assert "us_japan 0.91, rare_earths 0.70" in message.text() and message.key in message.text()
    assert message.text().count("Deal") == 1
    assert content.message_key("r", "immediate", [re_, us]) == message.key
    assert content.message_key("other", "immediate", [us, re_]) != message.key
    assert content.message_key("r", "immediate", [content.Item(us.alert, "update", ("x",))]) != message.key


def stored(*sentences: tuple[str, str, list[str]]) -> str:
    return json.dumps([{"text": text, "start": 0, "end": len(text), "field": field, "terms": terms}
                       for text, field, terms in sentences])


def row(evidence: str, facts=(), source="Pacific Ledger", from_summary=False, score=0.9, cluster="c1", title="T"):
    return (cluster, "us_japan", score, title, source, "https://news.test/a", None, None, evidence, list(facts),
            from_summary)


def test_why_it_matched_is_in_words_from_the_rule_and_the_sentence_not_the_rule_name():
    evidence = stored(("Japan and the United States agree tariff cut", "title", ["us+japan +context (actors:0.6)"]),
                      ("Tokyo pledged $550 billion to the White House fund.", "text",
                       ["$550 billion", "us+japan (actors:0.6)"]))
    alert = content.alert_from_row(row(evidence))
    # The actors and relations words as the sentences write them, then the plain terms.
    assert alert.why == ("mentions United States and Japan in the headline; mentions White House and Tokyo in the "
                         "text; agree, tariff, $550 billion")
    text = alert.text()
    assert "why it matched: mentions United States and Japan in the headline" in text
    assert "us+japan" not in text and "actors:" not in text and "+context" not in alert.html()


def test_a_label_that_is_no_rule_is_shown_as_the_term_it_is():
    # A learned model's top words, or a plain topic term: the reader's own words already.
    alert = content.alert_from_row(row(stored(("Prices of rare earths rose.", "text", ["rare earths", "export ban"]))))
    assert alert.why == "rare earths, export ban"


def test_evidence_sentences_are_whole_and_a_long_one_is_cut_at_a_word():
    short = "The ministers signed the framework in Tokyo."
    long = "The framework covers " + "mining and processing of critical minerals, " * 12 + "and recycling."
    alert = content.alert_from_row(row(stored((short, "text", ["framework"]), (long, "text", ["mining"]))))
    assert alert.evidence[0] == short
    cut = alert.evidence[1]
    assert cut.endswith(" …") and len(cut) <= content.EVIDENCE_CHARS
    assert long.startswith(cut.removesuffix(" …")) and long[len(cut) - 2] == " "  # cut between two words
    assert f"evidence: “{cut}”" in alert.text()


def fact(key, subject, **fields):
    return {"key": key, "subject": subject, "event_type": "investment", "status": "announced", "event_date": None,
            "amount_value": None, "amount_currency": None, "due_date": None, **fields}


def test_key_facts_are_clauses_from_the_facts_fields_and_fragments_are_dropped():
    facts = [fact("f1", "$15 billion to produce electronic components", amount_value=15e9, amount_currency="USD"),
             fact("f2", "defense budget increase", event_type="defense", status="planned",
                  event_date=date(2026, 4, 1)),
             fact("f3", "summit with Xi", event_type="meeting", status="planned", event_date=date(2025, 10, 29),
                  due_date=date(2025, 10, 29)),
             fact("f4", "investment package", status="expected", amount_value=5.5e11, amount_currency="USD"),
             fact("f5", "met with what was later termed the", event_type="meeting", status="happened"),
             fact("f6", "which prohibited the Proposed Transaction", event_type="trade_measure"),
             fact("f7", "Investment Agreement announced in February (2026", event_type="agreement")]
    alert = content.alert_from_row(row(stored(("x", "text", ["x"])), facts))
    assert set(alert.facts) == {
        "$15 billion to produce electronic components: investment announced",
        "Defense budget increase: defense planned on 2026-04-01",
        "Summit with Xi: meeting planned, due 2025-10-29",
        "Investment package: investment expected, 550 billion USD"}
    assert {key for key, _ in alert.fact_index} == {"f1", "f2", "f3", "f4"}
    assert "(happened)" not in alert.text() and "termed the" not in alert.text()


def test_the_source_is_the_publication_with_the_host_as_fallback():
    assert content.alert_from_row(row("[]", source="The White House")).text().splitlines()[1].startswith(
        "The White House · ")
    assert content.alert_from_row(row("[]", source=None)).source == "news.test"


def test_an_alert_built_from_the_feed_summary_says_so():
    alert = content.alert_from_row(row("[]", from_summary=True))
    assert f"note: {content.FROM_SUMMARY}" in alert.text() and "page could not be fetched" in alert.html()
    assert "note:" not in content.alert_from_row(row("[]")).text()


def test_a_digest_opens_with_its_headlines_best_scored_first():
    items = [content.Item(content.alert_from_row(row("[]", score=s, cluster=c, title=t)))
             for s, c, t in ((0.55, "c1", "Low story"), (0.97, "c2", "Top story"), (0.8, "c3", "Middle story"))]
    digest = content.new_message("desk", "digest", items)
    text = digest.text()
    assert text.splitlines()[:4] == ["Headlines (3, best first):",
                                     "1. Top story (Pacific Ledger; us_japan 0.97)",
                                     "2. Middle story (Pacific Ledger; us_japan 0.80)",
                                     "3. Low story (Pacific Ledger; us_japan 0.55)"]
    assert text.index("\nTop story\n") < text.index("\nMiddle story\n") < text.index("\nLow story\n")
    assert digest.html().index("<ol><li>Top story") < digest.html().index("<h3>")
    assert "Headlines" not in content.new_message("desk", "immediate", items[:1]).text()


def test_why_it_matched_names_a_word_once_whatever_its_inflection():
    evidence = stored(("Japan and the United States agree tariff cut", "title", ["us+japan +context (actors:0.6)"]),
                      ("New tariffs hit Japanese carmakers.", "text", ["tariffs", "Japanese", "carmakers"]))
    why = content.alert_from_row(row(evidence)).why
    # "tariffs" is the headline's "tariff"; "Japanese" names Japan, which the reason already mentions.
    assert why.count("tariff") == 1 and "Japanese" not in why and "carmakers" in why
    assert wording.same_word("policy", "policies") and wording.same_word("China", "Chinese")
    assert not wording.same_word("trade", "Trump") and not wording.same_word("rare", "rate")
