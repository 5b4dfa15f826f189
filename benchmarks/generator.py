"""A scaled-up copy of the sample site: N feeds on H hosts with M articles each.

Pages are built from the real page templates of ``pipeline/sample_site/site/articles``: each page
keeps its template's markup (header, navigation, cookie banner, metadata) and gets a random draw
of the sample site's paragraphs plus a closing line of its own, so no two pages share a text hash
and dedup does not merge them. Links in feeds are relative, so the port never leaks into files.

Every host is a folder of static files (``<root>/<host>/``) served on its own loopback address by
``benchmarks.server``. A seeded share of the feeds can be made to fail: their URL then carries the
fault (``/fault/<kind>/<name>.xml``) and the server misbehaves accordingly.
"""

from __future__ import annotations

import os
import random
import re
import time
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from pipeline import sample_site

PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
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
            page = article_page(templates[(i * 7 + j) % len(templates)], paragraphs, slug, rng)
            (site.host_dir(host) / "articles" / f"{slug}.html").write_text(page, encoding="utf-8")
            slugs.append(f"/articles/{slug}.html")
            lead = PARAGRAPH.search(page)
            items.append((f"Story {slug}", f"/articles/{slug}.html", re.sub("<[^>]+>", "", lead.group(1))[:200]
                          if lead else ""))
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
