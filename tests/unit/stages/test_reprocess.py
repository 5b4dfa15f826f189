"""Stage reprocess: refuses unclear requests, and runs classify (and facts) again over stored articles."""

from __future__ import annotations

import duckdb
import pytest

from pipeline import settings, staging
from pipeline.errors import ConfigError
from pipeline.stages import facts, load, reprocess
from tests.unit.stages.test_classify import BAKERY
from tests.unit.stages.test_facts import DEAL, staged_shard


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"stages": ["scrape"]}, "unknown stage(s) ['scrape']"),
    ({"stages": []}, "unknown stage(s) []"),
    ({"since": "2025-10-02", "until": "2025-10-01"}, "since 2025-10-02 is after until 2025-10-01"),
    ({"topic": "baking"}, "unknown topic(s) ['baking']"),
    ({}, "nothing to reprocess: no snapshot yet"),
])
def test_unclear_requests_are_refused(kwargs, message):
    with pytest.raises(ConfigError) as exc_info:
        reprocess.reprocess(**kwargs)
    assert message in str(exc_info.value)


def loaded_warehouse() -> None:
    classified, articles = staged_shard("base", {"deal": DEAL, "bakery": BAKERY})
    facts.extract_facts(classified, articles)
    assert load.load_warehouse(articles.parents[1], run_id="base")["status"] == "success"


def test_classify_again_over_the_stored_articles_of_one_topic():
    loaded_warehouse()
    row = reprocess.reprocess(["classify"], topic="rare_earths", run_id="again")
    assert row["status"] == "success"
    with duckdb.connect(str(settings.load().snapshot_path), read_only=True) as con:
        runs = [r[0] for r in con.execute("select run_id from runs order by run_id").fetchall()]
        articles = con.execute("select count(*) from articles").fetchone()
    assert runs == ["again", "base"] and articles == (2,)  # nothing fetched, nothing duplicated
    assert staging.read_counts(staging.run_dir("again"))["reprocess_articles"] == 1  # only the relevant one


def test_the_stored_articles_come_from_the_snapshot_it_is_given(tmp_path):
    loaded_warehouse()  # the configured snapshot holds two articles ...
    with pytest.raises(ConfigError, match="no snapshot yet"):  # ... but the one named here does not exist
        reprocess.reprocess(["classify"], snapshot=tmp_path / "elsewhere.duckdb")
