"""Disagreements and reminders end to end, through the real pipeline and the real alert ledger.

Two loopback outlets (Kyodo on 127.0.0.1, Reuters on localhost). Run 1: Kyodo reports Japan's $550 billion
investment and a Trump–Xi meeting ten days from today. Run 2: Reuters reports $500 billion. The dispute is
listed in ``fct_fact_conflicts`` and alerted once per route in one line; the meeting's follow-up reaches its
reminder window and then its due date, and each stage sends exactly one reminder, which re-runs do not repeat.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

import pytest

from pipeline import sample_site, settings
from pipeline.alerts import intel, ledger
from pipeline.alerts.routes import AlertsConfig, Route
from pipeline.stages import runner
from tests.e2e.test_followups import query, write_outlet
from tests.sql.test_analyst_queries import _query_under

TODAY = datetime.now(UTC).date()
DUE = TODAY + timedelta(days=10)
KYODO = (
    "Japan to invest $550 billion in US under trade deal, Takaichi says",
    "",
    [
        "TOKYO — Japan will invest $550 billion in the United States under the trade agreement the two allies "
        "reached this year, Prime Minister Sanae Takaichi said after talks with President Donald Trump in Tokyo.",
        f"Trump will meet Chinese President Xi Jinping in Busan, South Korea, on {DUE:%B} {DUE.day}, the White House "
        "said. The two leaders are expected to discuss export controls on rare earth magnets.",
        "Japanese officials said the investment would fund projects in energy, semiconductors and critical "
        "minerals supply chains.",
    ],
)
REUTERS = (
    "Japan pledges $500 billion for US projects as Trump visits Tokyo",
    "",
    [
        "TOKYO — Japan will invest $500 billion in the United States under the trade agreement the two allies "
        "reached this year, Japanese officials said, as President Donald Trump held talks with Prime Minister "
        "Sanae Takaichi in Tokyo.",
        "The figure is lower than earlier reports. Trump and Takaichi signed a framework on rare earths and "
        "critical minerals on Tuesday.",
        "The investment would fund projects in energy, semiconductors and critical minerals supply chains, "
        "officials said.",
    ],
)
REUTERS_LATER = (
    "Japan's $500 billion US investment fund takes shape",
    "",
    [
        "TOKYO — Japan will invest $500 billion in the United States through a fund run with Washington, "
        "Japanese officials confirmed, settling the size of the package agreed with President Donald Trump.",
        "The first projects are expected in energy and critical minerals, including the processing of rare "
        "earths, the officials said.",
        "Prime Minister Sanae Takaichi's government will report to parliament on the fund next month.",
    ],
)
LINE = "Kyodo: $550 billion; Reuters: $500 billion"


def dated(story: tuple[str, str, list[str]]) -> tuple[str, str, list[str]]:
    title, _, paragraphs = story
    return title, f"{TODAY:%a, %d %b %Y} 09:00:00 +0000", paragraphs


@pytest.fixture
def outlets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    kyodo, reuters = tmp_path / "kyodo", tmp_path / "reuters"
    write_outlet(kyodo, {"japan-550-billion": dated(KYODO)})
    write_outlet(reuters, {})
    with ExitStack() as stack:
        url_k = stack.enter_context(sample_site.serve(site_dir=kyodo))
        url_r = stack.enter_context(sample_site.serve(site_dir=reuters)).replace("127.0.0.1", "localhost")
        feeds = tmp_path / "feeds.yaml"
        feeds.write_text(
            f"feeds:\n  - name: Kyodo\n    url: {url_k}/feeds/news.xml\n"
            f"  - name: Reuters\n    url: {url_r}/feeds/news.xml\n"
        )
        monkeypatch.setenv("NEWS_FEEDS_FILE", str(feeds))
        monkeypatch.setenv("NEWS_ALLOW_HOSTS", "127.0.0.1,localhost")
        yield kyodo, reuters


def routes(outbox: Path) -> AlertsConfig:
    both = ("us_japan", "rare_earths")
    return AlertsConfig(
        routes=(
            Route("desk", both, outbox=True),
            Route("daily", both, mode="digest", digest_at=(clock(8, 0, tzinfo=UTC),), outbox=True),
        ),
        outbox_path=outbox,
    )


def outbox_lines(outbox: Path) -> list[dict]:
    return [json.loads(line) for line in outbox.read_text().splitlines()] if outbox.exists() else []


def kinds(message: dict) -> set[str]:
    return {s["kind"] for s in message["stories"]}


def send(cfg: AlertsConfig, day: date, hour: int = 9) -> ledger.DeliveryReport:
    return ledger.send_alerts(config=cfg, now=datetime.combine(day, clock(hour, 0), tzinfo=UTC))


def test_a_dispute_is_listed_and_alerted_once_and_reminders_fire_once_per_stage(outlets, tmp_path):
    _, reuters = outlets
    outbox = tmp_path / "outbox.jsonl"
    cfg = routes(outbox)
    runner.run_pipeline("run-1", force=True)
    send(cfg, TODAY)
    assert not [m for m in outbox_lines(outbox) if kinds(m) & set(intel.KINDS)]
    assert query("select count(*) from fct_fact_conflicts") == [(0,)]

    write_outlet(reuters, {"japan-500-billion": dated(REUTERS)})
    later = time.time() + 5
    os.utime(reuters / "feeds" / "news.xml", (later, later))
    runner.run_pipeline("run-2", force=True)

    # the worked query of docs/ANALYSTS.md
    ((kind, value_a, source_a, value_b, source_b, evidence_a, evidence_b, resolved, line),) = query(
        "select kind, value_a, source_a, value_b, source_b, evidence_a, evidence_b, is_resolved, line "
        "from fct_fact_conflicts where not is_resolved order by first_seen_at"
    )
    assert (kind, value_a, source_a, value_b, source_b, resolved, line) == (
        "amount",
        "$550 billion",
        "Kyodo",
        "$500 billion",
        "Reuters",
        False,
        LINE,
    )
    assert "$550 billion" in evidence_a and "$500 billion" in evidence_b

    send(cfg, TODAY)
    send(cfg, TODAY)  # a re-run sends nothing again
    disputes = [m for m in outbox_lines(outbox) if "conflict" in kinds(m)]
    # once per route; the digest route folds it into its digest
    assert [(m["route"], m["delivery"]) for m in disputes] == [("desk", "immediate"), ("daily", "digest")]
    assert LINE in disputes[0]["text"] and disputes[0]["title"].startswith("newswatch [")
    # the ledger, readable: the dispute's alert joins its dispute (worked query of docs/ANALYSTS.md) and has a title
    alerted = query(_query_under("Which disputes were alerted, where"))
    assert {(line, route, status) for line, route, status, _, _ in alerted} == {
        (LINE, "daily", "sent"),
        (LINE, "desk", "sent"),
    }
    assert all(title.startswith("Sources disagree: Japan pledges $500 billion") for *_, title in alerted)
    assert query(
        "select distinct kind, url like '%japan-500-billion%', detail from fct_alert_history "
        "where kind = 'conflict'"
    ) == [("conflict", True, LINE)]
    assert query(
        "select count(*) from fct_alert_history where kind = 'story' and (title is null or url is null)"
    ) == [(0,)]

    # Two days before the due date the follow-up is in its 3-day window; the day after, past due.
    for day, stage in ((DUE - timedelta(days=2), "due_soon"), (DUE + timedelta(days=1), "past_due")):
        send(cfg, day)
        send(cfg, day)
        send(cfg, day, hour=10)
        reminders = [
            m
            for m in outbox_lines(outbox)
            if "reminder" in kinds(m)
            and any(s["story_cluster_id"].endswith(f":{stage}") for s in m["stories"])
        ]
        assert [m["route"] for m in reminders] == ["desk", "daily"], stage
        desk = reminders[0]
        assert "Xi Jinping" in desk["text"] and str(DUE) in desk["title"]
        assert "opened by: Japan to invest $550 billion" in desk["text"]
        assert reminders[1]["delivery"] == "digest"  # the digest route folds it into its digest
        ((state, routes_sent),) = query(
            "select reminder_stage, count_reminder_routes from fct_followups "
            "where list_contains(participants, 'Xi Jinping')"
        )
        assert (state, routes_sent) == (stage, 2)
        assert query(
            f"select distinct route, title, url like '%japan-550-billion%' from fct_alert_history "
            f"where kind = 'reminder' and alert_key like '%:{stage}' order by route"
        ) == [
            (route, title, True)
            for route in ("daily", "desk")
            for title in [desk["title"].split("] ", 1)[-1]]
        ], (stage, desk["title"])
    # the query helper of the monitor page
    rows = intel.reminder_state(settings.load().snapshot_path)
    assert [(r["reminder_stage"], r["due_date"]) for r in rows] == [("past_due", DUE)]
    # the daily digest folded the dispute in too, once
    assert len([m for m in outbox_lines(outbox) if m["route"] == "daily" and "conflict" in kinds(m)]) == 1

    # A later report gives $500 billion again: the dispute is resolved in its favour, and not alerted again.
    write_outlet(
        reuters, {"japan-500-billion": dated(REUTERS), "japan-fund-500-billion": dated(REUTERS_LATER)}
    )
    later = time.time() + 10
    os.utime(reuters / "feeds" / "news.xml", (later, later))
    runner.run_pipeline("run-3", force=True)
    assert query(
        "select is_resolved, resolved_value, a.canonical_url like '%japan-fund-500-billion%' "
        "from fct_fact_conflicts c join articles a on a.article_id = c.resolved_article_id"
    ) == [(True, "$500 billion", True)]
    sent_before = len(outbox_lines(outbox))
    send(cfg, DUE + timedelta(days=1), hour=11)
    assert not [m for m in outbox_lines(outbox)[sent_before:] if kinds(m) & set(intel.KINDS)]
