"""The evidence decoder: the stored JSON, a decoded list, and values that are not JSON."""

from __future__ import annotations

import json

import pytest

from pipeline.views import evidence
from pipeline.views.evidence import Sentence

STORED = [{"text": "Japan and US sign deal", "start": 0, "end": 22, "field": "title", "terms": ["japan", "us"]},
          {"text": "The  minerals\nframework was signed.", "start": 0, "end": 34, "field": "text", "terms": []}]


@pytest.mark.parametrize(("raw", "sentences"), [
    pytest.param(json.dumps(STORED), [Sentence("Japan and US sign deal", ("japan", "us"), "title"),
                                      Sentence("The  minerals\nframework was signed.", (), "text")], id="json"),
    pytest.param(STORED[:1], [Sentence("Japan and US sign deal", ("japan", "us"), "title")], id="decoded-list"),
    pytest.param({"text": "one", "terms": ["t"]}, [Sentence("one", ("t",), None)], id="one-mapping"),
    pytest.param("not json [", [Sentence("not json [")], id="not-json"),
    pytest.param('["plain sentence"]', [Sentence("plain sentence")], id="list-of-strings"),
    pytest.param(None, [], id="none"),
    pytest.param("", [], id="empty"),
])
def test_decode_gives_the_stored_sentences_in_order(raw, sentences):
    assert evidence.decode(raw) == sentences


def test_from_text_keeps_the_body_sentences():
    assert [s.text for s in evidence.from_text(evidence.decode(json.dumps(STORED)))] == [STORED[1]["text"]]


def test_one_line_joins_whitespace_and_cuts_with_an_ellipsis():
    assert evidence.one_line(" a \n b ", 10) == "a b"
    assert evidence.one_line("abcdefghij", 5) == "abcd…"
