"""URL -> canonical URL, and a redirect's Location -> the next hop through the address guard (issue 16 part 9).

``canonical_url`` documents one error of its own: ``ValueError`` when a link cannot name a page (a port
outside 1-65535, a malformed IPv6 literal); the stage boundary records it per item. Anything else it
raises is a bug. The next hop may fail only with ``FetchError`` (``bad_redirect``, ``bad_url``, ``dns``)
or ``BlockedError``, and a hop the guard lets through never leads to a non-public address.
"""

from __future__ import annotations

import ipaddress
import socket

import pytest
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from pipeline.errors import BlockedError, FetchError
from pipeline.ingest import http
from pipeline.urls import article_id, canonical_url
from tests.fuzz.conftest import examples
from tests.fuzz.shapes import budget, locations, names, urls

ALLOWED = frozenset({"127.0.0.1", "news.test"})
# What the fake resolver answers for names: public and non-public addresses, as a hostile DNS would.
NAME_ANSWERS = ["93.184.215.14", "127.0.0.1", "169.254.169.254", "10.0.0.1", "::1", "::ffff:127.0.0.1",
                "64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::", "fec0::1", "2606:4700::1111", "fe80::1%eth0"]
# An independent list of where a crawler must never connect (RFC 6890 special-purpose ranges and more).
NEVER = [ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
    "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4", "::/128", "::1/128", "fc00::/7", "fe80::/10",
    "fec0::/10", "ff00::/8")]


def fake_resolve(host: str, port: int) -> list[str]:
    """Numeric hosts as getaddrinfo reads them (inet_aton's legacy forms too); names by a stable pick."""
    try:
        return [str(ipaddress.ip_address(host.split("%", 1)[0]))]
    except ValueError:
        pass
    try:
        return [socket.inet_ntoa(socket.inet_aton(host))]
    except (OSError, UnicodeError, ValueError):
        pass
    if host.encode("utf-8", "surrogatepass").isascii() and host.endswith(".invalid"):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return [NAME_ANSWERS[sum(host.encode("utf-8", "surrogatepass")) % len(NAME_ANSWERS)]]


def forbidden(ip: str) -> bool:
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    inner = []
    if isinstance(addr, ipaddress.IPv6Address):
        n = int(addr)
        if addr.ipv4_mapped:
            inner.append(addr.ipv4_mapped)
        if addr.sixtofour:
            inner.append(addr.sixtofour)
        if addr in ipaddress.ip_network("64:ff9b::/96") or addr in ipaddress.ip_network("::/96"):
            inner.append(ipaddress.IPv4Address(n & 0xFFFFFFFF))
    return any(a in net for a in (addr, *inner) for net in NEVER if a.version == net.version)


@settings(max_examples=examples(800))
@given(url=st.one_of(urls, st.text(max_size=60)), base=st.one_of(st.none(), st.just("http://news.test/feeds/a.xml"),
                                                                  urls))
@example(url="", base="http://news.test/a b")  # the bugs the fuzz set found, kept as examples
@example(url="http://[::1]@]", base=None)
def test_canonical_url_raises_only_its_documented_error_and_is_stable(url: str, base: str | None) -> None:
    with budget(2.0, (url, base)):
        try:
            canonical = canonical_url(url, base)
        except ValueError:
            event("ValueError")
            return  # documented: the link names no page; contained and recorded per item
        # Identity: the canonical form is a fixed point, so an article's id is the same whichever
        # form of its link a feed, a page canonical or the warehouse hands over.
        assert canonical_url(canonical) == canonical
        assert article_id(canonical) == article_id(url if base is None else canonical)


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http, "_resolve", fake_resolve)


@settings(max_examples=examples(800))
@given(current=st.one_of(st.just("http://news.test/a/b.html"), st.just("https://[2606:4700::1111]:8443/x"), urls),
       location=locations)
def test_a_location_becomes_a_vetted_hop_or_a_recorded_fetch_error(resolver: None, current: str,
                                                                   location: str) -> None:
    with budget(2.0, (current, location)):
        try:
            target = http._redirect_target(current, location)
            ip = http.check_address(target, ALLOWED)
            http._pin_for(target, ip)
            http.urlsplit(target).netloc.lower()  # what the client keys its host lock on
        except BlockedError as exc:
            event(exc.error_class)
            assert exc.error_class in ("blocked_address", "blocked_scheme", "bad_url")
            return
        except FetchError as exc:
            event(exc.error_class)
            assert exc.error_class in ("bad_redirect", "bad_url", "dns")
            return
    event("followed")
    if ip in {h.strip("[]").lower() for h in ALLOWED}:
        return  # allow-listed as written
    assert not forbidden(ip), (target, ip)


@settings(max_examples=examples(600))
@given(host=st.one_of(names, st.sampled_from(NAME_ANSWERS)))
def test_an_allow_listed_address_opens_no_alias(resolver: None, host: str) -> None:
    """``127.0.0.1`` allowed as written does not open another name or spelling that reaches loopback."""
    netloc = f"[{host}]" if ":" in host else host
    url = f"http://{netloc}/a"
    try:
        ip = http.check_address(url, frozenset({"127.0.0.1"}))
    except FetchError:
        return
    assert host == "127.0.0.1" or not forbidden(ip), (url, ip)
