"""The ``newswatch`` command line: the Typer app that gathers the command modules, and ``main``.

Each group of commands lives in its own module: ``run`` (running the pipeline), ``analyst`` (what
the snapshot holds), ``alerts``, ``eval`` (quality on labelled data), ``train`` (the relevance model) and ``tools`` (the stable JSON
Lines contracts ``classify``, ``extract`` and ``facts``).
"""

from __future__ import annotations

import typer

from pipeline.cli import alerts, analyst, eval, run, tools, train
from pipeline.cli.common import err
from pipeline.errors import PipelineError

app = typer.Typer(help="newswatch: monitor news on US-Japan relations and rare earths / critical minerals.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
app.add_typer(tools.app)
app.add_typer(run.app)
app.add_typer(analyst.app)
app.add_typer(eval.app, name="eval")
app.add_typer(alerts.app, name="alerts")
app.add_typer(train.app, name="train")


def main() -> None:
    """Run the command line; a ``PipelineError`` is printed as one line and exits with status 1."""
    try:
        app()
    except PipelineError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise SystemExit(1) from exc


if __name__ == "__main__":
    main()
