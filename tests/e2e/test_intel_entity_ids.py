"""Entity identifiers: the sample site's warehouse carries the Wikidata QIDs curated in config/entities.yaml, and
the minerals with their element symbol and HS code; the guide's join runs on it."""

from __future__ import annotations

import duckdb

from pipeline import settings
from pipeline.stages import runner
from tests.sql.test_analyst_queries import _query_under


def test_entities_carry_curated_ids_and_the_guide_joins_on_them(sample_env):
    runner.run_pipeline("ids", force=True)
    with duckdb.connect(str(settings.load().snapshot_path), read_only=True) as con:
        ids = dict(
            con.execute("select name, wikidata_qid from entities where wikidata_qid is not null").fetchall()
        )
        minerals = con.execute(
            "select name, element_symbol, hs_code from entities where type = 'MINERAL' "
            "and name in ('Neodymium', 'Graphite') order by name"
        ).fetchall()
        unknown = con.execute("select wikidata_qid from entities where name = 'Sanae Takaichi'").fetchall()
        joined = con.execute(_query_under("Join outside data on Wikidata ids")).fetchall()
        timeline = con.execute(_query_under("Who is in the news, by Wikidata id")).fetchall()
        untagged = con.execute(
            "select count(*) from fct_entity_timeline t join entities e using (entity_id) "
            "where t.wikidata_qid is distinct from e.wikidata_qid"
        ).fetchall()
        speakers = con.execute(
            "select distinct speaker_wikidata_qid from fct_quotes where speaker_name = 'Donald Trump'"
        ).fetchall()
    assert {k: ids[k] for k in ("Donald Trump", "Japan", "United States")} == {
        "Donald Trump": "Q22686",
        "Japan": "Q17",
        "United States": "Q30",
    }
    assert minerals == [("Graphite", None, "2504"), ("Neodymium", "Nd", "2805.30")]
    assert unknown == [(None,)]  # not curated: left empty, never guessed
    assert ("Q17", "Japan") in [(r[0], r[1]) for r in joined] and all(r[2] >= 1 for r in joined)
    # the timeline carries the ids too, and the guide's timeline join finds Donald Trump through his QID
    assert untagged == [(0,)]
    assert [(r[0], r[1], r[2]) for r in timeline] == [
        ("Q22686", "Donald Trump", "head of state")
    ] and timeline[0][3] >= 1
    assert speakers == [("Q22686",)]  # his quotes carry it
