"""A small loaded warehouse for the views: two stories, one relevant to both topics, one to neither."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from pipeline import staging
from pipeline.stages import load, schemas
from tests.unit.stages.test_load import article, meeting, stage

HOSTILE_TITLE = "Japan <script>x</script> & US sign rare earths pact"
EVIDENCE = [{"text": HOSTILE_TITLE, "start": 0, "end": 50, "field": "title", "terms": ["japan", "rare earths"]},
            {"text": "Tokyo and Washington  signed a\nframework on rare earths.", "start": 0, "end": 55,
             "field": "text", "terms": ["rare earths"]}]


def verdict(aid: str, topic: str, score: float, relevant: bool) -> dict:
    return {"article_id": aid, "topic": topic, "score": score, "is_relevant": relevant,
            "evidence": json.dumps(EVIDENCE if relevant else []), "classifier_version": "test",
            "classified_at": datetime.now(UTC)}


@pytest.fixture
def loaded() -> None:
    """Load one run: a1 matches us_japan (0.91) and rare_earths (0.62); a2 matches nothing."""
    pact = {**article("a1", text="Tokyo and Washington signed a framework on rare earths. " * 5),
            "title": HOSTILE_TITLE, "url": "https://news.test/a1"}
    run = stage("r1", [pact, article("a2")], [meeting("a1", "planned")])
    staging.write_rows(staging.stage_file(run, "classifications", "000"),
                       [verdict("a1", "us_japan", 0.91, True), verdict("a1", "rare_earths", 0.62, True),
                        verdict("a2", "us_japan", 0.1, False), verdict("a2", "rare_earths", 0.0, False)],
                       schemas.CLASSIFICATIONS)
    load.load_warehouse(run, run_id="r1")
