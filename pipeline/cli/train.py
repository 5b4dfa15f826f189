"""``newswatch train classify``: fit the relevance model from labelled files and analysts' feedback."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from pipeline import settings

app = typer.Typer(help="Train the learned parts of the pipeline.", no_args_is_help=True)


@app.command("classify")
def train_classify_cmd(
        labels: Annotated[list[Path], typer.Argument(help="Labelled JSON Lines, e.g. ../shared/eval/classify_*.jsonl.")],
        topics_file: Annotated[Path | None, typer.Option("--topics", help="Topics YAML (default: NEWS_TOPICS_FILE).")] = None,
        out: Annotated[Path | None, typer.Option("--out", help="Where to write the artifact "
                                                 "(default: classifier_model.json beside the topics file).")] = None,
        feedback: Annotated[bool, typer.Option("--feedback/--no-feedback", help="Include the analysts' marks "
                                               "from the snapshot (relevance_feedback).")] = True,
        snapshot: Annotated[Path | None, typer.Option("--snapshot", help="Snapshot the marks are read from "
                                                      "(default: NEWS_SNAPSHOT_PATH).")] = None) -> None:
    """Fit the model with a fixed seed; the same labels, marks, rules and code give the same bytes."""
    from pipeline.classify import model, score, train
    from pipeline.classify.config import load_topics
    from pipeline.classify.feedback import training_items
    from pipeline.eval.classify import read_labels
    from pipeline.warehouse.feedback import training_rows

    topics_path = topics_file or settings.load().topics_file
    topics = load_topics(topics_path)
    marks = training_items(training_rows(snapshot)) if feedback else []
    items = train.merge_items([read_labels(path) for path in labels], marks)
    data = train.build(items, topics)
    target = out or topics_path.parent / model.DEFAULT_MODEL_FILE_NAME
    target.write_bytes(data)
    typer.echo(f"trained on {len(items)} items ({len(marks)} with analysts' marks): {target} "
               f"({len(data) / 1e6:.2f} MB)")
    retrained = replace(topics, model=model.load_model(target))
    for mark in marks:  # what the retrained model changes on the stories the analysts marked
        before = score.classify(mark["title"], mark["text"], topics)
        after = score.classify(mark["title"], mark["text"], retrained)
        for name in mark["labels"]:
            if name in before and before[name].relevant != after[name].relevant:
                typer.echo(f"  flips {name}: {before[name].relevant} -> {after[name].relevant} "
                           f"({before[name].score:.3f} -> {after[name].score:.3f})  {mark['title'][:80]}")
