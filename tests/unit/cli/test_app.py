"""The stable JSON Lines contracts of the CLI, and `newswatch sql` on a snapshot."""

from __future__ import annotations

import gzip
import json

import duckdb
from typer.testing import CliRunner

from pipeline import sample_site, settings
from pipeline.cli.app import app
from pipeline.warehouse import db as warehouse
from pipeline.warehouse import migrate

runner = CliRunner()
ARTICLE = sample_site.SITE_DIR / "articles" / "trump-takaichi-summit.html"


def lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_classify_contract_one_line_per_input_in_order():
    items = [
        {"id": "a", "title": "US and Japan sign rare earths pact", "text": "Trump and Takaichi signed it in Tokyo."},
        {"id": "b", "title": "Local bakery wins prize", "text": "The bread was excellent."},
    ]
    result = runner.invoke(app, ["classify", "-"], input="\n".join(json.dumps(i) for i in items))
    assert result.exit_code == 0, result.output
    out = lines(result.stdout)
    assert [o["id"] for o in out] == ["a", "b"]
    for o in out:
        assert set(o["topics"]) == {"us_japan", "rare_earths"}
        for verdict in o["topics"].values():
            assert 0.0 <= verdict["score"] <= 1.0 and isinstance(verdict["relevant"], bool)
            for ev in verdict["evidence"]:
                assert {"text", "start", "end"} <= set(ev)
    assert out[0]["topics"]["us_japan"]["relevant"] and not out[1]["topics"]["us_japan"]["relevant"]


def test_extract_contract_reads_html_and_gzip(tmp_path):
    gz = tmp_path / "copy.html.gz"
    gz.write_bytes(gzip.compress(ARTICLE.read_bytes()))
    result = runner.invoke(app, ["extract", str(ARTICLE), str(gz)])
    assert result.exit_code == 0, result.output
    out = lines(result.stdout)
    assert [o["file"] for o in out] == [str(ARTICLE), str(gz)]
    for o in out:
        assert set(o) == {"file", "title", "text", "published_at", "language"}
        assert "Akasaka Palace" in o["text"] and o["language"] == "en"
        assert o["published_at"].startswith("2025-10-28")


def test_extract_rejects_a_url_count_that_does_not_match(tmp_path):
    result = runner.invoke(app, ["extract", str(ARTICLE), "--url", "http://a", "--url", "http://b"])
    assert result.exit_code != 0


def test_sql_reads_the_snapshot_as_csv_and_json():
    cfg = settings.load()
    cfg.data_dir.mkdir(parents=True)
    with duckdb.connect(str(cfg.duckdb_path)) as con:
        migrate.apply(con)
    warehouse.publish_snapshot()
    result = runner.invoke(app, ["sql", "select 1 as one, 'x' as two", "--csv"])
    assert result.exit_code == 0 and result.stdout.splitlines() == ["one,two", "1,x"]
    result = runner.invoke(app, ["sql", "select count(*) as n from articles", "--json"])
    assert lines(result.stdout) == [{"n": 0}]
    result = runner.invoke(app, ["sql", "create table nope (x int)"])
    assert result.exit_code == 2  # the snapshot is opened read-only
