"""The ``newswatch`` command line.

``classify``, ``extract`` and ``facts`` are stable JSON Lines contracts that the evaluation
tooling depends on: one output line per input, in order. Keep their shapes.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import json
import logging
import os
import sys
from collections.abc import Iterator
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.console import Console
from rich.table import Table as RichTable

from pipeline import settings
from pipeline.errors import ConfigError, PipelineError, StorageError
from pipeline.extract.html import extract_html

app = typer.Typer(help="newswatch: monitor news on US-Japan relations and rare earths / critical minerals.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
eval_app = typer.Typer(help="Measure quality on labelled data (shared/eval).", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
alerts_app = typer.Typer(help="Alerts on new matching stories.", no_args_is_help=True)
app.add_typer(alerts_app, name="alerts")
# Piped output (make, CI logs) gets a width that keeps the summary tables readable.
console = Console(width=None if sys.stdout.isatty() else 150)
err = Console(stderr=True)

DEMO_PORT = 8765
FeedsOption = Annotated[Path | None, typer.Option("--feeds", help="Feeds YAML to use (sets NEWS_FEEDS_FILE).")]


def _setup_logging(verbose: bool) -> None:
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


def _jsonl(path: str) -> Iterator[dict[str, Any]]:
    with _open_in(path) as handle:
        for n, line in enumerate(handle, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise typer.BadParameter(f"{path}:{n} is not JSON: {exc}") from exc


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")


# -- stable contracts -------------------------------------------------------------------



def _serve_sample_site(stack: contextlib.ExitStack, port: int, option: str) -> str:
    """Serve the sample site for the rest of ``stack`` and point the settings at it; returns its URL."""
    from pipeline import sample_site

    try:
        base = stack.enter_context(sample_site.serve(port=port))
    except OSError as exc:
        raise ConfigError(f"port {port} on 127.0.0.1 is busy ({exc}); pass {option}") from exc
    os.environ.update({
        "NEWS_SAMPLE_SITE_URL": base,
        "NEWS_FEEDS_FILE": str(sample_site.FEEDS_FILE),
        "NEWS_ALLOW_HOSTS": "127.0.0.1",
        "NEWS_MIN_INTERVAL_S": os.environ.get("NEWS_MIN_INTERVAL_S", "0.05"),
    })
    return base

@app.command("classify")
def classify_cmd(file: Annotated[str, typer.Argument(help="JSON Lines {id, title, text}; - for stdin.")],
                 topics_file: Annotated[Path | None, typer.Option("--topics")] = None) -> None:
    """Score each item for every topic: {id, topics: {topic: {score, relevant, evidence}}}."""
    from pipeline.classify import score as classify

    topics = classify.load_topics(topics_file or settings.load().topics_file)
    for item in _jsonl(file):
        results = classify.classify(item.get("title") or "", item.get("text") or "", topics)
        _emit({"id": item.get("id"), "topics": classify.result_to_json(results)})


def _html_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.name.endswith((".html", ".htm", ".html.gz"))))
        elif path.exists():
            files.append(path)
        else:
            raise typer.BadParameter(f"{path} does not exist")
    return files


@app.command("extract")
def extract_cmd(paths: Annotated[list[Path], typer.Argument(help="HTML files (.html, .html.gz) or folders.")],
                url: Annotated[list[str] | None, typer.Option("--url", help="Each page's URL, in order.")] = None) -> None:
    """Extract clean text and metadata: {file, title, text, published_at, language} per file."""

    files = _html_files(paths)
    urls = list(url or [])
    if urls and len(urls) != len(files):
        raise typer.BadParameter(f"{len(urls)} --url values for {len(files)} files; give one per file or none")
    for i, path in enumerate(files):
        raw = path.read_bytes()
        if path.name.endswith(".gz"):
            raw = gzip.decompress(raw)
        try:
            result = extract_html(raw, urls[i] if urls else None)
        except Exception as exc:  # noqa: BLE001 - one hostile page must not end the batch
            logging.getLogger(__name__).warning("%s: extraction failed: %r", path, exc)
            result = None
        _emit({
            "file": str(path),
            "title": result.title if result else None,
            "text": result.text if result else "",
            "published_at": result.published_at.isoformat() if result and result.published_at else None,
            "language": result.language if result else None,
        })


@app.command("facts")
def facts_cmd(file: Annotated[str, typer.Argument(help="JSON Lines {id, title, text, published}; - for stdin.")]) -> None:
    """Extract entities, amounts, events and quotes per item (see shared/eval/FACTS.md)."""
    from pipeline.facts import document as facts

    for item in _jsonl(file):
        published = _date(item.get("published"))
        doc = facts.extract(item.get("title") or "", item.get("text") or "", published)
        _emit(doc.to_json(item.get("id")))


def _date(value: Any) -> date | None:
    if not value:
        return None
    from dateutil import parser as dateparser

    try:
        return dateparser.isoparse(str(value)).date()
    except ValueError:
        return None


# -- running ----------------------------------------------------------------------------


@app.command("run")
def run_cmd(feeds: FeedsOption = None,
            force: Annotated[bool, typer.Option(help="Fetch every feed, due or not.")] = False,
            verbose: Annotated[bool, typer.Option("-v", "--verbose")] = False) -> None:
    """Run every stage in this process, without Airflow (for development)."""
    from pipeline.stages import load, runner

    _setup_logging(verbose)
    if feeds:
        os.environ["NEWS_FEEDS_FILE"] = str(feeds.resolve())
    row = runner.run_pipeline(force=force)
    console.print(f"[bold]{row['run_id']}[/]: {load.summary(row)}")
    load.check_run(row)


@app.command("reprocess")
def reprocess_cmd(
    extract: Annotated[bool, typer.Option("--extract", help="Re-extract text from the stored raw HTML.")] = False,
    classify: Annotated[bool, typer.Option("--classify", help="Re-score topics (e.g. after editing topics.yaml).")] = False,
    facts: Annotated[bool, typer.Option("--facts", help="Re-extract facts of relevant articles.")] = False,
    since: Annotated[str | None, typer.Option(help="Only articles published on or after YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option(help="Only articles published on or before YYYY-MM-DD.")] = None,
    topic: Annotated[str | None, typer.Option(help="Only articles now relevant to this topic.")] = None,
    verbose: Annotated[bool, typer.Option("-v", "--verbose")] = False,
) -> None:
    """Run stages again over stored articles, without fetching; all three stages when none is named."""
    from pipeline.stages import load, reprocess

    _setup_logging(verbose)
    stages = tuple(name for name, on in (("extract", extract), ("classify", classify), ("facts", facts)) if on)
    row = reprocess.reprocess(stages or reprocess.STAGES, since=_date(since), until=_date(until), topic=topic)
    console.print(f"[bold]{row['run_id']}[/]: {load.summary(row)}")


@app.command("sample-site")
def sample_site_cmd(port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = DEMO_PORT) -> None:
    """Serve the bundled offline news site on 127.0.0.1 until Ctrl-C."""
    import time

    from pipeline import sample_site

    with sample_site.serve(port=port) as base:
        console.print(f"Serving the sample site at [bold]{base}[/] (feeds under {base}/feeds/). Ctrl-C stops.")
        console.print(f"Point newswatch at it: NEWS_SAMPLE_SITE_URL={base} NEWS_ALLOW_HOSTS=127.0.0.1 "
                      f"NEWS_FEEDS_FILE={sample_site.FEEDS_FILE}")
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)


@app.command("demo")
def demo_cmd(port: Annotated[int, typer.Option(help="Port of the sample site on 127.0.0.1.")] = DEMO_PORT,
             airflow: Annotated[bool, typer.Option(help="Run through Airflow (`airflow dags test`); "
                                                   "--no-airflow calls the stages directly.")] = True,
             verbose: Annotated[bool, typer.Option("-v", "--verbose")] = False) -> None:
    """Serve the sample site, run news_ingest once through Airflow, and summarise the warehouse."""
    from pipeline.cli import dagrun
    from pipeline.stages import runner

    _setup_logging(verbose)
    with contextlib.ExitStack() as stack:
        base = _serve_sample_site(stack, port, "--port")
        console.rule(f"newswatch demo: sample site at {base}")
        if airflow:
            console.print("Running DAG [bold]news_ingest[/] with `airflow dags test` (SQLite metadata DB) ...")
            dagrun.test_dag({"force": True}, quiet=not verbose)
        else:
            runner.run_pipeline(force=True)
    show_summary()
    _demo_alerts()



@app.command("airflow")
def airflow_cmd(port: Annotated[int, typer.Option(help="Port of the Airflow UI/API on 127.0.0.1.")] = 8080,
                site_port: Annotated[int, typer.Option(help="Port of the sample site on 127.0.0.1.")] = DEMO_PORT,
                sample: Annotated[bool, typer.Option("--sample-site/--real-feeds",
                                                     help="Feed the DAGs the offline sample site, or NEWS_FEEDS_FILE.")] = True,
                verbose: Annotated[bool, typer.Option("-v", "--verbose")] = False) -> None:
    """Run `airflow standalone` with the project's DAGs and plugins (the News monitor page) until Ctrl-C."""
    import time

    from pipeline.cli import dagrun

    _setup_logging(verbose)
    with contextlib.ExitStack() as stack:
        if sample:
            site = _serve_sample_site(stack, site_port, "--site-port")
            console.print(f"Sample site at [bold]{site}[/] (the DAGs fetch its feeds)")
        env = dagrun.server_env(port)
        console.print("Preparing Airflow: metadata DB, the one-slot duckdb_writer pool, the DAGs ...")
        dagrun.prepare(env)
        home = Path(env["AIRFLOW_HOME"])
        console.print(f"Starting `airflow standalone` (log: {home / 'standalone.log'}) ...")
        base = stack.enter_context(dagrun.serve(env, ("standalone",), log_path=home / "standalone.log"))
        passwords = dagrun.passwords_file(env)
        logins = json.loads(passwords.read_text()) if passwords.exists() else {}
        console.rule("Airflow is up")
        console.print(f"UI:           [bold]{base}/[/]")
        console.print(f"News monitor: [bold]{base}/news-monitor/[/] (also in the UI's navigation)")
        for user, password in logins.items():
            console.print(f"Log in as:    [bold]{user}[/] / [bold]{password}[/]")
        console.print(f"Passwords:    {passwords} (SimpleAuthManager; users from "
                      "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS, default admin)")
        console.print("DAGs start paused: unpause [bold]news_ingest[/] (or trigger it) in the UI. Ctrl-C stops.")
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)

def show_summary(snapshot_path: Path | None = None) -> None:
    from pipeline.views import summary

    result = summary.read(snapshot_path)
    if result is None:
        raise StorageError("no snapshot yet: run `newswatch run` or `newswatch demo` first")
    _print_table("Last run", result.last_run)
    _print_table("Matching stories (score per topic, ✓ = relevant; evidence from the text)", result.stories)
    _print_table("Top facts", result.facts)
    _print_table("Open follow-ups", result.followups)
    _print_table("Alerts that would be sent (one per story and topic)", result.alerts)
    cfg = settings.load()
    console.print(f"Live database (one writer): [bold]{cfg.duckdb_path}[/]")
    console.print(f"Snapshot for analysts:      [bold]{result.snapshot_path}[/]")
    console.print(f"Query it: [bold]newswatch sql \"select * from fct_matching_stories\"[/] "
                  f"or [bold]duckdb -readonly {result.snapshot_path}[/]")


def _print_table(title: str, table: Any) -> None:
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


@app.command("status")
def status_cmd() -> None:
    """Summarise what the warehouse holds (from the snapshot)."""
    show_summary()


@app.command("sql")
def sql_cmd(query: Annotated[str, typer.Argument(help="SQL to run read-only on the snapshot.")],
            as_csv: Annotated[bool, typer.Option("--csv", help="Write CSV.")] = False,
            as_json: Annotated[bool, typer.Option("--json", help="Write JSON Lines.")] = False,
            db: Annotated[Path | None, typer.Option("--db", help="Database file (default: the snapshot).")] = None) -> None:
    """Run a query read-only on the snapshot and print a table (or --csv / --json)."""
    import duckdb

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
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall()
    finally:
        con.close()
    if as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    elif as_json:
        for row in rows:
            _emit(dict(zip(columns, row, strict=True)))
    else:
        from pipeline.views.summary import Table

        _print_table("result", Table(columns, rows))


@app.command("export")
def export_cmd(fmt: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "parquet",
               out: Annotated[Path | None, typer.Option("--out", help="Folder to write (default: "
                                                        "$NEWS_DATA_DIR/export).")] = None,
               db: Annotated[Path | None, typer.Option("--db", help="Database file (default: the snapshot).")] = None) -> None:
    """Write every table and analyst view as one Parquet or CSV file each, for BI tools."""
    from pipeline.views import export

    written = export.export(fmt, out, db)
    for item in written:
        console.print(f"{item.kind:5} {item.name:28} {item.count_rows:>8} rows  {item.path}")
    console.print(f"{len(written)} files written")


@app.command("report")
def report_cmd(out: Annotated[Path | None, typer.Option("--out", help="HTML file to write (default: "
                                                        "$NEWS_DATA_DIR/report.html).")] = None,
               db: Annotated[Path | None, typer.Option("--db", help="Database file (default: the snapshot).")] = None) -> None:
    """Write a self-contained HTML report with charts that opens offline."""
    from pipeline.views import report

    console.print(f"Report written to [bold]{report.write_report(out, db)}[/]")


@alerts_app.command("preview")
def alerts_preview_cmd(limit: Annotated[int, typer.Option(help="How many to show.")] = 5) -> None:
    """Print the alerts that would be sent now (one per story and topic), as their plain-text bodies."""
    from pipeline.alerts import delivery as alerts

    pending = alerts.pending_alerts()
    for alert in pending[:limit]:
        typer.echo(alert.text() + "\n")
    typer.echo(f"{len(pending)} alerts pending")


@alerts_app.command("send")
def alerts_send_cmd(demo: Annotated[bool, typer.Option("--demo", help="Only the demo's outbox route, "
                                                       "whatever NEWS_ALERTS_FILE says.")] = False,
                    verbose: Annotated[bool, typer.Option("-v", "--verbose")] = False) -> None:
    """Deliver due alerts on every route (the news_alerts DAG's work, without Airflow); print what was sent."""
    from pipeline.alerts import delivery as alerts

    _setup_logging(verbose)
    report = alerts.send_alerts(config=alerts.demo_config() if demo else None)
    _print_deliveries(report)
    if report.failed:
        raise typer.Exit(1)


def _demo_alerts() -> None:
    """Deliver the pending alerts to the local outbox only (the demo never posts to a real channel)."""
    from pipeline.alerts import delivery as alerts

    console.rule(f"Alerts delivered to the outbox {alerts.outbox_file()}")
    _print_deliveries(alerts.send_alerts(config=alerts.demo_config()))


def _print_deliveries(report: Any) -> None:
    for d in report.sent:
        typer.echo(f"sent   {d.route:<16} {d.kind:<7} {d.key}  {d.count_stories:>3} stories  {d.title[:90]}")
    for d in report.failed:
        typer.echo(f"FAILED {d.route:<16} {d.kind:<7} {d.key}  {d.count_stories:>3} stories  {d.error}")
    typer.echo(f"{len(report.sent)} messages sent, {len(report.failed)} failed")


# -- evaluation -------------------------------------------------------------------------


class Half(StrEnum):
    """One of the two deterministic halves of a labelled file (``pipeline.eval.classify.split_half``)."""

    A = "A"
    B = "B"


EvalTopicsOption = Annotated[Path | None, typer.Option("--topics", help="Topics YAML (default: NEWS_TOPICS_FILE).")]
EvalHalfOption = Annotated[Half | None, typer.Option(
    "--half", help="Evaluate only half A or half B of the items (split by a hash of each id), "
                   "to tune rules on one half and check them on the other.")]


@eval_app.command("classify")
def eval_classify_cmd(labels: Annotated[Path, typer.Argument(help="Labelled JSON Lines, e.g. shared/eval/classify_dev.jsonl.")],
                      topics_file: EvalTopicsOption = None, half: EvalHalfOption = None) -> None:
    """Precision, recall, F1, confusion counts and the worst errors, per topic."""
    from pipeline.classify.score import load_topics
    from pipeline.eval import classify as eval_classify

    topics = load_topics(topics_file or settings.load().topics_file)
    typer.echo(eval_classify.format_report(eval_classify.evaluate(labels, topics, half=half.value if half else None)))


@eval_app.command("facts")
def eval_facts_cmd(gold: Annotated[Path, typer.Argument(help="Gold facts JSON Lines, e.g. shared/eval/facts_dev.jsonl.")]) -> None:
    """Precision and recall of entities, amounts, events and quotes against gold facts."""
    from pipeline.eval import facts as eval_facts

    typer.echo(eval_facts.format_report(eval_facts.evaluate(gold)))


@eval_app.command("extraction")
def eval_extraction_cmd(folder: Annotated[Path, typer.Argument(help="Benchmark folder with html/ and ground-truth.json, "
                                                             "e.g. shared/eval/extraction.")]) -> None:
    """Shingle precision, recall and F1 of the article extractor on a benchmark."""
    from pipeline.eval import extraction as eval_extract

    typer.echo(eval_extract.format_report(eval_extract.evaluate(folder)))


def main() -> None:
    try:
        app()
    except PipelineError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise SystemExit(1) from exc


if __name__ == "__main__":
    main()
