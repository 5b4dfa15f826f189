"""Stage 3: read each staged page's raw bytes and turn them into an article row.

The extraction itself (decoding, trafilatura, language) is ``pipeline.extract.html``; this stage
reads the raw file, applies the article rules below and writes the staged articles.

When a page could not be fetched (or was deferred by a budget) or gave no text, the feed's summary
stands in and the article is flagged ``is_truncated``: an alert on a summary is better than silence.
A deferred page is stored that way, so the next run's plan finds it in the snapshot and fetches it.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.metadata
import logging
import re
from pathlib import Path
from typing import Any

from pipeline import staging
from pipeline.extract import dedup
from pipeline.extract.html import extract_html, guess_language
from pipeline.stages import schemas
from pipeline.stages.boundary import Record, contained

logger = logging.getLogger(__name__)

MIN_WORDS = 40
# Recorded with every extracted article: re-extraction (`newswatch reprocess --extract`) is
# comparable only within one version. Bump the suffix when this module's rules change.
EXTRACTOR_VERSION = f"trafilatura-{importlib.metadata.version('trafilatura')}+nw1"
TRUNCATED_WORDS = 150
_WORD = re.compile(r"\w+")
PAYWALL_MARKERS = (
    "subscribe to continue",
    "subscribe to read",
    "this article is for subscribers",
    "to continue reading",
    "already a subscriber",
    "sign in to read",
)


def text_hash(text: str) -> str:
    normalised = " ".join(_WORD.findall(text.lower()))
    return hashlib.sha256(normalised.encode()).hexdigest()[:32]


def article_row(page: dict[str, Any]) -> tuple[dict[str, Any], str]:
    extracted = None
    outcome = "no_page"
    if page["page_status"] == "ok" and page["raw_path"]:
        failed: list[str] = []
        # lxml and trafilatura raise many types on hostile HTML, and a raw file may be cut short: the
        # page's text is then the feed summary, as for a page that could not be fetched.
        with contained(f"extraction of {page['url']}", _noting(failed, "failed")):
            body = gzip.decompress(Path(page["raw_path"]).read_bytes())
            extracted = extract_html(body, page["final_url"] or page["url"], page["content_type"] or "")
        outcome = "failed" if failed else "extracted" if extracted else "empty"
    text = extracted.text if extracted else (page["summary"] or "")
    words = len(_WORD.findall(text))
    if extracted and words < MIN_WORDS and len(page["summary"] or "") > len(text):
        text, extracted, outcome = page["summary"], None, "too_short"
        words = len(_WORD.findall(text))
    lowered = text.lower()
    paywalled = any(marker in lowered for marker in PAYWALL_MARKERS)
    published, source = page["published_at"], "feed"
    if published is None and extracted and extracted.published_at:
        published, source = extracted.published_at, "page"
    if published is None:
        source = "none"
    row = {
        **{k: page.get(k) for k in schemas.ARTICLES.names if k in page},
        "source_domain": (page["url"].split("/")[2]).split(":")[0].removeprefix("www."),
        "title": page["title"] or (extracted.title if extracted else None),
        "author": page["author"] or (extracted.author if extracted else None),
        "published_at": published,
        "published_source": source,
        "language": guess_language(f"{page['title'] or ''}\n{text}"),
        "text": text,
        "text_source": "page" if extracted else "summary",
        "text_hash": text_hash(text) if text else None,
        "count_words": words,
        # A page whose text is shorter than the feed's own summary lost its body (paywall, teaser).
        "is_truncated": (
            extracted is None
            or paywalled
            or words < TRUNCATED_WORDS
            or len(_WORD.findall(page["summary"] or "")) > words
        ),
        "extractor_version": EXTRACTOR_VERSION if extracted else None,
        "page_canonical_url": extracted.canonical_url if extracted else None,
        "site_name": extracted.site_name if extracted else None,
        "band_keys": dedup.band_keys(text),
    }
    return row, outcome


def _noting(outcomes: list[str], outcome: str) -> Record:
    """How the boundary records a page here: as ``outcome``, counted by the caller (the log has the reason)."""

    def record(error_class: str, reason: str) -> None:
        outcomes.append(outcome)

    return record


def extract_articles(pages_path: Path) -> Path:
    """Turn one shard's fetched pages into article rows.

    Args:
        pages_path: the staged pages of one shard (from ``scrape.scrape_articles``).

    Returns:
        The staged articles file (``articles/<shard>.parquet``).
    """
    run = staging.run_of(pages_path)
    rows: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    for page in staging.read_rows(pages_path):
        if page["page_status"] not in ("ok", "failed", "gave_up", "blocked", "deferred"):
            continue
        outcomes: list[str] = []
        # A page no row can be made of (not even from its summary) is left out, recorded in the counts.
        with contained(f"article of {page['url']}", _noting(outcomes, "row_failed")):
            row, outcome = article_row(page)
            rows.append(row)
            outcomes.append(outcome)
        for outcome in outcomes:
            counts[f"extract_{outcome}"] = counts.get(f"extract_{outcome}", 0) + 1
            if outcome in ("failed", "row_failed"):
                counts["items_failed"] = counts.get("items_failed", 0) + 1
    staging.write_counts(run, f"extract-{pages_path.stem}", counts)
    return staging.write_rows(staging.stage_file(run, "articles", pages_path.stem), rows, schemas.ARTICLES)
