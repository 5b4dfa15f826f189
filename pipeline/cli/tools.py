"""``newswatch classify``, ``extract`` and ``facts``: one stage's logic over files, as JSON Lines.

These are stable contracts that the evaluation tooling depends on: one output line per input, in
order. Keep their shapes.
"""

from __future__ import annotations

import gzip
import logging
from pathlib import Path
from typing import Annotated

import typer

from pipeline import settings
from pipeline.cli.common import emit, parse_date, read_jsonl

app = typer.Typer()


@app.command("classify")
def classify_cmd(file: Annotated[str, typer.Argument(help="JSON Lines {id, title, text}; - for stdin.")],
                 topics_file: Annotated[Path | None, typer.Option("--topics")] = None) -> None:
    """Score each item for every topic: {id, topics: {topic: {score, relevant, evidence}}}."""
    from pipeline.classify import config, score

    topics = config.load_topics(topics_file or settings.load().topics_file)
    for item in read_jsonl(file):
        results = score.classify(item.get("title") or "", item.get("text") or "", topics)
        emit({"id": item.get("id"), "topics": score.result_to_json(results)})


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
    from pipeline.extract.html import extract_html

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
        emit({
            "file": str(path),
            "title": result.title if result else None,
            "text": result.text if result else "",
            "published_at": result.published_at.isoformat() if result and result.published_at else None,
            "language": result.language if result else None,
        })


@app.command("facts")
def facts_cmd(
    file: Annotated[str, typer.Argument(help="JSON Lines {id, title, text, published[, language]}; - for stdin.")],
) -> None:
    """Extract entities, amounts, events and quotes per item (see shared/eval/FACTS.md).

    An item's "language" (as `newswatch extract` prints it) routes it; without one, the text decides.
    """
    from pipeline.facts import document

    for item in read_jsonl(file):
        published = parse_date(item.get("published"))
        language = item.get("language") if isinstance(item.get("language"), str) else None
        doc = document.extract(item.get("title") or "", item.get("text") or "", published, language)
        emit(doc.to_json(item.get("id")))
