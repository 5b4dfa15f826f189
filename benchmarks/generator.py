"""A generated news site: N feeds on H hosts with M articles each.

Two kinds of pages (``SiteSpec.pages``):
- ``"real"`` (the benchmarks): real pages of real size. The templates are the extraction
  benchmark's 181 news pages (``../shared/eval/extraction/html``, 170 KB of HTML each on average):
  each page keeps its template's whole markup and gets, in the template's own body paragraphs, a
  random draw of those pages' body paragraphs (an irrelevant story), or, for a seeded share of
  the pages (``relevant_share``, default 10%), the paragraphs of one real on-topic article of
  ``../shared`` (the labelled eval items with a clear label and at least 1,500 characters, and
  the seed story). Without ``../shared`` the sample site stands in.
- ``"sample"`` (the fault suite, small and fast): the sample site's templates
  (``pipeline/sample_site/site/articles``) with a random draw of their paragraphs.

Every page ends with a closing line of its own, so no two pages share a text hash. Links in feeds
are relative, so the port never leaks into files.

Every host is a folder of static files (``<root>/<host>/``) served on its own loopback address by
``benchmarks.server``. A seeded share of the feeds can be made to fail: their URL then carries the
fault (``/fault/<kind>/<name>.xml``) and the server misbehaves accordingly.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import time
from dataclasses import dataclass, field
from functools import cache
from html import escape
from pathlib import Path

from pipeline import sample_site

PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
# Real pages: any <p> element; one whose text has more than BODY_CHARS characters is a body paragraph.
REAL_PARAGRAPH = re.compile(r"(<p\b[^>]*>)(.*?)(</p>)", re.S | re.I)
BODY_CHARS = 80
_TAG = re.compile(r"<[^>]+>")
_CANONICAL = re.compile(r"<link\b[^>]*\bcanonical\b[^>]*>|<meta\b[^>]*og:url[^>]*>", re.I)
SHARED = Path(__file__).resolve().parents[2] / "shared"
EXTRACTION_PAGES = SHARED / "eval" / "extraction" / "html"
ON_TOPIC_SOURCES = [SHARED / "eval" / "classify_dev.jsonl", SHARED / "eval" / "classify_train.jsonl"]
SEED_STORIES = SHARED / "seed"
# What a failing feed does (benchmarks.server implements each), and the error_class the pipeline records.
FAULTS = {
    "gone-404": "http_404",
    "gone-410": "http_410",
    "error-500": "http_500",
    "error-503": "http_503",
    "retry-later": "http_429",
    "slow": "timeout",
    "reset": "network",
    "not-a-feed": "parse_error",
    "loop": "too_many_redirects",
    "huge": "too_large",
}


@dataclass(frozen=True)
class SiteSpec:
    feeds: int = 16
    hosts: int = 4
    articles_per_feed: int = 8
    fault_share: float = 0.0
    seed: int = 7
    pages: str = "sample"  # "real": the extraction benchmark's pages and real on-topic articles
    relevant_share: float = 0.1  # "real" pages only: the share of pages that carry an on-topic article


@dataclass(frozen=True)
class Feed:
    name: str
    host: int
    path: str
    fault: str | None = None
    articles: tuple[str, ...] = ()


@dataclass
class Site:
    root: Path
    spec: SiteSpec
    feeds: list[Feed] = field(default_factory=list)

    def host_dir(self, host: int) -> Path:
        return self.root / f"host{host}"

    @property
    def good_articles(self) -> list[tuple[int, str]]:
        """(host, path) of every article listed by a feed that does not fail."""
        return [(f.host, a) for f in self.feeds if f.fault is None for a in f.articles]


def page_parts() -> tuple[list[str], list[str]]:
    templates = sorted((sample_site.SITE_DIR / "articles").glob("*.html"))
    texts = [t.read_text(encoding="utf-8") for t in templates]
    paragraphs = [p for t in texts for p in PARAGRAPH.findall(t) if len(p) > 80]
    return texts, paragraphs


def article_page(template: str, paragraphs: list[str], slug: str, rng: random.Random) -> str:
    """One page: the template's markup around its own draw of paragraphs, canonical to itself."""
    body = rng.sample(paragraphs, k=min(8, len(paragraphs)))
    body.append(f"Story {slug} adds its own closing line, number {rng.randrange(10**9)}.")
    first = template.find("<p>")
    last = template.rfind("</p>") + len("</p>")
    page = template[:first] + "".join(f"<p>{p}</p>\n" for p in body) + template[last:]
    return re.sub(r'(rel="canonical"\s+href=")[^"]*"', rf'\1/articles/{slug}.html"', page)


def _body_slots(template: str) -> list[re.Match[str]]:
    return [m for m in REAL_PARAGRAPH.finditer(template) if len(_TAG.sub("", m.group(2)).strip()) > BODY_CHARS]


def _split_paragraphs(text: str) -> list[str]:
    """An article's paragraphs: blank-line separated, else groups of sentences of about 400 characters."""
    parts = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    if len(parts) >= 3:
        return parts
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))
    grouped, current = [], ""
    for sentence in sentences:
        current = f"{current} {sentence}".strip()
        if len(current) >= 400:
            grouped.append(current)
            current = ""
    return grouped + ([current] if current else [])


@dataclass(frozen=True)
class RealParts:
    templates: list[str]  # whole real pages, each with at least three body paragraphs
    paragraphs: list[str]  # the body paragraphs of all of them (escaped HTML, inline tags kept)
    on_topic: list[tuple[str, list[str]]]  # (title, paragraphs as plain text) of real on-topic articles


@cache
def real_parts() -> RealParts | None:
    """The real templates and texts of ``../shared``, or ``None`` when it is not beside the repo."""
    if not EXTRACTION_PAGES.is_dir():
        return None
    templates = []
    for path in sorted(EXTRACTION_PAGES.glob("*.html.gz")):
        html = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
        if len(_body_slots(html)) >= 3:
            templates.append(html)
    paragraphs = [m.group(2) for t in templates for m in _body_slots(t)]
    on_topic: list[tuple[str, list[str]]] = []
    for source in ON_TOPIC_SOURCES:
        if source.exists():
            for line in source.read_text(encoding="utf-8").splitlines():
                row = json.loads(line) if line.strip() else {}
                if (row.get("language") == "en" and max(row.get("us_japan", 0), row.get("rare_earths", 0)) == 2
                        and len(row.get("text") or "") >= 1500):
                    on_topic.append((row.get("title") or "", _split_paragraphs(row["text"])))
    for path in sorted(SEED_STORIES.glob("*.txt")) if SEED_STORIES.is_dir() else []:
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        on_topic.append((lines[0], lines[1:]))
    if not templates or not on_topic:
        return None
    return RealParts(templates, paragraphs, on_topic)


def real_page(template: str, body: list[str], slug: str) -> str:
    """A real page with its own body: ``body`` (HTML) fills the template's body paragraphs in order.

    The template's markup around them (scripts, styles, navigation, comments: most of its size)
    is kept; surplus paragraphs go after the last slot, unused slots are emptied. The page
    declares itself canonical (the template's canonical link and og:url are dropped).
    """
    slots = _body_slots(template)
    pieces, at = [], 0
    for k, slot in enumerate(slots):
        pieces.append(template[at:slot.start(2)])
        if k < len(slots) - 1:
            pieces.append(body[k] if k < len(body) else "")
        else:  # the last slot takes the rest
            pieces.append("</p>\n<p>".join(body[k:]))
        at = slot.end(2)
    pieces.append(template[at:])
    page = _CANONICAL.sub("", "".join(pieces))
    head = page.lower().find("</head>")
    link = f'<link rel="canonical" href="/articles/{slug}.html">'
    return page[:head] + link + page[head:] if head >= 0 else link + page


def real_article(parts: RealParts, index: int, slug: str, relevant: bool, rng: random.Random) -> tuple[str, str]:
    """(title, page) of one generated real-size page: on-topic when ``relevant``, else a draw of real paragraphs."""
    template = parts.templates[index % len(parts.templates)]
    closing = f"Story {slug} adds its own closing line, number {rng.randrange(10**9)}."
    if relevant:
        title, paragraphs = parts.on_topic[rng.randrange(len(parts.on_topic))]
        body = [escape(p) for p in paragraphs]
    else:
        title = f"Story {slug}"
        body = rng.sample(parts.paragraphs, k=min(max(3, len(_body_slots(template))), len(parts.paragraphs)))
    return title, real_page(template, [*body, escape(closing)], slug)


def rss(title: str, items: list[tuple[str, str, str]]) -> str:
    entries = "".join(
        f"<item><title>{escape(t)}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>Tue, 28 Oct 2025 09:00:00 GMT</pubDate><description>{escape(d)}</description></item>"
        for t, link, d in items)
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>{escape(title)}</title><link>/</link><description>generated</description>"
            f"{entries}</channel></rss>")


def build_site(root: Path, spec: SiteSpec) -> Site:
    """Write the site under ``root`` and return what it holds."""
    rng = random.Random(spec.seed)
    templates, paragraphs = page_parts()
    real = real_parts() if spec.pages == "real" else None
    relevant = random.Random(spec.seed + 1)
    site = Site(root, spec)
    for host in range(spec.hosts):
        base = site.host_dir(host)
        (base / "feeds").mkdir(parents=True, exist_ok=True)
        (base / "articles").mkdir(exist_ok=True)
        (base / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n")
    n_faulty = round(spec.feeds * spec.fault_share)
    faulty = set(rng.sample(range(spec.feeds), k=n_faulty))
    kinds = sorted(FAULTS)
    for i in range(spec.feeds):
        host = i % spec.hosts
        name = f"f{i:04d}"
        fault = rng.choice(kinds) if i in faulty else None
        slugs = []
        items = []
        for j in range(spec.articles_per_feed):
            slug = f"{name}-a{j:03d}"
            if real is not None:
                title, page = real_article(real, i * 7 + j, slug, relevant.random() < spec.relevant_share, rng)
                slots = _body_slots(page)
                lead = _TAG.sub("", slots[0].group(2))[:200] if slots else ""
            else:
                title = f"Story {slug}"
                page = article_page(templates[(i * 7 + j) % len(templates)], paragraphs, slug, rng)
                first = PARAGRAPH.search(page)
                lead = _TAG.sub("", first.group(1))[:200] if first else ""
            (site.host_dir(host) / "articles" / f"{slug}.html").write_text(page, encoding="utf-8")
            slugs.append(f"/articles/{slug}.html")
            items.append((title, f"/articles/{slug}.html", lead))
        (site.host_dir(host) / "feeds" / f"{name}.xml").write_text(rss(f"Feed {name}", items), encoding="utf-8")
        path = f"/fault/{fault}/{name}.xml" if fault else f"/feeds/{name}.xml"
        site.feeds.append(Feed(name, host, path, fault, tuple(slugs)))
    # A published site was written some time before anyone reads it. A Last-Modified within a second
    # of the response's Date is a weak validator that the pipeline does not use for conditional GET.
    published = time.time() - 3600
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (published, published))
    return site


def add_item(site: Site, feed: Feed, slug: str, seed: int = 0) -> str:
    """Publish one more article in a feed (for alert latency); returns its path."""
    rng = random.Random(seed)
    templates, paragraphs = page_parts()
    template = next(t for t in templates if "Takaichi" in t)
    page = article_page(template, paragraphs, slug, rng)
    (site.host_dir(feed.host) / "articles" / f"{slug}.html").write_text(page, encoding="utf-8")
    feed_file = site.host_dir(feed.host) / "feeds" / f"{feed.name}.xml"
    text = feed_file.read_text(encoding="utf-8")
    item = (f"<item><title>Story {slug}</title><link>/articles/{slug}.html</link><guid>/articles/{slug}.html"
            "</guid><pubDate>Wed, 29 Oct 2025 09:00:00 GMT</pubDate><description>US and Japan sign a rare "
            "earths framework</description></item>")
    feed_file.write_text(text.replace("</description>", "</description>" + item, 1), encoding="utf-8")
    # Last-Modified has one-second resolution: move it clearly past the previous fetch.
    later = time.time() + 2
    os.utime(feed_file, (later, later))
    return f"/articles/{slug}.html"
