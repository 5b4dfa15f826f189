"""Stage 6: the one writer. Load a run's staged files into DuckDB, then publish the snapshot.

Everything a run staged is read into ``incoming_<dataset>`` temp tables and merged by the
statements of ``sql/load/`` in file order, inside one transaction: a load commits the whole run
or nothing. Every statement is an idempotent upsert keyed on stable ids, so loading the same run
twice changes nothing. The same transaction writes the analysts' queued relevance marks
(``pipeline.warehouse.feedback``), whose files move out of the queue only after the commit.
"""

from __future__ import annotations

import json
import logging
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import settings, staging
from pipeline.errors import LoadError, StageError
from pipeline.stages import schemas
from pipeline.warehouse import db, feedback

logger = logging.getLogger(__name__)

LOAD_SQL_DIR = settings.SQL_DIR / "load"
# Fault-injection hook for tests/faults (never set in production): NEWS_FAULT=before_commit:<file>
# makes the loader write its pid to <file> once every statement has run, then wait there inside
# the open transaction, so a test can kill -9 it at the worst moment.
FAULT_ENV = "NEWS_FAULT"
FAULT_WAIT_S = 60.0
ENTITY_IDS = pa.schema(
    [
        (name, pa.string())
        for name in ("entity_id", "name", "type", "wikidata_qid", "element_symbol", "hs_code")
    ]
)
RUN_COLUMNS = {
    "count_feeds_due": "feeds_due",
    "count_feeds_ok": "feeds_ok",
    "count_feeds_not_modified": "feeds_not_modified",
    "count_feeds_failed": "feeds_failed",
    "count_items_seen": "items_seen",
    "count_pages_fetched": "pages_ok",
    "count_pages_failed": "pages_failed",
    "count_items_failed": "items_failed",
    "count_items_text_replaced": "items_text_replaced",
}


def _fault_point(name: str) -> None:
    spec = settings.load().fault
    if spec.startswith(f"{name}:"):
        Path(spec.split(":", 1)[1]).write_text(str(os.getpid()))
        logger.warning("%s=%s: pausing %.0fs inside the load transaction", FAULT_ENV, spec, FAULT_WAIT_S)
        time.sleep(FAULT_WAIT_S)


def _unreadable(files: list[str]) -> list[str]:
    bad = []
    for file in files:
        try:
            pq.read_table(file)
        except Exception:  # noqa: BLE001 - any failure to read makes the file unusable
            bad.append(file)
    return bad


def _register_incoming(con: Any, run: Path) -> None:
    for dataset, schema in schemas.DATASETS.items():
        files = sorted(str(p) for p in (run / dataset).glob("*.parquet"))
        if files:
            keys = ", ".join(schemas.KEYS[dataset])
            try:
                con.execute(
                    f"create or replace temp table incoming_{dataset} as "
                    f"select distinct on ({keys}) * from read_parquet(?, union_by_name = true, "
                    f"filename = true) order by {keys}, filename",
                    [files],
                )
            except duckdb.Error as exc:
                # Name the file: the operator re-runs the task that staged it, then the load.
                bad = _unreadable(files) or files
                raise LoadError(
                    f"run {run.name}: unreadable staged file(s) {', '.join(bad)}; re-run the stage "
                    f"that wrote them, then the load. Nothing of the run was loaded. ({exc})"
                ) from exc
            con.execute(f"alter table incoming_{dataset} drop column filename")
        else:
            empty = pa.Table.from_pylist([], schema=schema)
            con.register("empty_incoming", empty)
            con.execute(f"create or replace temp table incoming_{dataset} as select * from empty_incoming")
            con.unregister("empty_incoming")


def _topic_counts(con: Any) -> dict[str, int]:
    """New relevant articles per topic, for every topic the run's classifications name (0 when none).

    Reads the ``incoming_classifications`` and ``load_articles`` tables of an open load.
    """
    return dict(
        con.execute(
            "select topic, count(*) filter (where c.is_relevant and a.is_new) from incoming_classifications c "
            "left join load_articles a using (article_id) group by topic order by topic"
        ).fetchall()
    )


def _run_row(con: Any, run_id: str, counts: dict[str, int]) -> tuple[dict[str, Any], dict[str, int]]:
    (new_articles, duplicates) = con.execute(
        "select count(*) filter (where is_new), "
        "count(*) filter (where is_new and story_cluster_id <> article_id) from load_articles"
    ).fetchone()
    topics = _topic_counts(con)
    relevant = {topic: n for topic, n in topics.items() if n}
    (new_facts,) = con.execute(
        "select count(distinct fact_id) from incoming_fact_mentions "
        "where fact_id not in (select fact_id from load_known_facts)"
    ).fetchone()
    # Matching stories (cluster x topic) this run brought that no route has been sent yet: the
    # news_alerts run that the Asset event schedules next will deliver them.
    (alerts_queued,) = con.execute(
        "select count(*) from fct_alert_candidates where story_cluster_id in "
        "(select story_cluster_id from load_articles where is_new)"
    ).fetchone()
    counts = {
        **counts,
        "articles_new": new_articles,
        "duplicates": duplicates,
        "facts_new": new_facts,
        "alerts_queued": alerts_queued,
        **{f"relevant_{k}": v for k, v in relevant.items()},
    }
    ok = counts.get("feeds_ok", 0) + counts.get("feeds_not_modified", 0) + counts.get("feeds_unchanged", 0)
    status = "no_feed_succeeded" if counts.get("feeds_due", 0) and not ok else "success"
    row: dict[str, Any] = {col: counts.get(key, 0) for col, key in RUN_COLUMNS.items()}
    row.update(
        run_id=run_id,
        status=status,
        count_articles_new=new_articles,
        count_duplicates=duplicates,
        count_facts_new=new_facts,
        count_alerts_queued=alerts_queued,
        degraded=is_degraded(counts),
        counts=json.dumps(counts, sort_keys=True),
    )
    return row, topics


def is_degraded(counts: dict[str, int]) -> bool:
    """A run that wanted pages and fetched none of them (every one failed, or waits for a host that is down)."""
    return counts.get("pages_wanted", 0) > 0 and not counts.get("pages_ok", 0)


def load_warehouse(
    run: Path,
    *,
    run_id: str | None = None,
    db_path: Path | None = None,
    snapshot_path: Path | None = None,
    publish: bool = True,
) -> dict[str, Any]:
    """Upsert one run's staged files into the live warehouse, then publish the snapshot.

    Args:
        run: the run's staging folder.
        run_id: the run's id (defaults to the folder name).
        db_path: the live DuckDB file (default ``NEWS_DUCKDB_PATH``).
        snapshot_path: where to publish the read-only copy (default ``NEWS_SNAPSHOT_PATH``).
        publish: publish the snapshot after the commit.

    Returns:
        The run's row of the ``runs`` table (counts per stage), and under ``relevant`` its rows of
        ``run_topic_counts``: new relevant articles per topic.

    Raises:
        LoadError: the warehouse could not be opened or written; nothing of the run was committed.
    """
    run_id = run_id or run.name
    counts = staging.read_counts(run)
    with db.live_transaction(db_path, checkpoint=True) as con:
        now = datetime.now(UTC)
        # facts_staged: the facts stage ran in this run, so its output is the whole truth about the
        # articles it saw, and older entity/fact/quote rows of those articles can be replaced.
        con.execute(
            "create or replace temp table load_context as select ?::varchar as run_id, "
            "?::timestamptz as loaded_at, ?::boolean as facts_staged",
            [run_id, now, (run / "fact_mentions").is_dir()],
        )
        _register_incoming(con, run)
        # Curated ids of config/entities.yaml (Wikidata QIDs, mineral symbols and HS codes): sql/load/085.
        from pipeline.facts import gazetteer  # noqa: PLC0415 - pydantic config checks, only when loading

        con.register("incoming_entity_ids", pa.Table.from_pylist(gazetteer.entity_ids(), schema=ENTITY_IDS))
        # Analysts' queued relevance marks, before this run's classifications replace the ones they corrected.
        marks = feedback.apply_queue(con)
        if marks.count:
            counts = {**counts, "feedback_marks": marks.count}
        spent: dict[str, float] = {}
        for path in sorted(LOAD_SQL_DIR.glob("*.sql")):
            started = time.perf_counter()
            try:
                con.execute(path.read_text())
            except Exception as exc:
                raise LoadError(f"sql/load/{path.name} failed for run {run_id}: {exc}") from exc
            spent[path.name] = time.perf_counter() - started
        slowest = sorted(spent.items(), key=lambda kv: -kv[1])[:3]
        logger.info("run %s: slowest load steps %s", run_id, ", ".join(f"{k} {v:.2f}s" for k, v in slowest))
        row, topics = _run_row(con, run_id, counts)
        columns = ", ".join(row)
        updates = ", ".join(f"{c} = excluded.{c}" for c in row if c != "run_id")
        con.execute(
            f"insert into runs ({columns}, loaded_at) values ({', '.join('?' * len(row))}, ?) "
            f"on conflict (run_id) do update set {updates}",
            [*row.values(), now],
        )
        con.execute("delete from run_topic_counts where run_id = ?", [run_id])
        if topics:
            con.executemany(
                "insert into run_topic_counts (run_id, topic, count_relevant) values (?, ?, ?)",
                [[run_id, topic, n] for topic, n in topics.items()],
            )
        _fault_point("before_commit")
    # Only now that the marks are committed do their queue files move; a crash before this line leaves
    # them queued, and the next load inserts none of them twice (relevance_feedback.mark_id).
    feedback.archive(marks)
    if publish:
        db.publish_snapshot(db_path, snapshot_path)
    row["relevant"] = topics
    logger.info("run %s loaded: %s", run_id, summary(row))
    logger.info("run %s summary:\n%s", run_id, summary_table(row))
    if row["degraded"]:
        logger.warning(
            "run %s is degraded: none of its %d pages was fetched (%d failed, %d deferred); "
            "see fetch_log for the hosts",
            run_id,
            counts.get("pages_wanted", 0),
            counts.get("pages_failed", 0),
            counts.get("pages_deferred", 0),
        )
    return row


# What a run's budgets left for the next run: in the summary line when not 0.
DEFERRED_COUNTS = ("pages_deferred", "feeds_deferred", "items_deferred")


def summary(row: dict[str, Any]) -> str:
    """One line of a run's counts (per stage, then what its budgets deferred, then per topic), for task logs."""
    counts = [f"{k.removeprefix('count_')}={v}" for k, v in row.items() if k.startswith("count_")]
    extra = json.loads(row["counts"]) if isinstance(row.get("counts"), str) else {}
    counts += [f"{k}={extra[k]}" for k in DEFERRED_COUNTS if extra.get(k)]
    return ", ".join(counts + [f"relevant_{topic}={n}" for topic, n in row.get("relevant", {}).items()])


def summary_table(row: dict[str, Any]) -> str:
    """The run's counts as a two-column table for the load task's log: every count, then what its budgets deferred."""
    extra = json.loads(row["counts"]) if isinstance(row.get("counts"), str) else {}
    lines = [("status", str(row.get("status"))), ("degraded", str(bool(row.get("degraded"))))]
    lines += [(k.removeprefix("count_"), str(v)) for k, v in row.items() if k.startswith("count_")]
    lines += [(k, str(extra[k])) for k in DEFERRED_COUNTS if extra.get(k)]
    lines += [(f"relevant_{topic}", str(n)) for topic, n in row.get("relevant", {}).items()]
    width = max(len(k) for k, _ in lines)
    return "\n".join(f"  {k:<{width}}  {v:>8}" for k, v in lines)


def check_run(row: dict[str, Any]) -> None:
    """Fail loudly when a loaded run fetched nothing at all: silence must look like failure.

    Raises:
        StageError: every feed that was due failed.
    """
    if row["status"] == "no_feed_succeeded":
        raise StageError(
            f"run {row['run_id']}: every one of the {row['count_feeds_due']} feeds due failed; "
            "see fetch_log and the feeds table for the reasons"
        )
