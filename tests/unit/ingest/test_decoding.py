"""Content-codings undone layer by layer within a budget (issue 16 case 4): what decodes stays byte-identical,
no layer outgrows the cap by more than a step, and too many or unknown codings are refused."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest

from pipeline.errors import FetchError
from pipeline.ingest.decoding import STEP, BudgetedDecoder, codings
from tests.fixtures import bombs

PAGE = b"".join(b"<p>Paragraph %d of a page that compresses, with some varied text: %r.</p>\n" % (i, i * 7919)
                for i in range(3000))
URL = "http://news.test/a.html"


def raw_deflate(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return c.compress(data) + c.flush()


ENCODERS = {"gzip": gzip.compress, "deflate": zlib.compress, "raw-deflate": raw_deflate, "br": lambda d: brotli.compress(d, quality=5)}


def encoded(body: bytes, header: str) -> bytes:
    """``body`` with the codings of ``header`` applied in order (``raw-deflate`` travels as ``deflate``)."""
    for name in header.split(","):
        name = name.strip()
        if name in ENCODERS:
            body = ENCODERS[name](body)
        elif name == "x-gzip":
            body = gzip.compress(body)
    return body


def decode(raw: bytes, header: str, *, max_bytes: int = 10_000_000, chunk: int = 4096) -> bytes:
    decoder = BudgetedDecoder(codings([header.replace("raw-deflate", "deflate")], URL), max_bytes=max_bytes, url=URL)
    out = []
    for i in range(0, len(raw), chunk):
        out.extend(decoder.feed(raw[i:i + chunk]))
    out.extend(decoder.finish())
    return b"".join(out)


@pytest.mark.parametrize("header", ["gzip", "x-gzip", "deflate", "raw-deflate", "br", "gzip, br", "br, deflate",
                                    "gzip, gzip", "identity", "identity, gzip", ""])
@pytest.mark.parametrize("chunk", [1, 7, 4096, 1 << 20])
def test_every_supported_coding_decodes_byte_identically_in_any_chunking(header, chunk):
    assert decode(encoded(PAGE, header), header, chunk=chunk) == PAGE


def test_an_empty_body_decodes_to_nothing():
    for header in ("gzip", "deflate", "br", "gzip, br"):
        assert decode(b"", header) == b""


@pytest.mark.parametrize("header", ["gzip, gzip, gzip", "br, gzip, deflate", "gzip,gzip,gzip,gzip"])
def test_more_than_two_codings_are_refused(header):
    with pytest.raises(FetchError) as caught:
        codings([header], URL)
    assert caught.value.error_class == "decoding"
    assert "at most 2" in str(caught.value)


def test_codings_split_over_several_headers_count_together():
    with pytest.raises(FetchError):
        codings(["gzip", "gzip, gzip"], URL)
    assert codings(["GZip ", " identity", "br"], URL) == ["gzip", "br"]


@pytest.mark.parametrize("name", ["compress", "zstd", "exi", "utf-8", "pack200-gzip"])
def test_an_unknown_coding_is_refused(name):
    with pytest.raises(FetchError) as caught:
        codings([name], URL)
    assert caught.value.error_class == "decoding" and name in str(caught.value)


@pytest.mark.parametrize("header", ["gzip", "deflate", "br"])
def test_a_corrupt_stream_is_a_decoding_error(header):
    with pytest.raises(FetchError) as caught:
        decode(b"\x1f\x8b\x08\x00this is no compressed stream at all" * 10, header)
    assert caught.value.error_class == "decoding"


@pytest.mark.parametrize(("header", "bomb"), [
    ("gzip", lambda: bombs.zeros(200, "gzip")),
    ("deflate", lambda: bombs.zeros(200, "deflate")),
    ("deflate", lambda: bombs.zeros(200, "raw-deflate")),
    ("br", lambda: brotli.compress(b"\0" * 50_000_000, quality=1)),
    ("gzip, gzip", lambda: bombs.double_gzip(5000)),
])
def test_no_layer_outgrows_the_cap_by_more_than_a_step(header, bomb):
    cap = 1_000_000
    decoder = BudgetedDecoder(codings([header], URL), max_bytes=cap, url=URL, status=200)
    produced = 0
    with pytest.raises(FetchError) as caught:
        for piece in decoder.feed(bomb()):
            assert len(piece) <= 2 * STEP
            produced += len(piece)
        list(decoder.finish())
    assert caught.value.error_class == "too_large" and caught.value.status == 200
    assert produced <= cap


def test_the_raw_body_counts_against_the_cap_too():
    decoder = BudgetedDecoder([], max_bytes=10, url=URL)
    assert b"".join(decoder.feed(b"0123456789")) == b"0123456789"
    with pytest.raises(FetchError) as caught:
        list(decoder.feed(b"x"))
    assert caught.value.error_class == "too_large"
