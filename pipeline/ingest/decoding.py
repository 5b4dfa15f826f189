"""Content-codings (gzip, deflate, br) decoded layer by layer, within an output budget.

httpx decodes every layer of a chunk before its caller sees a byte, so a cap checked on the decoded
chunks comes too late for stacked codings: a 2 kB reply with ``Content-Encoding: gzip, gzip`` grew to
gigabytes inside one chunk. Here each layer is a decompressor asked for at most ``STEP`` bytes at a
time, every layer's running output is counted against the cap, and the raw bytes are too. So no
layer ever holds more than the cap plus one step, whatever the wire says.

At most ``MAX_CODINGS`` codings are decoded; more, or one we do not know, is refused (``decoding``).
``identity`` is not a coding, and ``x-gzip`` is gzip (RFC 9110 §8.4.1.3). A stream cut short is
accepted with what it decoded to, and bytes after the end of a gzip stream are ignored, as httpx
does.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from typing import Protocol

import brotli

from pipeline.errors import FetchError

MAX_CODINGS = 2
# The most one decompressor call may return (brotli overshoots its limit by up to about half).
STEP = 64 * 1024
ACCEPT_ENCODING = "gzip, deflate, br"
_ALIASES = {"x-gzip": "gzip"}


class _Layer(Protocol):
    def feed(self, data: bytes) -> Iterator[bytes]: ...

    def finish(self) -> Iterator[bytes]: ...


def _bad(url: str, coding: str, exc: Exception) -> FetchError:
    return FetchError(f"bad {coding} content encoding from {url}: {exc}", error_class="decoding")


class _Zlib:
    """gzip, or deflate with or without its zlib wrapper (servers send both for ``deflate``)."""

    def __init__(self, coding: str, url: str) -> None:
        self._coding = coding
        self._url = url
        self._undecided = b""  # deflate: the first bytes, until they tell a zlib header from raw deflate
        self._d: zlib._Decompress | None = zlib.decompressobj(zlib.MAX_WBITS | 16) if coding == "gzip" else None

    def _decompressor(self, data: bytes) -> zlib._Decompress | None:
        if self._d is not None:
            return self._d
        self._undecided += data
        if len(self._undecided) < 2:
            return None
        try:
            zlib.decompressobj().decompress(self._undecided[:2])  # checks the two-byte zlib header, no output
            self._d = zlib.decompressobj()
        except zlib.error:
            self._d = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as many servers send it
        return self._d

    def feed(self, data: bytes) -> Iterator[bytes]:
        decided = self._d is not None
        d = self._decompressor(data)
        if d is None:
            return
        if not decided:
            data, self._undecided = self._undecided, b""
        pending = data
        while not d.eof:
            try:
                out = d.decompress(pending, STEP)
            except zlib.error as exc:
                raise _bad(self._url, self._coding, exc) from exc
            pending = d.unconsumed_tail
            if out:
                yield out
            # A full step may leave output inside zlib even when all input is taken: ask again.
            if not pending and len(out) < STEP:
                return

    def finish(self) -> Iterator[bytes]:
        if self._d is None and self._undecided:
            # A single byte of deflate is no stream at all.
            raise _bad(self._url, self._coding, ValueError("truncated stream"))
        yield from self.feed(b"")
        if self._d is not None and not self._d.eof:
            try:
                rest = self._d.flush()  # all input is consumed above, so this holds at most a step
            except zlib.error as exc:
                raise _bad(self._url, self._coding, exc) from exc
            if rest:
                yield rest


class _Brotli:
    def __init__(self, url: str) -> None:
        self._url = url
        self._d = brotli.Decompressor()

    def _call(self, data: bytes) -> bytes:
        try:
            out: bytes = self._d.process(data, output_buffer_limit=STEP)
        except brotli.error as exc:
            raise _bad(self._url, "br", exc) from exc
        return out

    def feed(self, data: bytes) -> Iterator[bytes]:
        if not data or self._d.is_finished():
            return
        out = self._call(data)
        if out:
            yield out
        # Until it can take input again, the decoder only gives out what it holds, a step at a time.
        while not self._d.can_accept_more_data():
            out = self._call(b"")
            if not out:
                return
            yield out

    def finish(self) -> Iterator[bytes]:
        while not self._d.is_finished():
            out = self._call(b"")
            if not out:
                return  # cut short: what it decoded to is kept
            yield out


def codings(values: Iterable[str], url: str) -> list[str]:
    """The content-codings of a response in the order they were applied, or a ``decoding`` FetchError.

    Args:
        values: the ``Content-Encoding`` header values, comma-separated lists allowed.
    """
    found = []
    for value in values:
        for part in value.split(","):
            name = part.strip().lower()
            name = _ALIASES.get(name, name)
            if not name or name == "identity":
                continue
            if name not in ("gzip", "deflate", "br"):
                raise FetchError(f"{url} uses the content-coding {name[:40]!r}, which is not supported",
                                 error_class="decoding")
            found.append(name)
    if len(found) > MAX_CODINGS:
        raise FetchError(f"{url} stacks {len(found)} content-codings ({', '.join(found)}); "
                         f"at most {MAX_CODINGS} are decoded", error_class="decoding")
    return found


class BudgetedDecoder:
    """Undoes a response's content-codings chunk by chunk, refusing any layer that outgrows ``max_bytes``.

    Raises (from ``feed`` and ``finish``):
        FetchError: ``too_large`` when the raw body or any layer's output passes ``max_bytes``
            (with the response's ``status``); ``decoding`` when a layer is not valid.
    """

    def __init__(self, applied: list[str], *, max_bytes: int, url: str, status: int | None = None) -> None:
        # Decoded in the reverse order of application: the last coding listed is the outermost.
        self._names = ["raw", *reversed(applied)]
        self._layers: list[_Layer] = [_Brotli(url) if c == "br" else _Zlib(c, url) for c in reversed(applied)]
        self._sizes = [0] * (len(self._layers) + 1)
        self._max = max_bytes
        self._url = url
        self._status = status

    def _count(self, level: int, n: int) -> None:
        self._sizes[level] += n
        if self._sizes[level] > self._max:
            what = "is" if level == 0 else f"decodes ({self._names[level]} layer {level} of {len(self._layers)}) to"
            raise FetchError(f"{self._url} {what} more than the {self._max}-byte cap",
                             error_class="too_large", status=self._status)

    def _push(self, level: int, data: bytes) -> Iterator[bytes]:
        if level == len(self._layers):
            yield data
            return
        for piece in self._layers[level].feed(data):
            self._count(level + 1, len(piece))
            yield from self._push(level + 1, piece)

    def feed(self, raw: bytes) -> Iterator[bytes]:
        """The decoded bytes ``raw`` adds, in pieces of at most about ``STEP``."""
        self._count(0, len(raw))
        yield from self._push(0, raw)

    def finish(self) -> Iterator[bytes]:
        """What the layers still hold once the raw stream has ended, outermost first."""
        for level, layer in enumerate(self._layers):
            for piece in layer.finish():
                self._count(level + 1, len(piece))
                yield from self._push(level + 1, piece)
