"""Revisions of a story end to end: an outlet edits a stored article between runs (its feed entry changes with
it). The edited page is fetched again, both texts are kept, the material change ($550 billion -> $500 billion)
is recorded in ``fct_fact_revisions`` and sent once as an update on the route with ``updates: true``; a later
edit that only changes an adjective is kept as a version and records nothing."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline import sample_site
from pipeline.alerts import ledger
from pipeline.alerts.routes import AlertsConfig, Route
from pipeline.stages import runner
from tests.e2e.test_followups import query, write_outlet
from tests.e2e.test_intel_alerts import outbox_lines

SLUG = "japan-us-investment"


def story(figure: str, adjective: str) -> tuple[str, str, list[str]]:
    return (
        "Japan sets out US investment as Trump visits Tokyo",
        "Tue, 28 Oct 2025 09:00:00 +0000",
        [
            f"TOKYO — Japan will invest {figure} in the United States under the trade agreement the two allies "
            f"reached this year, Prime Minister Sanae Takaichi said after {adjective} talks with President Donald "
            "Trump in Tokyo.",
            "The two leaders also signed a framework on rare earths and critical minerals, aimed at reducing "
            "dependence on processing capacity in China.",
            "Japanese officials said the investment would fund projects in energy, semiconductors and critical "
            "minerals supply chains.",
        ],
    )


@pytest.fixture
def outlet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "kyodo"
    write_outlet(root, {SLUG: story("$550 billion", "friendly")})
    with sample_site.serve(site_dir=root) as url:
        feeds = tmp_path / "feeds.yaml"
        feeds.write_text(f"feeds:\n  - name: Kyodo\n    url: {url}/feeds/news.xml\n")
        monkeypatch.setenv("NEWS_FEEDS_FILE", str(feeds))
        monkeypatch.setenv("NEWS_ALLOW_HOSTS", "127.0.0.1")
        yield root


def edit(root: Path, figure: str, adjective: str, bump: int) -> None:
    write_outlet(root, {SLUG: story(figure, adjective)})
    later = time.time() + bump
    os.utime(root / "feeds" / "news.xml", (later, later))


def revisions(outbox: Path) -> list[dict]:
    return [m for m in outbox_lines(outbox) if any(s["kind"] == "revision" for s in m["stories"])]


def test_an_edited_article_records_its_fact_revision_and_sends_one_update(outlet, tmp_path):
    outbox = tmp_path / "outbox.jsonl"
    both = ("us_japan", "rare_earths")
    cfg = AlertsConfig(
        routes=(Route("updates", both, updates=True, outbox=True), Route("plain", both, outbox=True)),
        outbox_path=outbox,
    )
    runner.run_pipeline("run-1", force=True)
    ledger.send_alerts(config=cfg, now=datetime.now(UTC))
    assert query("select count(*) from fct_fact_revisions") == [(0,)]

    edit(outlet, "$500 billion", "friendly", 5)
    second = runner.run_pipeline("run-2", force=True)
    assert second["count_articles_new"] == 0
    assert query("select count(*) from article_versions") == [(2,)]  # both texts kept
    # the worked query of docs/ANALYSTS.md
    rows = query(
        "select source, event_type, kind, old_value, new_value, new_evidence from fct_fact_revisions "
        "order by detected_at, event_type, kind"
    )
    assert ("Kyodo", "investment", "amount", "$550 billion", "$500 billion") in [r[:5] for r in rows]
    assert {r[2] for r in rows} == {"amount"}  # nothing else changed materially
    assert all("$500 billion" in r[5] for r in rows)
    # the article now reports only the new figure
    assert query(
        "select distinct amount_value from fact_mentions join facts using (fact_id) "
        "where amount_value is not null"
    ) == [(500e9,)]

    ledger.send_alerts(config=cfg, now=datetime.now(UTC))
    ledger.send_alerts(config=cfg, now=datetime.now(UTC))
    sent = revisions(outbox)
    assert [m["route"] for m in sent] == ["updates"]  # once, and only where updates are wanted
    assert "$550 billion → $500 billion" in sent[0]["text"]
    assert query(
        "select distinct route, status, title like 'Story revised: %', url like 'http%' "
        "from fct_alert_history where kind = 'revision'"
    ) == [("updates", "sent", True, True)]

    edit(outlet, "$500 billion", "cordial", 10)  # an adjective: a new version, no fact revision
    runner.run_pipeline("run-3", force=True)
    assert query("select count(*) from article_versions") == [(3,)]
    assert query("select count(*) from fct_fact_revisions") == [(len(rows),)]
    ledger.send_alerts(config=cfg, now=datetime.now(UTC))
    assert len(revisions(outbox)) == 1
