"""URL identity: canonical URLs and the article ids hashed from them."""

from __future__ import annotations

import pytest

from pipeline.urls import article_id, canonical_url

BASE = "http://127.0.0.1:9/feeds/x.xml"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("HTTP://News.Example.COM:80/a/b?utm_source=rss&id=3#top", "http://news.example.com/a/b?id=3",
                     id="case-port-fragment-tracker"),
        pytest.param("  https://example.com/x\n  ", "https://example.com/x", id="whitespace-around-link"),
        pytest.param("/articles/a.html", "http://127.0.0.1:9/articles/a.html", id="relative-link"),
        pytest.param("https://e.com/p?b=2&a=1&fbclid=zz", "https://e.com/p?a=1&b=2", id="sorted-query"),
    ],
)
def test_canonical_url(raw, expected):
    assert canonical_url(raw, BASE) == expected


def test_article_id_is_the_same_for_tracked_and_clean_links():
    assert article_id("https://e.com/a?utm_medium=feed") == article_id("https://e.com/a")


def _google_news_link(target: bytes) -> str:
    import base64

    payload = b"\x08\x13\x22" + bytes([len(target)]) + target + b"\xd2\x01\x00"
    return "https://news.google.com/rss/articles/" + base64.urlsafe_b64encode(payload).decode().rstrip("=") + "?oc=5"


def test_a_decodable_google_news_link_becomes_the_publishers_url():
    target = b"https://www.example.com/world/japan-us-rare-earths-deal.html"
    link = _google_news_link(target)
    assert canonical_url(link) == target.decode()
    assert article_id(link) == article_id(target.decode())


def test_an_opaque_google_news_link_is_kept():
    link = "https://news.google.com/rss/articles/CBMiK0FVX3lxTE5vcGFxdWU?oc=5"
    assert canonical_url(link) == link


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("http://[2001:db8::1]/a", "http://[2001:db8::1]/a", id="ipv6-literal"),
        pytest.param("HTTP://[2001:DB8::1]:8080/a#x", "http://[2001:db8::1]:8080/a", id="ipv6-literal-port"),
        pytest.param("https://[::1]:443/", "https://[::1]/", id="ipv6-default-port"),
    ],
)
def test_an_ipv6_literal_keeps_its_brackets_and_is_stable(raw, expected):
    assert canonical_url(raw) == expected
    assert canonical_url(canonical_url(raw)) == expected  # article_id canonicalises again
    assert article_id(raw) == article_id(expected)


@pytest.mark.parametrize("raw", ["http://example.com:99999/a", "http://example.com:0/a", "http://[::1/a",
                                 "http://[::1]@]/a"])  # the last found by tests/fuzz: it gave "http://]/a"
def test_a_link_that_names_no_page_is_a_value_error(raw):
    with pytest.raises(ValueError):
        canonical_url(raw)


def test_whitespace_in_the_base_is_dropped_as_in_the_link():
    """Found by tests/fuzz: a base with a space gave ``.../a b``, which canonicalises again to ``.../ab``."""
    joined = canonical_url("", "http://news.test/a b")
    assert joined == "http://news.test/ab"
    assert canonical_url(joined) == joined
    assert canonical_url("x.html", "http://news.test/\tfeeds/a.xml") == "http://news.test/feeds/x.html"
