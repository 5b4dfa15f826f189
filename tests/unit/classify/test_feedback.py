"""Analysts' marks as labelled items shaped like the eval files, and a queued mark's round trip."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from pipeline.classify.feedback import mark_from_json, new_mark, training_items

T0 = datetime(2025, 11, 3, 8, 0, tzinfo=UTC)


def row(aid: str, topic: str, relevant: bool, minutes: int) -> dict:
    return {"article_id": aid, "topic": topic, "is_relevant": relevant, "marked_at": T0 + timedelta(minutes=minutes),
            "title": f"Title {aid}", "text": f"Text {aid}", "language": "en"}


def test_the_latest_mark_wins_whatever_the_order_and_items_look_like_eval_rows():
    rows = [row("b", "us_japan", True, 5), row("a", "rare_earths", True, 1), row("b", "us_japan", False, 2),
            row("b", "rare_earths", False, 0)]
    items = training_items(rows)
    assert items == training_items(list(reversed(rows)))
    assert [i["id"] for i in items] == ["feedback:a", "feedback:b"]
    b = items[1]
    assert b["labels"] == {"rare_earths": 0, "us_japan": 1}
    assert (b["us_japan"], b["rare_earths"], b["title"], b["text"]) == (1, 0, "Title b", "Text b")
    assert "us_japan" not in items[0]  # only the topics it was marked for


def test_a_mark_survives_its_queue_file_and_its_id_is_stable():
    mark = new_mark("0123456789abcdef", "us_japan", False, marked_by="  Ana  Li ", source="monitor",
                    classification={"classifier_version": "c1-x", "score": 0.71, "is_relevant": True}, now=T0)
    assert mark.marked_by == "Ana Li"
    again = mark_from_json(json.loads(json.dumps(mark.to_json())))
    assert again == mark and again.mark_id == mark.mark_id
    assert new_mark("0123456789abcdef", "us_japan", True, marked_by="Ana", source="cli", now=T0).mark_id != mark.mark_id


@pytest.mark.parametrize("bad", [[], {"article_id": "x"}, {"article_id": "x", "topic": "t", "is_relevant": "no",
                                                              "marked_by": "a", "source": "cli",
                                                              "marked_at": T0.isoformat()}])
def test_a_file_that_is_not_a_mark_is_refused(bad):
    with pytest.raises(ValueError):
        mark_from_json(bad)


def test_a_mark_needs_a_name_and_a_known_source():
    with pytest.raises(ValueError, match="marked_by"):
        new_mark("a", "us_japan", True, marked_by=" ", source="cli")
    with pytest.raises(ValueError, match="source"):
        new_mark("a", "us_japan", True, marked_by="ana", source="email")
