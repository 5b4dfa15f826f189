"""What the command modules of ``newswatch`` share: the consoles, logging, JSON Lines in and out, tables."""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any, TextIO

import typer
from rich.console import Console
from rich.table import Table as RichTable

# Piped output (make, CI logs) gets a width that keeps the summary tables readable.
console = Console(width=None if sys.stdout.isatty() else 150)
err = Console(stderr=True)

VerboseOption = Annotated[bool, typer.Option("-v", "--verbose")]


def setup_logging(verbose: bool) -> None:
    """Log INFO and up with ``--verbose``, else WARNING and up; httpx's per-request lines stay quiet."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)


@contextlib.contextmanager
def _open_in(path: str) -> Iterator[TextIO]:
    if path == "-":
        yield sys.stdin
    else:
        with open(path, encoding="utf-8") as handle:
            yield handle


def read_jsonl(path: str) -> Iterator[dict[str, Any]]:
    """The objects of a JSON Lines file, or of stdin for ``-``; blank lines are skipped.

    Raises:
        typer.BadParameter: a line is not JSON (named by file and line number).
    """
    with _open_in(path) as handle:
        for n, line in enumerate(handle, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise typer.BadParameter(f"{path}:{n} is not JSON: {exc}") from exc


def emit(obj: dict[str, Any]) -> None:
    """Write one JSON Lines record to stdout."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")


def parse_date(value: Any) -> date | None:
    """The date of an ISO 8601 date or timestamp; None when empty or not a date."""
    if not value:
        return None
    from dateutil import parser as dateparser

    try:
        return dateparser.isoparse(str(value)).date()
    except ValueError:
        return None


def print_table(title: str, table: Any) -> None:
    """Print a ``pipeline.views.summary.Table``; a single wide row is shown as column/value pairs."""
    if table.columns and len(table.columns) > 8 and len(table.rows) == 1:
        rich = RichTable(title=title, show_header=False)
        for column, value in zip(table.columns, table.rows[0], strict=True):
            rich.add_row(column, _cell(value))
    else:
        rich = RichTable(title=f"{title} ({len(table.rows)})", expand=False)
        for column in table.columns:
            wide = column in ("title", "evidence", "subject", "participants", "url", "why")
            rich.add_column(column, overflow="fold", max_width=70 if wide else 24,
                            ratio=3 if wide else None)
        for row in table.rows:
            rich.add_row(*(_cell(v) for v in row))
    console.print(rich)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return text if len(text) <= 160 else text[:157] + "..."
