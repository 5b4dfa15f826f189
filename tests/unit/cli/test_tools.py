"""The stable JSON Lines contracts of the CLI: classify, extract and facts, one line per input, in order."""

from __future__ import annotations

import gzip
import json

from typer.testing import CliRunner

from pipeline import sample_site
from pipeline.cli.app import app

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


def test_facts_contract_one_line_per_input_with_its_id(tmp_path):
    items = [
        {"id": "a", "title": "Japan to invest in US",
         "text": "Prime Minister Sanae Takaichi said Japan will invest $550 billion in the United States.",
         "published": "2025-10-28T09:00:00Z"},
        {"id": "b", "title": "Local bakery wins prize", "text": "The bread was excellent.", "published": "not a date"},
    ]
    path = tmp_path / "items.jsonl"
    path.write_text("\n".join(json.dumps(i) for i in items) + "\n\n")
    result = runner.invoke(app, ["facts", str(path)])
    assert result.exit_code == 0, result.output
    out = lines(result.stdout)
    assert [o["id"] for o in out] == ["a", "b"]
    assert {"entities", "amounts", "events", "quotes"} <= set(out[0])
    assert {"name": "Sanae Takaichi", "type": "PERSON"}.items() <= out[0]["entities"][0].items()
    assert [a["text"] for a in out[0]["amounts"]] == ["$550 billion"]
    assert out[1]["amounts"] == [] and out[1]["events"] == []


def test_facts_routes_by_the_items_language(tmp_path):
    text = "高市総理大臣は10日、トランプ大統領と電話会談しました。"
    items = [{"id": "ja", "title": "", "text": text, "published": "2025-06-11", "language": "ja"},
             {"id": "en", "title": "", "text": text, "published": "2025-06-11", "language": "en"}]
    path = tmp_path / "items.jsonl"
    path.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in items) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["facts", str(path)])
    assert result.exit_code == 0, result.output
    ja, en = lines(result.stdout)
    assert [(e["type"], e["status"], e["date"]) for e in ja["events"]] == [("meeting", "happened", "2025-06-10")]
    assert en["events"] == []  # told it is English, the English extractor reads it (and finds no event)


def test_a_line_that_is_not_json_is_named_by_file_and_line(tmp_path):
    path = tmp_path / "items.jsonl"
    path.write_text('{"id": "a", "title": "t", "text": "x"}\nnot json\n')
    result = runner.invoke(app, ["classify", str(path)], env={"COLUMNS": "400"})
    assert result.exit_code == 2  # a usage error, after the first line was answered
    assert f"{path}:2 is not JSON" in result.output
