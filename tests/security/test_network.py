"""OWASP API7:2023 Server Side Request Forgery and API10:2023 Unsafe Consumption of APIs.

The service fetches nothing on a caller's behalf and consumes no other API: no operation takes a
URL, and the whole test run, which drives every operation, connects to nothing outside loopback
(the guard in tests/support/network.py, on for every test from tests/conftest.py). The tests
here show that the guard is on and refuses what it should, without sending a packet: it
refuses before the connection is attempted.
"""

import asyncio
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.collection import every_operation
from tests.support.network import OutboundConnection, is_loopback
from tests.support.operations import Operation, resolve

OUTSIDE = "192.0.2.1"  # TEST-NET-1 (RFC 5737): documentation only, never routed
URL_FORMATS = frozenset({"uri", "url", "iri", "uri-reference", "iri-reference", "uri-template"})
URL_NAMES = ("url", "uri", "href", "webhook", "callback", "host")


@pytest.fixture
def refusals(loopback_only: list[str]) -> Iterator[list[str]]:
    """The session guard's record of refusals; what a test here provokes is taken back out."""
    before = len(loopback_only)
    yield loopback_only
    del loopback_only[before:]


def test_a_connection_outside_loopback_is_refused(refusals: list[str]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        with pytest.raises(OutboundConnection):
            sock.connect((OUTSIDE, 80))
        with pytest.raises(OutboundConnection):
            sock.connect_ex((OUTSIDE, 443))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp, pytest.raises(OutboundConnection):
        udp.sendto(b"x", (OUTSIDE, 53))
    assert refusals == [repr((OUTSIDE, port)) for port in (80, 443, 53)]


@pytest.mark.anyio
async def test_asyncio_connections_outside_loopback_are_refused(refusals: list[str]) -> None:
    with pytest.raises(OutboundConnection):
        await asyncio.wait_for(asyncio.open_connection(OUTSIDE, 5432), timeout=1)
    assert refusals == [repr((OUTSIDE, 5432))]


@pytest.mark.anyio
async def test_loopback_connections_still_work(refusals: list[str]) -> None:
    """PostgreSQL and Redis run on 127.0.0.1 in CI: the guard must let those through."""
    received: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.append(await reader.read(5))
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        for host in ("127.0.0.1", "localhost"):
            _, writer = await asyncio.open_connection(host, port)
            writer.write(b"hello")
            await writer.drain()
            writer.close()
            await writer.wait_closed()
        await asyncio.sleep(0.05)
    assert received == [b"hello", b"hello"]
    assert refusals == []


@pytest.mark.parametrize(
    ("address", "local"),
    [
        (("127.0.0.1", 5432), True),
        (("127.8.9.10", 1), True),
        (("::1", 6379, 0, 0), True),
        (("::ffff:127.0.0.1", 1, 0, 0), True),
        (("localhost", 1), True),
        ("/var/run/postgresql/.s.PGSQL.5432", True),
        ((OUTSIDE, 80), False),
        (("10.0.0.1", 80), False),
        (("::ffff:192.0.2.1", 80, 0, 0), False),
        (("0.0.0.0", 80), False),  # noqa: S104  # connecting to it, not binding
        (("example.com", 443), False),
        (("localhost.evil.example", 443), False),
    ],
)
def test_what_counts_as_loopback(address: Any, local: bool) -> None:
    assert is_loopback(address) is local


def _url_fields(schema: Any, where: str) -> Iterator[str]:
    schema = resolve(schema)
    if not isinstance(schema, dict):
        return
    if schema.get("format") in URL_FORMATS:
        yield where
    for name, child in (schema.get("properties") or {}).items():
        if any(word in name.lower() for word in URL_NAMES):
            yield f"{where}.{name}"
        yield from _url_fields(child, f"{where}.{name}")
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from _url_fields(schema[key], f"{where}[]")
    for key in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(key, []):
            yield from _url_fields(part, where)


@pytest.mark.parametrize("op", every_operation())
def test_no_operation_takes_a_url(op: Operation) -> None:
    """A URL in a request is what SSRF needs; one added to the spec fails here until it gets an
    allow-list and tests of its own."""
    found = list(_url_fields(op.body_schema, "body")) if op.body_schema else []
    for parameter in op.parameters:
        found += _url_fields(parameter.get("schema", {}), f"{parameter['in']}.{parameter['name']}")
    assert found == []


def test_the_url_check_sees_urls() -> None:
    schema = {
        "type": "object",
        "properties": {
            "avatar": {"type": "string", "format": "uri"},
            "links": {
                "type": "array",
                "items": {"properties": {"callback_to": {"type": "string"}}},
            },
        },
    }
    assert list(_url_fields(schema, "body")) == ["body.avatar", "body.links[].callback_to"]
