"""``newswatch status``, ``sql``, ``export`` and ``report``: what analysts read, from the snapshot; and ``feedback``,
what they teach the classifier."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from pipeline import settings
from pipeline.cli.common import console, emit, err, print_table
from pipeline.errors import StorageError

app = typer.Typer()

DbOption = Annotated[Path | None, typer.Option("--db", help="Database file (default: the snapshot).")]
RawCsvOption = Annotated[bool, typer.Option(
    "--raw-csv", help="Write CSV text cells as stored: do not put a quote before cells that start with = + - @ tab "
    "or CR (which spreadsheets run as formulas).")]
# DuckDB settings for `newswatch sql`, given when the connection opens (so before the user's statement): no file,
# network or extension access beyond the database itself, and no `SET` that could turn that back on.
SQL_SANDBOX: dict[str, str | bool | int | float | list[str]] = {"enable_external_access": False, "lock_configuration": True}


def _one_line(exc: BaseException) -> str:
    """The first line of an error's message (DuckDB adds context lines and carets after it)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


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


def show_brief(snapshot_path: Path | None = None) -> None:
    """Print the demo's short summary: the run's counts per stage, failures by class, top stories, open follow-ups.

    Args:
        snapshot_path: the snapshot to read (default ``NEWS_SNAPSHOT_PATH``).

    Raises:
        StorageError: there is no snapshot (or no run in it) yet.
    """
    from pipeline.views import summary

    brief = summary.read_brief(snapshot_path)
    if brief is None:
        raise StorageError("no snapshot yet: run `newswatch run` or `newswatch demo` first")
    for line in summary.brief_lines(brief, width=min(console.width, 120)):
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    console.print(f"Snapshot for analysts: {brief.snapshot_path}", markup=False, highlight=False, soft_wrap=True)
    console.print(f"Query it: newswatch sql \"select * from fct_matching_stories\" or "
                  f"duckdb -readonly {brief.snapshot_path}; the full tables: newswatch status",
                  markup=False, highlight=False, soft_wrap=True)


@app.command("status")
def status_cmd() -> None:
    """Summarise what the warehouse holds (from the snapshot)."""
    show_summary()


@app.command("sql")
def sql_cmd(query: Annotated[str, typer.Argument(help="SQL to run read-only on the snapshot.")],
            as_csv: Annotated[bool, typer.Option("--csv", help="Write CSV.")] = False,
            as_json: Annotated[bool, typer.Option("--json", help="Write JSON Lines.")] = False,
            raw_csv: RawCsvOption = False,
            db: DbOption = None) -> None:
    """Run a query read-only on the snapshot and print a table (or --csv / --json).

    The connection is read-only and has DuckDB's external access off, with its configuration locked before the query
    runs: the query cannot write or copy to a file, attach another database, install or load an extension, or read
    any file but the database itself. It fails with a one-line error (exit code 2) instead.
    """
    import duckdb

    from pipeline import sqlfiles
    from pipeline.views.export import neutralise_cell
    from pipeline.warehouse import db as warehouse

    path = db or settings.load().snapshot_path
    if not path.exists():
        raise StorageError(f"{path} does not exist yet: run `newswatch run` or `newswatch demo` first")
    warehouse.ensure_snapshot(path)  # an unreadable snapshot is rebuilt from the live warehouse first
    try:
        con = duckdb.connect(str(path), read_only=True, config=SQL_SANDBOX)
    except duckdb.Error as exc:
        raise StorageError(f"cannot open {path} read-only: {_one_line(exc)}") from exc
    try:
        try:
            cursor = con.execute(query)
            columns, rows = sqlfiles.fetch(cursor)
        except duckdb.Error as exc:
            hint = (" (newswatch sql is read-only: no writing or copying files, ATTACH, INSTALL/LOAD, or reading "
                    "files other than the database)") if isinstance(exc, duckdb.PermissionException) else ""
            err.print(f"[red]query failed:[/] {escape(_one_line(exc) + hint)}", soft_wrap=True, highlight=False)
            raise typer.Exit(2) from exc
    finally:
        con.close()
    if as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns if raw_csv else [neutralise_cell(c) for c in columns])
        writer.writerows(rows if raw_csv else ([neutralise_cell(v) for v in row] for row in rows))
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
               raw_csv: RawCsvOption = False,
               db: DbOption = None) -> None:
    """Write every table and analyst view as one Parquet or CSV file each, for BI tools."""
    from pipeline.views import export

    written = export.export(fmt, out, db, raw_csv=raw_csv)
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


@app.command("feedback")
def feedback_cmd(article: Annotated[str, typer.Argument(help="The article's id or one of its URLs.")],
                 topic: Annotated[str, typer.Option("--topic", help="The topic (of topics.yaml) the mark is for.")],
                 relevant: Annotated[bool | None, typer.Option(
                     "--relevant/--not-relevant", help="The verdict: the story is (not) relevant to the topic.",
                     show_default=False)] = None,
                 by: Annotated[str | None, typer.Option("--by", help="Who marks it (default: the login name).")] = None,
                 note: Annotated[str | None, typer.Option("--note", help="Why, in a few words.")] = None) -> None:
    """Mark a stored story relevant or not relevant to a topic, to teach the classifier.

    The mark is queued under $NEWS_DATA_DIR/feedback/queue/ (this command never writes the warehouse); the next
    load writes it into the relevance_feedback table, and `newswatch train classify` learns from it.
    """
    import getpass

    from pipeline.warehouse import feedback

    if relevant is None:
        raise typer.BadParameter("say --relevant or --not-relevant")
    mark, path = feedback.submit(article, topic, relevant, marked_by=by or getpass.getuser(), source="cli",
                                 note=note)
    verdict = "relevant" if mark.is_relevant else "not relevant"
    was = ("" if mark.classifier_relevant is None else
           f" (classifier {mark.classifier_version}: {'relevant' if mark.classifier_relevant else 'not relevant'}, "
           f"score {mark.classifier_score:.2f})")
    console.print(f"Queued: article {mark.article_id} {verdict} to {mark.topic}{escape(was)}, by "
                  f"{escape(mark.marked_by)}.\nThe next load writes it into relevance_feedback ({path}).",
                  highlight=False)
