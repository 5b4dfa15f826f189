"""``newswatch alerts``: preview the pending alerts, or deliver them without Airflow."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from pipeline.cli.common import VerboseOption, console, setup_logging

app = typer.Typer(help="Alerts on new matching stories.", no_args_is_help=True)


@app.command("preview")
def alerts_preview_cmd(limit: Annotated[int, typer.Option(help="How many to show.")] = 5) -> None:
    """Print what each route of NEWS_ALERTS_FILE would send now, as the messages' plain-text bodies; with
    nothing pending, the messages delivered last on those routes. Sends nothing."""
    from pipeline.alerts import ledger

    planned = ledger.preview()
    messages = [m for p in planned for m in p.messages]
    for message in messages[:limit]:
        typer.echo(f"== route {message.route}, {message.kind}: {message.title()}\n{message.text()}\n")
    for p in planned:
        typer.echo(f"route {p.route}: {len(p.messages)} messages, {p.count_alerts} alerts")
    if not messages:
        _print_last_delivered(limit, [p.route for p in planned])
    typer.echo(f"{sum(p.count_alerts for p in planned)} alerts pending")


def _print_last_delivered(limit: int, routes: list[str]) -> None:
    """Nothing is pending: the messages delivered last on the file's routes, as their recipients read them."""
    from pipeline.alerts import history

    delivered = history.last_delivered(limit, routes=routes)
    if not delivered:
        typer.echo("nothing delivered yet")
        return
    typer.echo(f"the last {len(delivered)} messages delivered, newest first:\n")
    for d in delivered:
        when = d.sent_at.strftime("%Y-%m-%d %H:%M UTC") if d.sent_at else "?"
        typer.echo(f"== delivered {when} on route {d.message.route}: {d.message.title()}\n{d.message.text()}\n")


@app.command("send")
def alerts_send_cmd(demo: Annotated[bool, typer.Option("--demo", help="Only the demo's outbox route, "
                                                       "whatever NEWS_ALERTS_FILE says.")] = False,
                    verbose: VerboseOption = False) -> None:
    """Deliver due alerts on every route (the news_alerts DAG's work, without Airflow); print what was sent."""
    from pipeline.alerts import ledger, routes

    setup_logging(verbose)
    report = ledger.send_alerts(config=routes.demo_config() if demo else None)
    _print_deliveries(report)
    if report.failed:
        raise typer.Exit(1)


def send_demo_alerts() -> None:
    """Deliver the pending alerts to the local outbox only (the demo never posts to a real channel)."""
    from pipeline.alerts import channels, ledger, routes

    console.rule(f"Alerts delivered to the outbox {channels.outbox_file()}")
    _print_deliveries(ledger.send_alerts(config=routes.demo_config()))


def _print_deliveries(report: Any) -> None:
    for d in report.sent:
        typer.echo(f"sent   {d.route:<16} {d.kind:<7} {d.key}  {d.count_stories:>3} stories  {d.title[:90]}")
    for d in report.failed:
        typer.echo(f"FAILED {d.route:<16} {d.kind:<7} {d.key}  {d.count_stories:>3} stories  {d.error}")
    typer.echo(f"{len(report.sent)} messages sent, {len(report.failed)} failed")
