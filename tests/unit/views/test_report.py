"""The static report: one offline HTML file with the charts and the escaped, highlighted stories."""

from __future__ import annotations

import pytest

from pipeline import settings
from pipeline.errors import StorageError
from pipeline.views import report


def test_highlight_escapes_and_marks_each_term():
    assert report.highlight("Rare earths <b> and rare EARTHS", ["rare earths"]) == (
        "<mark>Rare earths</mark> &lt;b&gt; and <mark>rare EARTHS</mark>")
    assert report.highlight("a < b", ["zzz"]) == "a &lt; b"


def test_the_report_shows_the_stories_and_the_charts_offline(loaded, tmp_path):
    out = report.write_report(tmp_path / "report.html")
    page = out.read_text(encoding="utf-8")
    assert page.count("<tr><td>2025-10-28</td>") == 2  # a1, once per topic
    assert "Japan &lt;script&gt;x&lt;/script&gt; &amp; US sign rare earths pact" in page
    assert "<script>x</script>" not in page
    assert "signed a framework on <mark>rare earths</mark>." in page
    assert "news.test · 1 copy · terms: japan, rare earths" in page
    for chart in ("topic-volume", "top-entities", "followup-calendar", "amounts"):
        assert f'id="chart-{chart}"' in page
    assert "<script src=" not in page  # Plotly is inline: the file opens offline


def test_no_snapshot_yet_is_a_storage_error_naming_the_command():
    with pytest.raises(StorageError, match="newswatch run"):
        report.write_report(db_path=settings.load().data_dir / "missing.duckdb")
