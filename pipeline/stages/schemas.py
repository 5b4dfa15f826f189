"""Arrow schemas of the staged Parquet files: the contract between stages and the loader.

Each stage writes ``<run>/<dataset>/<shard>.parquet`` with the schema named here; the loader
reads every dataset of a run into a temp table ``incoming_<dataset>`` and runs ``sql/load``.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa


def _schema(fields: list[pa.Field[Any] | tuple[str, pa.DataType]]) -> pa.Schema:
    # pa.schema accepts fields and (name, type) pairs mixed; its stubs want one kind per list.
    return pa.schema([f if isinstance(f, pa.Field) else pa.field(*f) for f in fields])


TS = pa.timestamp("us", tz="UTC")

ITEMS = _schema([
    ("article_id", pa.string()),
    ("url", pa.string()),
    ("original_url", pa.string()),
    ("feed_url", pa.string()),
    ("feed_name", pa.string()),
    ("guid", pa.string()),
    ("title", pa.string()),
    ("summary", pa.string()),
    ("author", pa.string()),
    ("published_at", TS),
    ("seen_at", TS),
])

FEED_STATE = _schema([
    ("feed_url", pa.string()),
    ("name", pa.string()),
    ("topics_hint", pa.list_(pa.string())),
    ("status", pa.string()),            # ok | not_modified | unchanged | error
    ("http_status", pa.int32()),
    ("error_class", pa.string()),
    ("error", pa.string()),
    ("etag", pa.string()),
    ("last_modified", pa.string()),
    ("body_hash", pa.string()),
    ("count_entries", pa.int32()),
    ("fetched_at", TS),
    ("consecutive_failures", pa.int32()),
    ("next_due_at", TS),
    ("median_gap_minutes", pa.float64()),
])

FETCH_LOG = _schema([
    ("request_id", pa.string()),
    ("run_id", pa.string()),
    ("kind", pa.string()),              # feed | page | robots
    ("url", pa.string()),
    ("host", pa.string()),
    ("feed_url", pa.string()),
    ("status", pa.int32()),
    ("count_bytes", pa.int64()),
    ("duration_ms", pa.float64()),
    ("error_class", pa.string()),
    ("error", pa.string()),
    ("attempt", pa.int32()),
    ("fetched_at", TS),
])

# The items a page shard fetches (stages/plan_pages.py), with the page attempts made so far.
PLAN = _schema([
    *[ITEMS.field(name) for name in ITEMS.names],
    ("page_attempts", pa.int32()),
])

PAGES = _schema([
    *[ITEMS.field(name) for name in ITEMS.names],
    ("final_url", pa.string()),
    ("page_status", pa.string()),       # ok | failed (retry later) | gave_up | blocked
    ("http_status", pa.int32()),
    ("error_class", pa.string()),
    ("content_type", pa.string()),
    ("raw_path", pa.string()),
    ("page_attempts", pa.int32()),
    ("fetched_at", TS),
])

ARTICLES = _schema([
    ("article_id", pa.string()),
    ("url", pa.string()),
    ("original_url", pa.string()),
    ("final_url", pa.string()),
    ("source_domain", pa.string()),
    ("feed_url", pa.string()),
    ("feed_name", pa.string()),
    ("guid", pa.string()),
    ("title", pa.string()),
    ("author", pa.string()),
    ("published_at", TS),
    ("published_source", pa.string()),  # feed | page | none
    ("language", pa.string()),
    ("summary", pa.string()),
    ("text", pa.string()),
    ("text_source", pa.string()),       # page | summary
    ("text_hash", pa.string()),
    ("count_words", pa.int32()),
    ("is_truncated", pa.bool_()),
    ("extractor_version", pa.string()),
    ("page_status", pa.string()),
    ("page_attempts", pa.int32()),
    ("http_status", pa.int32()),
    ("error_class", pa.string()),
    ("raw_path", pa.string()),
    ("seen_at", TS),
    ("page_canonical_url", pa.string()),     # the page's <link rel="canonical">, normalised
    ("band_keys", pa.list_(pa.string())),    # dedup.band_keys(text): LSH keys of near-copies
])

CLASSIFICATIONS = _schema([
    ("article_id", pa.string()),
    ("topic", pa.string()),
    ("score", pa.float64()),
    ("is_relevant", pa.bool_()),
    ("evidence", pa.string()),          # JSON list of {text, start, end, field, terms}
    ("classifier_version", pa.string()),
    ("classified_at", TS),
])

MENTIONS = _schema([
    ("article_id", pa.string()),
    ("entity_id", pa.string()),
    ("name", pa.string()),
    ("type", pa.string()),
    ("aliases", pa.list_(pa.string())),
    ("start_char", pa.int32()),
    ("end_char", pa.int32()),
    ("text", pa.string()),
])

FACT_MENTIONS = _schema([
    ("fact_id", pa.string()),
    ("article_id", pa.string()),
    ("event_type", pa.string()),
    ("status", pa.string()),
    ("event_date", pa.date32()),
    ("participants", pa.list_(pa.string())),
    ("amount_value", pa.float64()),
    ("amount_currency", pa.string()),
    ("amount_text", pa.string()),
    ("percent", pa.float64()),
    ("subject", pa.string()),
    ("evidence_text", pa.string()),
    ("start_char", pa.int32()),
    ("end_char", pa.int32()),
    ("seen_at", TS),
])

QUOTES = _schema([
    ("quote_id", pa.string()),
    ("article_id", pa.string()),
    ("speaker", pa.string()),
    ("speaker_entity_id", pa.string()),
    ("text", pa.string()),
    ("start_char", pa.int32()),
    ("end_char", pa.int32()),
])

AMOUNTS = _schema([
    ("article_id", pa.string()),
    ("value", pa.float64()),
    ("currency", pa.string()),
    ("text", pa.string()),
    ("start_char", pa.int32()),
    ("end_char", pa.int32()),
])

# dataset folder -> its primary key in the warehouse. One article listed by feeds in two shards is
# staged twice; the loader keeps one row per key so that no upsert sees a key twice.
KEYS: dict[str, tuple[str, ...]] = {
    "feed_state": ("feed_url",),
    "fetch_log": ("request_id",),
    "articles": ("article_id",),
    "classifications": ("article_id", "topic"),
    "mentions": ("article_id", "entity_id", "start_char"),
    "fact_mentions": ("fact_id", "article_id", "start_char"),
    "quotes": ("quote_id",),
    "amounts": ("article_id", "start_char"),
}

# dataset folder -> schema, in the order the loader reads them
DATASETS: dict[str, pa.Schema] = {
    "feed_state": FEED_STATE,
    "fetch_log": FETCH_LOG,
    "articles": ARTICLES,
    "classifications": CLASSIFICATIONS,
    "mentions": MENTIONS,
    "fact_mentions": FACT_MENTIONS,
    "quotes": QUOTES,
    "amounts": AMOUNTS,
}
