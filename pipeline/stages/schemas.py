"""Arrow schemas of the staged Parquet files: the contract between stages and the loader.

Each stage writes ``<run>/<dataset>/<shard>.parquet`` with the schema named here; the loader
reads every dataset of a run into a temp table ``incoming_<dataset>`` and runs ``sql/load``.

Each schema is declared as a column table, one ``name type`` line per field in file order (``#``
starts a comment); the type names are the keys of ``TYPES``.
"""

from __future__ import annotations

import pyarrow as pa

# The column types staged files use, by the name the declarations below give them.
TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "strings": pa.list_(pa.string()),
    "bool": pa.bool_(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us", tz="UTC"),
}


def _schema(columns: str, *, after: pa.Schema | None = None) -> pa.Schema:
    """The schema of a column table: the fields of ``after`` (if given), then one per ``name type`` line."""
    fields = [after.field(name) for name in after.names] if after is not None else []
    for line in columns.splitlines():
        declared = line.split("#", 1)[0].split()
        if declared:
            name, type_name = declared
            fields.append(pa.field(name, TYPES[type_name]))
    return pa.schema(fields)


ITEMS = _schema("""
    article_id      string
    url             string
    original_url    string
    feed_url        string
    feed_name       string
    guid            string
    title           string
    summary         string
    author          string
    published_at    timestamp
    seen_at         timestamp
""")

FEED_STATE = _schema("""
    feed_url                string
    name                    string
    topics_hint             strings
    status                  string      # ok | not_modified | unchanged | error
    http_status             int32
    error_class             string
    error                   string
    etag                    string
    last_modified           string
    body_hash               string
    count_entries           int32
    fetched_at              timestamp
    consecutive_failures    int32
    next_due_at             timestamp
    median_gap_minutes      float64
""")

FETCH_LOG = _schema("""
    request_id      string
    run_id          string
    kind            string      # feed | page | robots | item (a feed entry the boundary recorded)
    url             string
    host            string
    feed_url        string
    status          int32
    count_bytes     int64
    duration_ms     float64
    error_class     string
    error           string
    attempt         int32
    fetched_at      timestamp
""")

# The items a page shard fetches (stages/plan_pages.py), with the page attempts made so far.
PLAN = _schema("""
    page_attempts   int32
""", after=ITEMS)

PAGES = _schema("""
    final_url       string
    page_status     string      # ok | failed (retry later) | gave_up | blocked | deferred (a budget; next run)
    http_status     int32
    error_class     string
    content_type    string
    raw_path        string
    page_attempts   int32
    fetched_at      timestamp
""", after=ITEMS)

ARTICLES = _schema("""
    article_id          string
    url                 string
    original_url        string
    final_url           string
    source_domain       string
    feed_url            string
    feed_name           string
    guid                string
    title               string
    author              string
    published_at        timestamp
    published_source    string      # feed | page | none
    language            string
    summary             string
    text                string
    text_source         string      # page | summary
    text_hash           string
    count_words         int32
    is_truncated        bool
    extractor_version   string
    page_status         string
    page_attempts       int32
    http_status         int32
    error_class         string
    raw_path            string
    seen_at             timestamp
    page_canonical_url  string      # the page's <link rel="canonical">, normalised
    band_keys           strings     # dedup.band_keys(text): LSH keys of near-copies
    site_name           string      # the page's og:site_name: the publication's own name
""")

CLASSIFICATIONS = _schema("""
    article_id          string
    topic               string
    score               float64
    is_relevant         bool
    evidence            string      # JSON list of {text, start, end, field, terms}
    classifier_version  string
    classified_at       timestamp
""")

MENTIONS = _schema("""
    article_id      string
    entity_id       string
    name            string
    type            string
    aliases         strings
    start_char      int32
    end_char        int32
    text            string
""")

FACT_MENTIONS = _schema("""
    fact_id             string
    article_id          string
    event_type          string
    status              string
    event_date          date
    participants        strings
    amount_value        float64
    amount_currency     string
    amount_text         string
    amount_is_part      bool
    due_date            date
    percent             float64
    subject             string
    evidence_text       string
    start_char          int32
    end_char            int32
    seen_at             timestamp
""")

QUOTES = _schema("""
    quote_id            string
    article_id          string
    speaker             string
    speaker_entity_id   string
    text                string
    start_char          int32
    end_char            int32
""")

AMOUNTS = _schema("""
    article_id      string
    value           float64
    currency        string
    text            string
    start_char      int32
    end_char        int32
""")

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
