"""The gzip layer by itself, in front of apps that answer fixed responses.

Each test sends one request through `CompressionMiddleware` and looks at the raw messages that
come out: headers as sent and body bytes as they would go on the wire.
"""

import gzip
import json
from collections.abc import Sequence
from typing import Any

import pytest
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.middleware.compression import CompressionMiddleware, accepts_gzip

pytestmark = pytest.mark.anyio

LARGE = json.dumps([{"n": n, "text": "words " * 10} for n in range(100)]).encode()
SMALL = b'{"status":"ok"}'


def answering(
    body: bytes | Sequence[bytes], status: int = 200, headers: Sequence[tuple[str, str]] = ()
) -> ASGIApp:
    """An app that answers `body` (several parts: streamed, without a Content-Length)."""
    parts = [body] if isinstance(body, bytes) else list(body)
    raw = [(k.lower().encode(), v.encode()) for k, v in headers]
    raw.append((b"content-type", b"application/json"))
    if isinstance(body, bytes):
        raw.append((b"content-length", str(len(body)).encode()))

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": status, "headers": raw})
        for n, part in enumerate(parts):
            more = n < len(parts) - 1
            await send({"type": "http.response.body", "body": part, "more_body": more})

    return app


async def through(app: ASGIApp, accept_encoding: str | None) -> tuple[Headers, bytes, int]:
    """The response's headers, raw body and number of body messages."""
    sent: list[Message] = []
    headers = [] if accept_encoding is None else [(b"accept-encoding", accept_encoding.encode())]
    scope: dict[str, Any] = {"type": "http", "method": "GET", "path": "/", "headers": headers}

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await CompressionMiddleware(app)(scope, receive, send)
    assert sent[0]["type"] == "http.response.start"
    bodies = [m for m in sent[1:] if m["type"] == "http.response.body"]
    assert not bodies[-1].get("more_body", False)
    return Headers(raw=sent[0]["headers"]), b"".join(m["body"] for m in bodies), len(bodies)


async def test_a_large_response_is_gzip_with_its_length_and_vary() -> None:
    headers, body, _ = await through(answering(LARGE), "gzip, deflate, br")
    assert headers["content-encoding"] == "gzip"
    assert headers["vary"] == "Accept-Encoding"
    assert int(headers["content-length"]) == len(body) < len(LARGE) // 4
    assert gzip.decompress(body) == LARGE


async def test_vary_adds_to_the_one_the_response_has() -> None:
    for accept in ("gzip", None):
        headers, _, _ = await through(answering(LARGE, headers=[("Vary", "Origin")]), accept)
        assert headers.getlist("vary") == ["Origin, Accept-Encoding"], accept


async def test_a_small_response_is_sent_as_it_is() -> None:
    headers, body, _ = await through(answering(SMALL), "gzip")
    assert "content-encoding" not in headers
    assert "vary" not in headers
    assert body == SMALL


async def test_without_gzip_accepted_nothing_is_compressed_but_vary_says_it_could_be() -> None:
    for accept in (None, "", "identity", "br", "gzip;q=0", "*;q=0", "gzip;q=0, *"):
        headers, body, _ = await through(answering(LARGE), accept)
        assert "content-encoding" not in headers, accept
        assert headers["vary"] == "Accept-Encoding", accept
        assert body == LARGE


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip", True),
        ("GZIP", True),
        ("deflate, gzip;q=0.5", True),
        ("x-gzip", True),
        ("*", True),
        ("br;q=1, *;q=0.1", True),
        ("gzip;q=0", False),
        ("gzip;q=0.000", False),
        ("gzip;q=zero", False),
        ("*;q=0", False),
        ("identity", False),
        ("gzip;q=0, *;q=1", False),  # named codings win over *
        ("", False),
    ],
)
def test_accept_encoding_is_read_with_its_q_values(header: str, accepted: bool) -> None:
    assert accepts_gzip(header.encode()) is accepted


async def test_a_response_with_an_etag_keeps_its_bytes_so_its_strong_tag_stays_exact() -> None:
    app = answering(LARGE, headers=[("ETag", '"3"')])
    for accept in ("gzip", None):
        headers, body, _ = await through(app, accept)
        assert headers["etag"] == '"3"'
        assert "content-encoding" not in headers
        assert "vary" not in headers  # it never varies
        assert body == LARGE


async def test_an_encoded_bodiless_or_partial_response_is_left_alone() -> None:
    cases = [
        answering(LARGE, headers=[("Content-Encoding", "br")]),
        answering(b"", status=204),
        answering(LARGE, status=206),
    ]
    for app in cases:
        headers, _, _ = await through(app, "gzip")
        assert headers.getlist("content-encoding") in ([], ["br"])
        assert "vary" not in headers


async def test_a_streamed_response_is_compressed_part_by_part() -> None:
    parts = [LARGE[:2000], LARGE[2000:4000], LARGE[4000:]]
    headers, body, count = await through(answering(parts), "gzip")
    assert headers["content-encoding"] == "gzip"
    assert "content-length" not in headers
    assert count == 3
    assert gzip.decompress(body) == LARGE


async def test_a_small_streamed_response_is_sent_as_it_is() -> None:
    headers, body, _ = await through(answering([SMALL]), "gzip")
    assert "content-encoding" not in headers
    assert body == SMALL


async def test_a_body_over_the_thread_threshold_compresses_the_same() -> None:
    huge = LARGE * 40  # over 128 KiB: compressed off the event loop
    assert len(huge) > 128 * 1024
    headers, body, _ = await through(answering(huge), "gzip")
    assert headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == huge
