"""Feed bytes -> entries (``pipeline.ingest.feeds.parse_entries``), issue 16 part 9.

The property: parsing never raises, and never more than the project's own errors escape; an entry the
stage boundary would contain (its guard) fails only with ``canonical_url``'s documented ``ValueError``
or a project error; every staged row's text is encodable UTF-8; and each body parses within budget.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from pipeline.errors import PipelineError
from pipeline.ingest.feeds import parse_entries
from tests.fuzz.conftest import examples
from tests.fuzz.shapes import budget, hostile_text, urls

FEED_URL = "http://news.test/feeds/a.xml"


def _escape(text: str) -> str:
    # Mostly escaped as a publisher would; the char refs and stray markup of hostile_text stay raw on purpose.
    return text.replace("]]>", "]]&gt;")


def _item(title: str, link: str, summary: str, wrap: int) -> str:
    nested = "<div>" * wrap + summary + "</div>" * wrap
    return (f"<item><title>{_escape(title)}</title><link>{link}</link><guid>{_escape(title)[:40]}</guid>"
            f"<description><![CDATA[{_escape(nested)}]]></description><pubDate>Mon, 20 Oct 2025 08:00:00 GMT</pubDate>"
            "</item>")


_entry = st.tuples(hostile_text, st.one_of(urls, st.sampled_from(["/a.html", "a.html", "", " /b.html "])),
                   hostile_text, st.integers(0, 200))
_prolog = st.sampled_from(['<?xml version="1.0" encoding="utf-8"?>', '<?xml version="1.0" encoding="iso-8859-1"?>',
                           '<?xml version="1.0" encoding="utf-16"?>', '<?xml version="1.0" encoding="bogus-9"?>',
                           "", "\ufeff", '<!DOCTYPE rss SYSTEM "http://127.0.0.1/x.dtd">',
                           '<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'])
_encoding = st.sampled_from(["utf-8", "utf-16", "utf-16-le", "latin-1", "cp1252", "utf-32"])


@st.composite
def feed_bodies(draw: st.DrawFn) -> tuple[bytes, str]:
    entries = draw(st.lists(_entry, max_size=12))
    kind = draw(st.sampled_from(["rss", "atom", "rdf"]))
    if kind == "atom":
        inner = "".join(f"<entry><title>{_escape(t)}</title><link href=\"{link}\"/><summary>{_escape(s)}</summary>"
                        f"<id>{i}</id></entry>" for i, (t, link, s, _w) in enumerate(entries))
        doc = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>{_escape(draw(hostile_text))}</title>{inner}</feed>'
    else:
        inner = "".join(_item(*e) for e in entries)
        root = "rss version=\"2.0\"" if kind == "rss" else 'rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        doc = f"<{root}><channel><title>x</title>{inner}</channel></{root.split()[0]}>"
    text = draw(_prolog) + doc
    cut = draw(st.one_of(st.none(), st.integers(0, max(0, len(text) - 1))))  # a truncated body
    if cut is not None:
        text = text[:cut]
    encoding = draw(_encoding)
    body = text.encode(encoding, errors="surrogatepass" if encoding.startswith("utf") else "replace")
    content_type = draw(st.sampled_from(["", "application/rss+xml", "text/xml; charset=utf-16",
                                         "application/xml; charset=bogus", "text/html; charset=latin-1"]))
    return body, content_type


class Guard:
    """The stage boundary's contract, recorded: what each entry raised, if anything."""

    def __init__(self) -> None:
        self.caught: list[BaseException] = []

    @contextmanager
    def __call__(self, link: str) -> Iterator[None]:
        try:
            yield
        except Exception as exc:  # noqa: BLE001 - recorded for the assertion below, as the boundary records it
            self.caught.append(exc)


def _check(body: bytes, content_type: str) -> None:
    guard = Guard()
    with budget(10.0, body[:300]):
        try:
            parsed = parse_entries(body, FEED_URL, content_type, guard=guard)
        except PipelineError as exc:
            event(f"raised {type(exc).__name__}")
            return
    for exc in guard.caught:  # canonical_url's documented ValueError (a link that names no page), or ours
        assert isinstance(exc, PipelineError) or type(exc) is ValueError, f"{type(exc).__name__}: {exc}"
        event(f"entry failed: {type(exc).__name__}")
    event("error" if parsed.error else f"{min(len(parsed.rows), 3)}+ rows")
    for row in parsed.rows:
        for key in ("title", "summary", "author", "guid", "url"):
            if isinstance(row[key], str):
                row[key].encode("utf-8")  # raises on a lone surrogate


@settings(max_examples=examples(150))
@given(feed_bodies())
@example(('<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><title>x</title><item><title>'
          '&#xD800;</title><link>/a.html</link></item></channel></rss>'.encode("utf-16"), ""))  # found by the fuzz set
def test_a_hostile_feed_body_parses_within_budget_into_encodable_rows(case: tuple[bytes, str]) -> None:
    _check(*case)


@settings(max_examples=examples(250))
@given(st.binary(max_size=4000), st.sampled_from(["", "application/rss+xml", "text/xml; charset=utf-16"]))
def test_random_bytes_are_never_more_than_a_feed_error(body: bytes, content_type: str) -> None:
    _check(body, content_type)
