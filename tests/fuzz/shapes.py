"""Hypothesis strategies that reach the hostile shapes of issue 16, shared by the fuzz tests.

Plain random text almost never hits ``&#xD800;``, ``[::ffff:127.0.0.1]`` or ``:99999``; these
strategies mix such pieces with ordinary ones, so every example is a plausible input with some
hostile parts in it.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import strategies as st

from pipeline.errors import PipelineError

# -- budgets -------------------------------------------------------------------------------------


@contextmanager
def budget(seconds: float, what: object) -> Iterator[None]:
    """Fail when the block takes longer than ``seconds`` of wall-clock time (checked when it ends)."""
    start = time.monotonic()
    yield
    took = time.monotonic() - start
    assert took <= seconds, f"{took:.1f} s > {seconds} s on {what!r:.300}"


def only_project_errors(exc: BaseException) -> None:
    """Re-raise ``exc`` unless it belongs to the pipeline.errors tree."""
    if not isinstance(exc, PipelineError):
        raise exc


# -- characters and references -------------------------------------------------------------------

# Numeric character references to nothing (surrogates, past U+10FFFF, NUL, huge and zero-padded
# numbers) beside ordinary ones.
char_refs = st.one_of(
    st.integers(0xD800, 0xDFFF).map(lambda c: f"&#x{c:X};"),
    st.integers(0x110000, 0xFFFFFFFF).map(lambda c: f"&#x{c:x};"),
    st.integers(0, 0x10FFFF).map(lambda c: f"&#{c};"),
    st.integers(0, 0x10FFFF).map(lambda c: f"&#x{c:x};"),
    st.sampled_from(["&#0;", "&#x0;", "&#00000000000000000065;", "&#x" + "0" * 40 + "41;", "&#" + "9" * 5000 + ";",
                     "&#xD83D;&#xDE00;", "&amp;", "&lt;", "&nbsp;", "&bogus;", "&#;", "&#x;", "&"]),
)
control_chars = st.characters(min_codepoint=0, max_codepoint=0x1F).map(str)
words = st.sampled_from(["port", "cargo", "Tokyo", "Reuters", "the", "said", "rare earths", "Ministry", "ö", "東京",
                         "\u202e", "\ufeff", "\u0301", "\U0001F600", "<", ">", "]]>", "<!--", "-->", '"', "'"])
hostile_text = st.lists(st.one_of(words, char_refs, control_chars, st.text(max_size=8)), max_size=30).map("".join)

# -- hosts, ports, URLs ----------------------------------------------------------------------------

_SPECIAL_V4 = ["127.0.0.1", "127.1.2.3", "0.0.0.0", "10.0.0.1", "169.254.169.254", "172.16.0.1", "192.168.1.1",
               "100.64.0.1", "198.18.0.1", "224.0.0.1", "255.255.255.255", "93.184.215.14", "8.8.8.8"]
v4 = st.one_of(st.sampled_from(_SPECIAL_V4), st.integers(0, 2**32 - 1).map(lambda n: str(ipaddress.IPv4Address(n))))


def _embed(form: str, inner: str) -> str:
    n = int(ipaddress.IPv4Address(inner))
    if form == "mapped":
        return f"::ffff:{inner}"
    if form == "compatible":
        return f"::{inner}"
    if form == "nat64":
        return str(ipaddress.IPv6Address((0x64FF9B << 96) | n))
    return str(ipaddress.IPv6Address((0x2002 << 112) | (n << 80)))  # 6to4


v6 = st.one_of(
    st.sampled_from(["::1", "::", "fe80::1", "fec0::1", "fc00::1", "ff02::1", "2001:db8::1", "2606:4700::1111",
                     "::127.0.0.1", "64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::", "::ffff:7f00:1"]),
    st.tuples(st.sampled_from(["mapped", "compatible", "nat64", "6to4"]), v4).map(lambda t: _embed(*t)),
    st.integers(0, 2**128 - 1).map(lambda n: str(ipaddress.IPv6Address(n))),
)
# Legacy IPv4 spellings (decimal, octal, hex, short forms) that inet_aton, and so getaddrinfo, accept.
legacy_v4 = st.sampled_from(["2130706433", "0x7f000001", "0177.0.0.1", "0x7f.1", "127.1", "017700000001",
                             "0xa9.0xfe.0xa9.0xfe", "2852039166", "0", "0x0"])
names = st.sampled_from(["news.test", "NEWS.Test", "localhost", "LOCALHOST.", "metadata.google.internal",
                         "xn--nxasmq6b.test", "bücher.test", "exa\u00e9mple..com", "a" * 64 + ".test", "-bad-.test",
                         "_srv.test", "news.test.", "127.0.0.1.nip.io"])
hosts = st.one_of(
    names,
    v4,
    legacy_v4,
    v6.map(lambda a: f"[{a}]"),
    st.tuples(v6, st.sampled_from(["%25eth0", "%eth0", "%251"])).map(lambda t: f"[{t[0]}{t[1]}]"),
    st.sampled_from(["[::1", "::1]", "[]", "[v1.fe]", "[::ffff:127.0.0.1]:80", "user:pw@127.0.0.1", "@", ""]),
)
ports = st.one_of(
    st.just(""),
    st.integers(0, 70000).map(lambda p: f":{p}"),
    st.sampled_from([":", ":99999", ":-1", ":+80", ":8o", ": 80", ":080", ":" + "9" * 40, ":0x50", ":80:81"]),
)
schemes = st.sampled_from(["http://", "https://", "HTTP://", "hTTps://", "//", "", "ftp://", "file://", "gopher://",
                           "javascript:", "http:", "http:\\\\", "http:/"])
path_bits = st.one_of(st.sampled_from(["/", "/a.html", "/../../etc/passwd", "/%2e%2e/", "/a b", "/%zz", "/?", "#x",
                                       "?utm_source=rss&id=1", "?fbclid=1&b=2&a=1", "\\x", "/\u00e9t\u00e9",
                                       "/" + "a" * 3000]),
                      control_chars, st.text(max_size=12))
urls = st.tuples(schemes, hosts, ports, st.lists(path_bits, max_size=4).map("".join)).map("".join)
# What a Location header may carry: absolute, scheme-relative and relative forms, and raw junk.
locations = st.one_of(urls, path_bits, st.text(max_size=40),
                      st.tuples(st.sampled_from(["", "/", "//", "\\\\", "http:\\\\"]), hosts, ports).map("".join))
