"""The alert ledger stays exactly-once across the intelligence kinds (reminder, conflict, revision), including a
process that exits (137) or is killed with a real SIGKILL between a channel's acceptance and the ledger update (NEWS_ALERTS_FAULT).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from pipeline.warehouse import db
from tests.e2e.test_alert_delivery import add_stories, outbox_lines, query_live, write_routes
from tests.faults.conftest import holder, kill9, python, wait_for
from tests.faults.test_alert_channel import send_in_subprocess

__all__ = ["holder"]  # the fixture, imported for pytest

NOW = datetime.now(UTC)


def add_intel() -> None:
    """A follow-up due in two days, a dispute and a revision, all about story syn0."""
    con = db.connect_live()
    try:
        con.execute(
            "insert into facts values ('f1', 'meeting', 'planned', ?, ['Donald Trump', 'Xi Jinping'], null, null, "
            "null, 'Trump to meet Xi', 'syn0', ?, ?, 1, false)",
            [(NOW + timedelta(days=2)).date(), NOW, NOW],
        )
        # reported by an article of no matching story, so story syn0 gains no fact (no update)
        con.execute(
            "insert into articles (article_id, canonical_url, story_cluster_id, first_seen_at, first_run_id, "
            "last_run_id, updated_at) values ('zz', 'https://news.test/zz', 'zz', ?, 's', 's', ?)",
            [NOW, NOW],
        )
        con.execute(
            "insert into fact_mentions values ('f1', 'zz', 'planned', 'Trump will meet Xi.', 0, 20, null, ?)",
            [NOW],
        )
        con.execute(
            "insert into followups values ('f1', ?, 'open', ?, 'syn0', null, null, ?)",
            [(NOW + timedelta(days=2)).date(), NOW, NOW],
        )
        con.execute(
            "insert into fact_conflicts (conflict_id, kind, event_type, parties, currency, number_a, number_b, "
            "fact_id_a, value_a, article_id_a, source_a, evidence_a, reported_at_a, fact_id_b, value_b, "
            "article_id_b, source_b, evidence_b, reported_at_b, first_seen_at, run_id) values "
            "('c1', 'amount', 'investment', ['Japan', 'United States'], 'USD', 550e9, 500e9, 'fa', "
            "'$550 billion', 'syn1', 'Kyodo', 'a', ?, 'fb', '$500 billion', 'syn0', 'Reuters', 'b', ?, ?, 'r')",
            [NOW, NOW, NOW],
        )
        con.execute(
            "insert into article_versions values ('syn0', 'h2', 't', 'text', null, ?, 'r', 'h1', "
            "[{'event_type': 'investment', 'kind': 'amount', 'old_value': '$550 billion', "
            "'new_value': '$500 billion', 'old_evidence': 'old', 'new_evidence': 'new'}])",
            [NOW],
        )
    finally:
        con.close()
    db.publish_snapshot()


def test_a_kill_between_send_and_record_of_an_intel_alert_resends_it_once_with_its_key(tmp_path, monkeypatch):
    write_routes(
        tmp_path,
        monkeypatch,
        [{"name": "box", "topics": ["us_japan"], "max_immediate": 10, "updates": True, "outbox": True}],
    )
    add_stories(1)
    assert send_in_subprocess().returncode == 0  # the story itself
    add_intel()

    crashed = send_in_subprocess(NEWS_ALERTS_FAULT="crash_after_send")
    assert crashed.returncode == 137, crashed.stderr
    assert query_live(
        "select status, count(*) from alerts where story_cluster_id like '%:%' group by all"
    ) == [("pending", 1)]

    again = send_in_subprocess()
    assert again.returncode == 0, again.stdout + again.stderr
    assert send_in_subprocess().stdout.strip().endswith("0 messages sent, 0 failed")

    assert query_live(
        "select split_part(story_cluster_id, ':', 1), status from alerts "
        "where story_cluster_id like '%:%' order by 1"
    ) == [("conflict", "sent"), ("reminder", "sent"), ("revision", "sent")]
    kinds = Counter(s["kind"] for line in outbox_lines() for s in line["stories"])
    assert kinds == {"new": 1, "reminder": 1, "conflict": 1, "revision": 1}
    assert len({line["key"] for line in outbox_lines()}) == len(outbox_lines()) == 4
    texts = {s["kind"]: line["text"] for line in outbox_lines() for s in line["stories"]}
    assert "Kyodo: $550 billion; Reuters: $500 billion" in texts["conflict"]
    assert "investment amount: $550 billion → $500 billion" in texts["revision"]
    assert "Trump will meet Xi." in texts["reminder"]


@pytest.mark.parametrize("kind", ["reminder", "conflict", "revision"])
def test_a_real_kill_9_between_send_and_record_of_each_intel_kind_resends_it_once(
    kind, tmp_path, monkeypatch, holder
):
    write_routes(
        tmp_path,
        monkeypatch,
        [{"name": "box", "topics": ["us_japan"], "max_immediate": 10, "updates": True, "outbox": True}],
    )
    add_stories(1)
    assert send_in_subprocess().returncode == 0  # the story itself
    add_intel()

    marker = tmp_path / "paused"
    proc = python(
        "import sys; from pipeline.cli.app import main; sys.argv = ['newswatch', 'alerts', 'send']; main()",
        {"NEWS_ALERTS_FAULT": f"pause_after_send:{kind}:{marker}"},
    )
    holder.append(proc)
    wait_for(marker, proc)  # the outbox accepted the message; the ledger has not recorded it
    kill9(proc)
    pending = query_live("select story_cluster_id from alerts where status = 'pending'")
    assert [key.split(":", 1)[0] for (key,) in pending] == [kind]

    again = send_in_subprocess()
    assert again.returncode == 0, again.stdout + again.stderr
    assert send_in_subprocess().stdout.strip().endswith("0 messages sent, 0 failed")
    assert query_live(
        "select split_part(story_cluster_id, ':', 1), status from alerts "
        "where story_cluster_id like '%:%' order by 1"
    ) == [("conflict", "sent"), ("reminder", "sent"), ("revision", "sent")]
    # each kind delivered once: the resent message carries the same key and the outbox keeps one copy
    kinds = Counter(s["kind"] for line in outbox_lines() for s in line["stories"])
    assert kinds == {"new": 1, "reminder": 1, "conflict": 1, "revision": 1}
    assert len({line["key"] for line in outbox_lines()}) == len(outbox_lines()) == 4
