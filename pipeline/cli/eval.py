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
def eval_classify_cmd(labels: Annotated[list[Path], typer.Argument(help="Labelled JSON Lines, e.g. "
                                                                   "../shared/eval/classify_dev.jsonl classify_train.jsonl.")],
                      topics_file: EvalTopicsOption = None, half: EvalHalfOption = None,
                      rules_only: Annotated[bool, typer.Option("--rules-only", help="Score with the rules alone, "
                                                               "one pass (the rules are not fitted per fold).")] = False,
                      folds: Annotated[int, typer.Option("--folds", min=2, max=20, help="Outer and inner folds of "
                                                         "the nested cross-validation.")] = 5) -> None:
    """Precision, recall, F1, confusion counts and the worst errors, per topic.

    With a learned model beside the topics file: nested k-fold cross-validation of rules + model over
    every item of the files (folds by a hash of the id), and a reliability table. Without one, or with
    --rules-only or --half: the rules alone, in one pass.
    """
    from pipeline.classify.config import load_topics
    from pipeline.eval import classify as eval_classify

    topics = load_topics(topics_file or settings.load().topics_file)
    if topics.model is None or rules_only or half is not None:
        for path in labels:
            typer.echo(eval_classify.format_report(eval_classify.evaluate(
                path, topics, half=half.value if half else None, use_model=False)))
        return
    items = eval_classify.read_all(labels)
    report, reliability = eval_classify.cross_validate(items, topics, labels_path=Path(" + ".join(map(str, labels))),
                                                       folds=folds)
    typer.echo(eval_classify.format_report(report))
    typer.echo("")
    typer.echo(eval_classify.format_reliability(reliability))


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
