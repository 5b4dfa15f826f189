"""Fact and follow-up history end to end: a planned meeting reported in run 1 is reported held in run 2;
``facts_as_of`` and ``followups_as_of`` at a time between the runs give the earlier state, and the old
versions are closed, never rewritten. Two loopback outlets, every stage the real one."""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime

from pipeline.stages import runner
from tests.e2e.test_followups import HELD, MEETING, PLANNED_A, outlets, query, write_outlet

__all__ = ["outlets"]  # the fixture, imported for pytest


def test_facts_as_of_gives_the_state_between_two_runs(outlets):
    outlet_a, _ = outlets
    runner.run_pipeline("run-1", force=True)
    (fact_id, status, _, _), = query(MEETING)
    assert status == "planned"
    between = datetime.now(UTC)
    time.sleep(0.05)

    write_outlet(outlet_a, {"trump-to-meet-xi": PLANNED_A, "trump-xi-meet-busan": HELD})
    later = time.time() + 5
    os.utime(outlet_a / "feeds" / "news.xml", (later, later))
    runner.run_pipeline("run-2", force=True)

    assert query(f"select status from facts where fact_id = '{fact_id}'") == [("happened",)]
    # the worked queries of docs/ANALYSTS.md
    assert query(f"select status, event_date from facts_as_of(timestamp '{between:%Y-%m-%d %H:%M:%S.%f}') "
                 f"where fact_id = '{fact_id}'") == [("planned", date(2025, 10, 30))]
    assert query(f"select status from facts_as_of(now()) where fact_id = '{fact_id}'") == [("happened",)]
    assert query(f"select status from followups_as_of(timestamp '{between:%Y-%m-%d %H:%M:%S.%f}') "
                 f"where fact_id = '{fact_id}'") == [("open",)]
    assert query(f"select status from followups_as_of(now()) where fact_id = '{fact_id}'") == [("done",)]
    # nothing known before the first run
    assert query(f"select count(*) from facts_as_of(timestamp '2000-01-01') where fact_id = '{fact_id}'") == [(0,)]

    # the planned version is closed by run 2 and caused by run 1's report; the held one by the new article
    versions = query(f"select status, run_id, valid_to is null, a.canonical_url from fact_versions v "
                     f"join articles a using (article_id) where fact_id = '{fact_id}' order by valid_from")
    assert [(s, r, current) for s, r, current, _ in versions] == [("planned", "run-1", False),
                                                                  ("happened", "run-2", True)]
    assert versions[1][3].endswith("/articles/trump-xi-meet-busan.html")

    # loading the same run again changes no history
    before = query("select * from fact_versions order by all")
    runner.run_pipeline("run-2", force=True)
    assert query("select * from fact_versions order by all") == before
