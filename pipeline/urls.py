"""URL identity: the canonical form of an article's URL and the article id hashed from it.

Feed links, page canonicals and stored articles all go through ``canonical_url``, so one article
listed by several feeds (with tracking parameters, fragments, Google News wrappers) is one id.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

TRACKING_PARAMS = re.compile(r"^(utm_[a-z]+|fbclid|gclid|dclid|mc_cid|mc_eid|ocid|cmpid|smid|smtyp|ref_src|at_medium|at_campaign)$", re.I)
_GOOGLE_NEWS = re.compile(r"^https?://news\.google\.com/(?:rss/)?articles/([A-Za-z0-9_-]+)")
_EMBEDDED_URL = re.compile(rb"https?://[\x21-\x7e]+")


def unwrap_google_news(url: str) -> str:
    """The publisher's URL inside a Google News link, when the link still carries it.

    Older Google News article ids are base64url-encoded protobufs that embed the target URL; newer
    ones are opaque and need a request to Google to resolve, which we do not make, so those links
    are kept as they are (and then cluster with the publisher's copy by text).
    """
    match = _GOOGLE_NEWS.match(url)
    if not match:
        return url
    token = match.group(1)
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, binascii.Error):
        return url
    found = _EMBEDDED_URL.search(raw)
    if not found:
        return url
    # The protobuf field that follows the URL starts with a control byte, which the pattern stops at;
    # a trailing length byte that happens to be printable is not part of a URL path.
    target = found.group(0).decode("ascii", "ignore").rstrip("\x7f")
    return target if urlsplit(target).hostname else url


def canonical_url(url: str, base: str | None = None) -> str:
    """Normalise a URL for identity: trim, resolve, unwrap Google News, lower-case host, drop fragments and trackers.

    An IPv6 literal keeps its brackets (``http://[2001:db8::1]/a``).

    Raises:
        ValueError: the URL cannot name a page: a port outside 1-65535, or a malformed IPv6 literal or host.
            Callers that read untrusted links contain it per item (``pipeline.stages.boundary``).
    """
    url = re.sub(r"\s+", "", url or "")
    if base:
        url = re.sub(r"\s+", "", urljoin(base, url))  # the base's whitespace goes too
    url = unwrap_google_news(url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"{url!r} has a port outside 1-65535") from exc
    if port == 0:
        raise ValueError(f"{url!r} has port 0, which no page listens on")
    if "[" in host or "]" in host:  # "http://[::1]@]/" names the host "]"
        raise ValueError(f"{url!r} has a malformed host {host!r}")
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMS.match(k)]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(sorted(query)), ""))


def article_id(url: str) -> str:
    """Hash of the canonical URL: the article's identity across feeds and runs."""
    return hashlib.sha256(canonical_url(url).encode()).hexdigest()[:16]
