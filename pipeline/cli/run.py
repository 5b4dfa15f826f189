"""``newswatch run``, ``reprocess``, ``demo``, ``sample-site`` and ``airflow``: running the pipeline."""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path
from typing import Annotated

import typer

from pipeline import settings
from pipeline.cli.alerts import send_demo_alerts
from pipeline.cli.analyst import show_brief
from pipeline.cli.common import VerboseOption, console, parse_date, setup_logging
from pipeline.errors import ConfigError

app = typer.Typer()

DEMO_PORT = 8765
FeedsOption = Annotated[Path | None, typer.Option("--feeds", help="Feeds YAML to use (sets NEWS_FEEDS_FILE).")]


def _serve_sample_site(stack: contextlib.ExitStack, port: int, option: str) -> str:
    """Serve the sample site for the rest of ``stack`` and point the settings at it; returns its URL."""
    from pipeline import sample_site

    try:
        base = stack.enter_context(sample_site.serve(port=port))
    except OSError as exc:
        raise ConfigError(f"port {port} on 127.0.0.1 is busy ({exc}); pass {option}") from exc
    os.environ.update(settings.sample_site_env(base, sample_site.FEEDS_FILE))
    return base


def _wait_for_ctrl_c() -> None:
    with contextlib.suppress(KeyboardInterrupt):
        while True:
            time.sleep(3600)


@app.command("run")
def run_cmd(feeds: FeedsOption = None,
            force: Annotated[bool, typer.Option(help="Fetch every feed, due or not.")] = False,
            verbose: VerboseOption = False) -> None:
    """Run every stage in this process, without Airflow (for development)."""
    from pipeline.stages import load, runner

    setup_logging(verbose)
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
    verbose: VerboseOption = False,
) -> None:
    """Run stages again over stored articles, without fetching; all three stages when none is named."""
    from pipeline.stages import load, reprocess

    setup_logging(verbose)
    stages = tuple(name for name, on in (("extract", extract), ("classify", classify), ("facts", facts)) if on)
    row = reprocess.reprocess(stages or reprocess.STAGES, since=parse_date(since), until=parse_date(until), topic=topic)
    console.print(f"[bold]{row['run_id']}[/]: {load.summary(row)}")


@app.command("sample-site")
def sample_site_cmd(port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = DEMO_PORT) -> None:
    """Serve the bundled offline news site on 127.0.0.1 until Ctrl-C."""
    from pipeline import sample_site

    with sample_site.serve(port=port) as base:
        console.print(f"Serving the sample site at [bold]{base}[/] (feeds under {base}/feeds/). Ctrl-C stops.")
        console.print(f"Point newswatch at it: NEWS_SAMPLE_SITE_URL={base} NEWS_ALLOW_HOSTS=127.0.0.1 "
                      f"NEWS_FEEDS_FILE={sample_site.FEEDS_FILE}")
        _wait_for_ctrl_c()


@app.command("demo")
def demo_cmd(port: Annotated[int, typer.Option(help="Port of the sample site on 127.0.0.1.")] = DEMO_PORT,
             airflow: Annotated[bool, typer.Option(help="Run through Airflow (`airflow dags test`); "
                                                   "--no-airflow calls the stages directly.")] = True,
             verbose: VerboseOption = False) -> None:
    """Serve the sample site, run news_ingest once through Airflow, and summarise the warehouse."""
    from pipeline.cli import dagrun
    from pipeline.stages import runner

    setup_logging(verbose)
    with contextlib.ExitStack() as stack:
        base = _serve_sample_site(stack, port, "--port")
        console.rule(f"newswatch demo: sample site at {base}")
        if airflow:
            console.print("Running DAG [bold]news_ingest[/] with `airflow dags test` (SQLite metadata DB) ...")
            dagrun.test_dag({"force": True}, quiet=not verbose)
        else:
            runner.run_pipeline(force=True)
    show_brief()
    send_demo_alerts()


@app.command("airflow")
def airflow_cmd(port: Annotated[int, typer.Option(help="Port of the Airflow UI/API on 127.0.0.1.")] = 8080,
                site_port: Annotated[int, typer.Option(help="Port of the sample site on 127.0.0.1.")] = DEMO_PORT,
                sample: Annotated[bool, typer.Option("--sample-site/--real-feeds",
                                                     help="Feed the DAGs the offline sample site, or NEWS_FEEDS_FILE.")] = True,
                verbose: VerboseOption = False) -> None:
    """Run `airflow standalone` with the project's DAGs and plugins (the News monitor page) until Ctrl-C."""
    from pipeline.cli import dagrun

    setup_logging(verbose)
    with contextlib.ExitStack() as stack:
        if sample:
            site = _serve_sample_site(stack, site_port, "--site-port")
            console.print(f"Sample site at [bold]{site}[/] (the DAGs fetch its feeds)")
        env = dagrun.server_env(port, production=not sample)  # real feeds: no NEWS_ALLOW_HOSTS
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
        _wait_for_ctrl_c()
