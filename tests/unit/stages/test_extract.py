"""Decoding and main-text extraction: charsets, boilerplate, fallbacks."""

from __future__ import annotations

import pytest

from pipeline import sample_site
from pipeline.eval.extraction import score
from pipeline.stages import extract

ARTICLE = sample_site.SITE_DIR / "articles" / "trump-takaichi-summit.html"
JA = "日米首脳会談でレアアースの供給網について合意した。高市首相は記者団に述べた。" * 3


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param(f"<html><body><p>{JA}</p></body></html>".encode("shift_jis"), "text/html; charset=Shift_JIS",
                     id="shift-jis-from-header"),
        pytest.param(f'<html><head><meta charset="shift_jis"></head><body><p>{JA}</p></body></html>'.encode("cp932"),
                     "text/html", id="shift-jis-from-meta"),
        pytest.param(f"<html><body><p>{JA}</p></body></html>".encode("euc_jp"), "text/html; charset=EUC-JP",
                     id="euc-jp-from-header"),
        pytest.param(f"<html><body><p>{JA}</p></body></html>".encode(), "text/html", id="undeclared-utf8"),
    ],
)
def test_japanese_pages_decode(body, content_type):
    assert JA in extract.decode_html(body, content_type)


def test_an_undeclared_latin1_page_decodes():
    text = "Les ministres ont signé l’accord à Tōkyō".replace("ō", "o").replace("’", "'") * 5
    body = f"<html><body><p>{text}</p></body></html>".encode("iso-8859-1")
    assert text in extract.decode_html(body, "text/html")


def test_a_wrong_header_charset_falls_back_instead_of_mojibake():
    body = "<p>café – Tōkyō</p>".encode()
    assert "café – Tōkyō" in extract.decode_html(body, "text/html; charset=no-such-charset")


def test_article_body_without_navigation_related_links_or_footer():
    result = extract.extract_html(ARTICLE.read_bytes(), "http://127.0.0.1/articles/trump-takaichi-summit.html")
    assert result is not None
    assert "Akasaka Palace" in result.text and "$550 billion" in result.text
    for boilerplate in ("Related stories", "Newsletter", "cookies", "Terms of use"):
        assert boilerplate.lower() not in result.text.lower()
    assert result.language == "en"
    assert result.published_at is not None and result.published_at.date().isoformat() == "2025-10-28"


def page_row(tmp_path, html: bytes | None, summary: str) -> dict:
    import gzip

    raw = None
    if html is not None:
        raw = tmp_path / "page.html.gz"
        raw.write_bytes(gzip.compress(html))
    return {"article_id": "a1", "url": "http://news.test/a", "original_url": "http://news.test/a",
            "final_url": "http://news.test/a", "feed_url": "http://news.test/feed", "feed_name": "t", "guid": None,
            "title": "Japan and US agree minerals pact", "summary": summary, "author": None, "published_at": None,
            "seen_at": None, "page_status": "ok" if html else "failed", "http_status": 200 if html else 503,
            "error_class": None if html else "http_503", "content_type": "text/html",
            "raw_path": str(raw) if raw else None, "page_attempts": 1}


SUMMARY = ("Tokyo and Washington agreed a framework to secure supplies of critical minerals and rare earths, "
           "officials said on Tuesday, as the two allies seek to cut reliance on China. ") * 2


def test_a_navigation_only_page_falls_back_to_the_feed_summary(tmp_path):
    row, outcome = extract.article_row(page_row(tmp_path, b"<html><body><nav><a href='/'>Home</a></nav></body></html>",
                                             SUMMARY))
    assert outcome == "too_short"
    assert row["text"] == SUMMARY and row["text_source"] == "summary" and row["is_truncated"]


def test_a_failed_page_keeps_the_summary_and_is_flagged(tmp_path):
    row, outcome = extract.article_row(page_row(tmp_path, None, SUMMARY))
    assert outcome == "no_page" and row["text_source"] == "summary" and row["is_truncated"]
    assert row["published_source"] == "none"


def test_a_paywalled_page_is_flagged(tmp_path):
    body = ("<html><body><article><h1>Minerals</h1><p>" + "Japan and the United States signed a deal. " * 10
            + "</p><p>Subscribe to continue reading this article.</p></article></body></html>").encode()
    row, _ = extract.article_row(page_row(tmp_path, body, ""))
    assert row["is_truncated"]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        pytest.param(JA, "ja", id="japanese"),
        pytest.param("The United States and Japan signed a framework on critical minerals.", "en", id="english"),
        pytest.param("中国商务部宣布对稀土相关物项实施出口管制措施，以维护国家安全和利益。" * 2, "zh", id="chinese"),
        pytest.param("", None, id="empty"),
    ],
)
def test_language_guess(text, language):
    assert extract.guess_language(text) == language


def test_shingle_score_matches_the_benchmark_definition():
    gold = "one two three four five six"
    assert score(gold, gold) == (1.0, 1.0)
    precision, recall = score("one two three four zzz", gold)
    assert precision == 0.5 and recall == pytest.approx(1 / 3)
    assert score("", gold) == (None, 0.0)
