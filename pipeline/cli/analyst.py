"""``newswatch status``, ``sql``, ``export`` and ``report``: what analysts read, from the snapshot."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated

import typer

from pipeline import settings
from pipeline.cli.common import console, emit, err, print_table
from pipeline.errors import StorageError

app = typer.Typer()

DbOption = Annotated[Path | None, typer.Option("--db", help="Database file (default: the snapshot).")]


def show_summary(snapshot_path: Path | None = None) -> None:
    """Print the last run, the matching stories, top facts, open follow-ups and pending alerts.

    Args:
        snapshot_path: the snapshot to read (default ``NEWS_SNAPSHOT_PATH``).

    Raises:
        StorageError: there is no snapshot yet.
    """
    from pipeline.views import summary

    result = summary.read(snapshot_path)
    if result is None:
        raise StorageError("no snapshot yet: run `newswatch run` or `newswatch demo` first")
    print_table("Last run", result.last_run)
    print_table("Matching stories (score per topic, ✓ = relevant; evidence from the text)", result.stories)
    print_table("Top facts", result.facts)
    print_table("Open follow-ups", result.followups)
    print_table("Alerts that would be sent (one per story and topic)", result.alerts)
    cfg = settings.load()
    console.print(f"Live database (one writer): [bold]{cfg.duckdb_path}[/]")
    console.print(f"Snapshot for analysts:      [bold]{result.snapshot_path}[/]")
    console.print(f"Query it: [bold]newswatch sql \"select * from fct_matching_stories\"[/] "
                  f"or [bold]duckdb -readonly {result.snapshot_path}[/]")


@app.command("status")
def status_cmd() -> None:
    """Summarise what the warehouse holds (from the snapshot)."""
    show_summary()


@app.command("sql")
def sql_cmd(query: Annotated[str, typer.Argument(help="SQL to run read-only on the snapshot.")],
            as_csv: Annotated[bool, typer.Option("--csv", help="Write CSV.")] = False,
            as_json: Annotated[bool, typer.Option("--json", help="Write JSON Lines.")] = False,
            db: DbOption = None) -> None:
    """Run a query read-only on the snapshot and print a table (or --csv / --json)."""
    import duckdb

    from pipeline import sqlfiles

    path = db or settings.load().snapshot_path
    if not path.exists():
        raise StorageError(f"{path} does not exist yet: run `newswatch run` or `newswatch demo` first")
    con = duckdb.connect(str(path), read_only=True)
    try:
        try:
            cursor = con.execute(query)
        except duckdb.Error as exc:
            err.print(f"[red]query failed:[/] {exc}")
            raise typer.Exit(2) from exc
        columns, rows = sqlfiles.fetch(cursor)
    finally:
        con.close()
    if as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    elif as_json:
        for row in rows:
            emit(dict(zip(columns, row, strict=True)))
    else:
        from pipeline.views.summary import Table

        print_table("result", Table(columns, rows))


@app.command("export")
def export_cmd(fmt: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "parquet",
               out: Annotated[Path | None, typer.Option("--out", help="Folder to write (default: "
                                                        "$NEWS_DATA_DIR/export).")] = None,
               db: DbOption = None) -> None:
    """Write every table and analyst view as one Parquet or CSV file each, for BI tools."""
    from pipeline.views import export

    written = export.export(fmt, out, db)
    for item in written:
        console.print(f"{item.kind:5} {item.name:28} {item.count_rows:>8} rows  {item.path}")
    console.print(f"{len(written)} files written")


@app.command("report")
def report_cmd(out: Annotated[Path | None, typer.Option("--out", help="HTML file to write (default: "
                                                        "$NEWS_DATA_DIR/report.html).")] = None,
               db: DbOption = None) -> None:
    """Write a self-contained HTML report with charts that opens offline."""
    from pipeline.views import report

    console.print(f"Report written to [bold]{report.write_report(out, db)}[/]")
