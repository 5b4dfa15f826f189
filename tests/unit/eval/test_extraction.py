"""``pipeline.eval.extraction``: the shingle metric of DESIGN.md, and the benchmark run over a tiny folder."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from pipeline.eval.extraction import ExtractionReport, evaluate, format_report, score, shingles

BODY = ("Japan and the United States signed a framework on rare earth supply in Tokyo on Tuesday. "
        "The agreement covers mining, processing and stockpiles of critical minerals for both allies. "
        "Officials said the deal would be reviewed every year by both governments.")
ARTICLE = (f"<html><head><title>Pact signed</title></head><body><nav>Home News Sport</nav><article>"
           f"<h1>Pact signed</h1><p>{BODY}</p></article><footer>Copyright Pacific Ledger</footer></body></html>")


def write_benchmark(folder: Path, pages: dict[str, tuple[str, str]]) -> Path:
    """A benchmark folder as in shared/eval/extraction: ``html/<id>.html.gz`` and ``ground-truth.json``."""
    (folder / "html").mkdir(parents=True)
    for page_id, (html, _) in pages.items():
        (folder / "html" / f"{page_id}.html.gz").write_bytes(gzip.compress(html.encode()))
    truth = {page_id: {"articleBody": gold, "url": f"https://example.com/{page_id}"}
             for page_id, (_, gold) in pages.items()}
    (folder / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")
    return folder


def test_shingles_are_lower_cased_four_word_bags_without_punctuation() -> None:
    assert shingles("A, B. c! D e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert shingles("a b c d a b c d")[("a", "b", "c", "d")] == 2
    assert not shingles("three words only")


@pytest.mark.parametrize(("predicted", "gold", "expected"), [
    ("a b c d", "A, B. c d!", (1.0, 1.0)),
    ("a b c d e", "a b c d", (0.5, 1.0)),            # one shingle of two is in the gold
    ("a b c d", "a b c d e", (1.0, 0.5)),            # half of the gold found
    ("a b c d a b c d", "a b c d", (0.2, 1.0)),      # bags: a repeated shingle counts once per gold copy
    ("", "a b c d", (None, 0.0)),                    # no output: no precision, nothing recalled
    ("a b c d", "", (0.0, 1.0)),                     # nothing to find counts as found
])
def test_score_is_shingle_precision_and_recall(predicted: str, gold: str, expected: tuple[float | None, float]) -> None:
    assert score(predicted, gold) == expected


def test_evaluate_averages_precision_over_pages_with_output_and_recall_over_all(tmp_path: Path) -> None:
    folder = write_benchmark(tmp_path / "bench", {
        "article": (ARTICLE, BODY),
        "blank": ("<html><body></body></html>", "A story the extractor cannot see on an empty page."),
    })
    report = evaluate(folder)
    assert (report.pages, report.pages_with_output) == (2, 1)
    # the extractor keeps the headline: every gold shingle is found, plus the two that start with it
    gold_shingles = sum(shingles(BODY).values())
    assert report.precision == pytest.approx(gold_shingles / (gold_shingles + 2))
    assert report.recall == pytest.approx((1.0 + 0.0) / 2)
    assert report.f1 == pytest.approx(2 * report.precision * report.recall / (report.precision + report.recall))
    assert report.seconds > 0


def test_an_empty_benchmark_scores_zero(tmp_path: Path) -> None:
    report = evaluate(write_benchmark(tmp_path / "bench", {}))
    assert (report.pages, report.precision, report.recall, report.f1) == (0, 0.0, 0.0, 0.0)


def test_a_page_missing_from_html_is_an_error(tmp_path: Path) -> None:
    folder = write_benchmark(tmp_path / "bench", {"article": (ARTICLE, BODY)})
    (folder / "html" / "article.html.gz").unlink()
    with pytest.raises(FileNotFoundError):
        evaluate(folder)


def test_format_report_gives_speed_then_the_scores() -> None:
    report = ExtractionReport(pages=4, pages_with_output=3, precision=0.5, recall=0.25, seconds=2.0)
    assert format_report(report) == ("pages 4 (with output 3), 2 pages/s on one core\n"
                                     "precision 0.500  recall 0.250  F1 0.333")
    assert format_report(ExtractionReport(0, 0, 0.0, 0.0, 0.0)).startswith("pages 0 (with output 0), 0 pages/s")
