"""gzip for responses of at least `minimum_size` bytes, for clients that accept it.

Responses that carry an `ETag` are sent as they are, never compressed. The service's tags are
strong, one per resource version (app/etags.py), and `If-Match` compares them strongly (RFC 9110
13.1.1). A strong tag names one exact sequence of bytes, so the gzip and the identity bytes of
one version cannot share it; weakening it (`W/"3"`, as nginx and Django do when they compress)
would make every `If-Match` from a gzip client fail, as a weak tag never matches strongly. The
responses with a tag are single items and posts (read, created, changed): an item is a few KiB
at most, a post up to its 50,000 characters of content, sent uncompressed when read alone. The
collections, the large responses, carry no tag and are compressed.

Ours, not Starlette's `GZipMiddleware`: that one leaves a response alone only for its content
type, a `Content-Encoding` already set, or a 206, and so cannot exempt tagged responses; the
ways around it (a fake header, a second list of which operations send tags) would be worse than
this module. It otherwise behaves as Starlette's does: the size is judged by `Content-Length`
(or the first body part of a response without one), `Vary: Accept-Encoding` goes on every
response that could have been compressed (to clients that did not ask for gzip too), streamed
bodies are compressed part by part, and bodies of 128 KiB and more are compressed in a worker
thread so the event loop is not held. Unlike Starlette it reads `Accept-Encoding`'s q-values:
`gzip;q=0` means no.

Sits outside the response validation (app/main.py), which must read the uncompressed body.
"""

import zlib
from functools import lru_cache
from typing import Protocol

import anyio.to_thread
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ACCEPT_ENCODING = b"accept-encoding"
CONTENT_ENCODING = b"content-encoding"
CONTENT_LENGTH = b"content-length"
ETAG = b"etag"
VARY = b"vary"
# No body, or a part of one: nothing to compress as a whole.
UNCOMPRESSED_STATUSES = frozenset({204, 206, 304})
# nginx's default. On a 60 KB page of 100 items (measured): level 1 makes 16.4 KB in ~0.5 ms of
# CPU, level 6 (zlib's default) 12.6 KB in ~1.9 ms, level 9 (Starlette's) 12.4 KB in ~5 ms; the
# event loop serves nothing else meanwhile, so the cheapest level that does most of the work.
LEVEL = 1
THREAD_MINIMUM_SIZE = 128 * 1024


class Compressor(Protocol):
    """What `zlib.compressobj` returns (zlib names its type only privately)."""

    def compress(self, data: bytes, /) -> bytes: ...
    def flush(self, mode: int = ..., /) -> bytes: ...


@lru_cache(maxsize=64)  # clients send few distinct values; parsing each costs more than this
def accepts_gzip(header: bytes) -> bool:
    """Whether an `Accept-Encoding` value allows gzip (RFC 9110 12.5.3: `*` stands for it)."""
    qualities: dict[str, float] = {}
    for part in header.decode("latin-1").lower().split(","):
        coding, _, params = part.partition(";")
        quality = 1.0
        name, _, value = params.strip().partition("=")
        if name.strip() == "q":
            try:
                quality = float(value)
            except ValueError:
                quality = 0.0
        qualities[coding.strip()] = quality
    quality = qualities.get("gzip", qualities.get("x-gzip", qualities.get("*", 0.0)))
    return quality > 0


def compressible(start: Message, minimum_size: int) -> bool | None:
    """Whether a response could be compressed, judged by its start (one pass over its headers).

    False: sent as it is (it carries an ETag, see the module docstring, is already encoded, has
    no body, or declares fewer than `minimum_size` bytes); True: it declares enough bytes; None:
    it declares no length, so its first body part decides.
    """
    status = start["status"]
    if status < 200 or status in UNCOMPRESSED_STATUSES:
        return False
    length = None
    for name, value in start.get("headers", ()):
        if name in (ETAG, CONTENT_ENCODING):
            return False
        if name == CONTENT_LENGTH:
            length = value
    if length is None or not length.isdigit():
        return None
    return int(length) >= minimum_size


def add_vary(start: Message) -> None:
    """`Vary: Accept-Encoding` added to a response start (to the `Vary` it has, if any)."""
    headers = start.get("headers", ())
    if any(name == VARY for name, _ in headers):
        MutableHeaders(scope=start).add_vary_header("Accept-Encoding")
    else:
        start["headers"] = [*headers, (VARY, b"Accept-Encoding")]


class CompressionMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        minimum_size: int = 1024,
        level: int = LEVEL,
        thread_minimum_size: int = THREAD_MINIMUM_SIZE,
    ) -> None:
        self.app = app
        self.minimum_size = minimum_size
        self.level = level
        self.thread_minimum_size = thread_minimum_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == ACCEPT_ENCODING:
                if accepts_gzip(value):
                    await self._gzip(scope, receive, send)
                    return
                break

        async def send_with_vary(message: Message) -> None:
            # Identity for this client; the same response could have been gzip for another.
            if (
                message["type"] == "http.response.start"
                and compressible(message, self.minimum_size) is not False
            ):
                add_vary(message)
            await send(message)

        await self.app(scope, receive, send_with_vary)

    async def _gzip(self, scope: Scope, receive: Receive, send: Send) -> None:
        start: Message | None = None  # held until the first body part says how to send it
        compressor: Compressor | None = None
        passing = False

        async def send_compressed(message: Message) -> None:
            nonlocal start, compressor, passing
            kind = message["type"]
            if passing:
                await send(message)
            elif kind == "http.response.start":
                if compressible(message, self.minimum_size) is False:
                    passing = True
                    await send(message)
                else:
                    start = message
            elif kind != "http.response.body" or start is None:
                await send(message)  # trailers, early hints, pathsend: as they come
            elif compressor is None:
                body: bytes = message.get("body", b"")
                more = message.get("more_body", False)
                if not more and len(body) < self.minimum_size:  # no Content-Length, small
                    passing = True
                    await send(start)
                    await send(message)
                    return
                compressor = zlib.compressobj(self.level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
                compressed = await self._compress(compressor, body, more)
                add_vary(start)
                headers = MutableHeaders(scope=start)
                headers["Content-Encoding"] = "gzip"
                if more:
                    del headers["Content-Length"]
                else:
                    headers["Content-Length"] = str(len(compressed))
                await send(start)
                await send({**message, "body": compressed})
            else:
                more = message.get("more_body", False)
                compressed = await self._compress(compressor, message.get("body", b""), more)
                await send({**message, "body": compressed})

        await self.app(scope, receive, send_compressed)
        if start is not None and compressor is None and not passing:
            await send(start)  # the app ended without a body: send what it started

    async def _compress(self, compressor: Compressor, body: bytes, more: bool) -> bytes:
        if len(body) >= self.thread_minimum_size:
            return await anyio.to_thread.run_sync(_compress, compressor, body, more)
        return _compress(compressor, body, more)


def _compress(compressor: Compressor, body: bytes, more: bool) -> bytes:
    """The next gzip bytes: flushed to a whole part while more follow, finished at the end."""
    mode = zlib.Z_SYNC_FLUSH if more else zlib.Z_FINISH
    return compressor.compress(body) + compressor.flush(mode)
