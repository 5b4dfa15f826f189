"""The run summary: one score column per configured topic, the best body evidence, the facts."""

from __future__ import annotations

import json

from pipeline import settings
from pipeline.views import summary


def test_why_prefers_the_body_sentence_and_names_its_terms():
    stored = json.dumps([{"text": "Headline", "field": "title", "terms": ["a"]},
                         {"text": "Body  sentence\nhere", "field": "text", "terms": ["b", "c"]}])
    assert summary.why(stored) == "Body sentence here [b, c]"
    assert summary.why(json.dumps([{"text": "Only the headline", "field": "title"}])) == "Only the headline"
    assert summary.why("x" * 20, width=8) == "xxxxxxx…"
    assert summary.why(None) == ""


def test_the_stories_table_has_one_column_per_topic_of_the_config(loaded):
    found = summary.read()
    assert found is not None and found.snapshot_path == settings.load().snapshot_path
    assert found.stories.columns == ["title", "published", "source", "us_japan", "rare_earths", "evidence"]
    (row,) = found.stories.rows
    assert row[3:] == ("0.91 ✓", "0.62 ✓", "Tokyo and Washington signed a framework on rare earths. [rare earths]")
    assert found.facts.columns[0] == "event_type" and found.facts.rows[0][0] == "meeting"
    assert sorted((a[0], a[1]) for a in found.alerts.rows) == [("rare_earths", 0.62), ("us_japan", 0.91)]


def test_a_topic_name_is_a_quoted_column_and_a_parameter():
    sql = summary.stories_sql(["us_japan", 'odd "name'])
    assert 'as "us_japan"' in sql and 'as "odd ""name"' in sql and sql.count("c.topic = ?") == 2


def test_nothing_loaded_gives_none():
    assert summary.read() is None
