"""``newswatch eval``: measure classification, facts and extraction quality on labelled data."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from pipeline import settings

app = typer.Typer(help="Measure quality on labelled data (shared/eval).", no_args_is_help=True)


class Half(StrEnum):
    """One of the two deterministic halves of a labelled file (``pipeline.eval.classify.split_half``)."""

    A = "A"
    B = "B"


EvalTopicsOption = Annotated[Path | None, typer.Option("--topics", help="Topics YAML (default: NEWS_TOPICS_FILE).")]
EvalHalfOption = Annotated[Half | None, typer.Option(
    "--half", help="Evaluate only half A or half B of the items (split by a hash of each id), "
                   "to tune rules on one half and check them on the other.")]


@app.command("classify")
def eval_classify_cmd(labels: Annotated[Path, typer.Argument(help="Labelled JSON Lines, e.g. shared/eval/classify_dev.jsonl.")],
                      topics_file: EvalTopicsOption = None, half: EvalHalfOption = None) -> None:
    """Precision, recall, F1, confusion counts and the worst errors, per topic."""
    from pipeline.classify.config import load_topics
    from pipeline.eval import classify as eval_classify

    topics = load_topics(topics_file or settings.load().topics_file)
    typer.echo(eval_classify.format_report(eval_classify.evaluate(labels, topics, half=half.value if half else None)))


@app.command("facts")
def eval_facts_cmd(gold: Annotated[Path | None, typer.Argument(
        help="Gold facts JSON Lines (e.g. shared/eval/facts_dev.jsonl) or a folder of facts*.jsonl "
             "(default: every gold file of ../shared/eval).")] = None) -> None:
    """Entities, amounts, events and quotes against gold facts: a table per file, recall by type, every miss."""
    from pipeline.eval import facts as eval_facts

    try:
        reports = eval_facts.evaluate_all(gold or eval_facts.default_gold_dir())
    except FileNotFoundError as exc:
        raise typer.BadParameter(str(exc), param_hint="GOLD") from exc
    typer.echo(eval_facts.format_all(reports))


@app.command("extraction")
def eval_extraction_cmd(folder: Annotated[Path, typer.Argument(help="Benchmark folder with html/ and ground-truth.json, "
                                                             "e.g. shared/eval/extraction.")]) -> None:
    """Shingle precision, recall and F1 of the article extractor on a benchmark."""
    from pipeline.eval import extraction as eval_extract

    typer.echo(eval_extract.format_report(eval_extract.evaluate(folder)))
