"""One page to clean text: charset decoding, trafilatura's main text and metadata, the language guess."""

from __future__ import annotations

import pytest

from pipeline import sample_site
from pipeline.extract.html import decode_html, extract_html, guess_language, page_canonical_url

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
    assert JA in decode_html(body, content_type)


def test_an_undeclared_latin1_page_decodes():
    text = "Les ministres ont signé l’accord à Tōkyō".replace("ō", "o").replace("’", "'") * 5
    body = f"<html><body><p>{text}</p></body></html>".encode("iso-8859-1")
    assert text in decode_html(body, "text/html")


def test_a_wrong_header_charset_falls_back_instead_of_mojibake():
    body = "<p>café – Tōkyō</p>".encode()
    assert "café – Tōkyō" in decode_html(body, "text/html; charset=no-such-charset")


def test_article_body_without_navigation_related_links_or_footer():
    result = extract_html(ARTICLE.read_bytes(), "http://127.0.0.1/articles/trump-takaichi-summit.html")
    assert result is not None
    assert "Akasaka Palace" in result.text and "$550 billion" in result.text
    for boilerplate in ("Related stories", "Newsletter", "cookies", "Terms of use"):
        assert boilerplate.lower() not in result.text.lower()
    assert result.language == "en"
    assert result.published_at is not None and result.published_at.date().isoformat() == "2025-10-28"


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
    assert guess_language(text) == language


@pytest.mark.parametrize("href", ["http://[::1", "http://news.test:99999/a.html", "//[fe80::1/x"])
def test_a_canonical_that_names_no_page_declares_nothing_and_the_text_is_kept(href):
    """Found by tests/fuzz: such a <link rel="canonical"> raised ValueError and the page's text was lost."""
    page = (f'<html><head><link rel="canonical" href="{href}"><title>Port figures</title></head><body><article>'
            + "<p>The harbour authority published its quarterly cargo report on Monday morning.</p>" * 5
            + "</article></body></html>")
    assert page_canonical_url(page, "http://news.test/a.html") is None
    extracted = extract_html(page.encode(), "http://news.test/a.html")
    assert extracted is not None and "quarterly cargo report" in extracted.text
    assert extracted.canonical_url is None


# Short news sentences written for this test (the measurement in pipeline/extract/html.py used them too).
OTHER_LANGUAGES = {
    "de": [
        'Japan und die USA unterzeichnen ein Abkommen über Seltene Erden.',
        'Die Bundesregierung will die Versorgung mit kritischen Rohstoffen sichern und neue Partner in Asien gewinnen.',
        'Der japanische Ministerpräsident traf den amerikanischen Präsidenten in Tokio zu Gesprächen über Zölle.',
        'Die Preise für Lithium sind im vergangenen Monat deutlich gestiegen, berichtete die Zeitung am Montag.',
        'Washington und Tokio vereinbaren engere Zusammenarbeit bei Halbleitern und Verteidigung.',
        'China beschränkt die Ausfuhr von Gallium und Germanium, was europäische Hersteller unter Druck setzt.',
    ],
    "pt": [
        'Japão e Estados Unidos assinam acordo sobre terras raras em Tóquio.',
        'O governo brasileiro quer atrair investimentos para a mineração de lítio no Vale do Jequitinhonha.',
        'O presidente americano se reuniu com a primeira-ministra japonesa para discutir tarifas e defesa.',
        'As exportações de minério de ferro cresceram no último trimestre, segundo o ministério.',
        'A China anunciou novas restrições à exportação de grafite, afetando fabricantes de baterias.',
        'Os dois países prometeram cooperar na cadeia de suprimentos de minerais críticos.',
    ],
    "fr": [
        'Le Japon et les États-Unis signent un accord sur les terres rares.',
        "Le gouvernement veut sécuriser l'approvisionnement en métaux critiques pour l'industrie automobile.",
        'La Première ministre japonaise a rencontré le président américain à Tokyo pour parler des droits de douane.',
        'Les prix du cuivre ont fortement augmenté cette semaine, selon les analystes du marché.',
        'Pékin restreint les exportations de gallium, une décision qui inquiète les fabricants européens.',
        'Les deux alliés renforcent leur coopération militaire dans la région indo-pacifique.',
    ],
    "es": [
        'Japón y Estados Unidos firman un acuerdo sobre tierras raras.',
        'El gobierno chileno anunció una nueva estrategia nacional del litio para atraer inversiones.',
        'El presidente estadounidense se reunió con la primera ministra japonesa en Tokio para hablar de aranceles.',
        'Las acciones de las mineras subieron tras el anuncio de nuevas restricciones chinas.',
        'Ambos países se comprometieron a reforzar la cadena de suministro de minerales críticos.',
        'La producción de cobre en Perú cayó el mes pasado por las protestas en las minas.',
    ],
}


@pytest.mark.parametrize(("language", "sentence"),
                         [pytest.param(lang, s, id=f"{lang}-{i}") for lang, ss in OTHER_LANGUAGES.items()
                          for i, s in enumerate(ss)])
def test_german_portuguese_french_and_spanish_are_no_longer_english(language, sentence):
    assert guess_language(sentence) == language
    assert guess_language(f"{sentence} {sentence}") == language


@pytest.mark.parametrize("headline", [
    "JAPAN TRADE SURPLUS WIDENS AS EXPORTS TO U.S. RISE",
    "Tokyo Shares Close Higher - Reuters",
    "Honda lifts its outlook - Nikkei Asia",
])
def test_a_short_or_shouted_english_headline_stays_english(headline):
    # Too little text for the identifier to be sure: the script count decides, as before.
    assert guess_language(headline) == "en"
