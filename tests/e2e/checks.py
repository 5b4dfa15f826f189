"""What a user relies on after a run over the sample site, checked on the published snapshot."""

from __future__ import annotations

from pathlib import Path

import duckdb

SEED_PATH = "/articles/trump-takaichi-summit.html"
SYNDICATED_PATH = "/articles/syndicated-trump-takaichi-summit.html"  # a near-copy: new headline, edits, a sentence
CONTENT_TABLES = ["articles", "story_clusters", "article_keys", "classifications", "entities", "mentions", "facts",
                  "fact_mentions", "quotes", "followups", "amounts", "feeds"]


def table_counts(snapshot: Path) -> dict[str, int]:
    with duckdb.connect(str(snapshot), read_only=True) as con:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in CONTENT_TABLES}


def check_seed_story(snapshot: Path) -> None:
    with duckdb.connect(str(snapshot), read_only=True) as con:
        (seed_id,) = con.execute("select article_id from articles where canonical_url like ?",
                                 [f"%{SEED_PATH}"]).fetchone()
        topics = dict(con.execute("select topic, is_relevant from classifications where article_id = ?",
                                  [seed_id]).fetchall())
        assert topics == {"us_japan": True, "rare_earths": True}

        clusters = dict(con.execute(
            "select regexp_extract(canonical_url, '/articles/.+$'), story_cluster_id from articles "
            "where canonical_url like ? or canonical_url like ?", [f"%{SEED_PATH}", f"%{SYNDICATED_PATH}"]).fetchall())
        assert clusters[SEED_PATH] == clusters[SYNDICATED_PATH], clusters
        (count_articles,) = con.execute("select count_articles from story_clusters where story_cluster_id = ?",
                                        [clusters[SEED_PATH]]).fetchone()
        assert count_articles == 2  # both copies are on 127.0.0.1, so count_sources is 1
        (others,) = con.execute("select count(*) from articles where story_cluster_id <> article_id "
                                "and story_cluster_id <> ?", [clusters[SEED_PATH]]).fetchone()
        assert others == 0  # no other sample article is a copy of anything

        people = {name for (name,) in con.execute(
            "select distinct e.name from mentions m join entities e using (entity_id) "
            "where m.article_id = ? and e.type = 'PERSON'", [seed_id]).fetchall()}
        assert {"Donald Trump", "Sanae Takaichi"} <= people
        orgs = {name for (name,) in con.execute("select name from entities where type = 'ORG'").fetchall()}
        assert "Donald Trump" not in orgs and "Trump" not in orgs

        amounts = con.execute("select value, currency from amounts where article_id = ?", [seed_id]).fetchall()
        assert (550e9, "USD") in amounts

        followups = con.execute(
            "select f.status, f.due_date, x.event_type, x.participants from followups f "
            "join facts x using (fact_id) where list_contains(x.participants, 'Xi Jinping') "
            "and list_contains(x.participants, 'Donald Trump')").fetchall()
        assert any(status == "open" and str(due) == "2025-10-29" and kind == "meeting"
                   for status, due, kind, _ in followups), followups


def check_bad_input_recorded(snapshot: Path) -> None:
    with duckdb.connect(str(snapshot), read_only=True) as con:
        errors = dict(con.execute(
            "select regexp_extract(url, '[^/]+$'), any_value(error_class) from fetch_log "
            "where kind = 'feed' and error_class is not null group by 1").fetchall())
        assert errors["down.xml"] == "http_500"
        assert errors["not-a-feed.xml"] == "parse_error"
        assert errors["broken.xml"] == "malformed_xml"
        health = dict(con.execute("select regexp_extract(feed_url, '[^/]+$'), health from fct_feed_health").fetchall())
        assert health["down.xml"] == "failing" and health["world.xml"] == "ok"
        (blocked,) = con.execute("select count(*) from fetch_log where error_class = 'robots_disallowed'").fetchone()
        assert blocked >= 1
