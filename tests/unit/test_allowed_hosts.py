"""The allowed-hosts check by itself: Starlette's TrustedHost semantics, IPv6 literals, refusals.

The middleware runs in front of a constant app, behind the response headers (as in create_app),
driven in-process by raw `Host` headers.
"""

from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.types import Message, Receive, Scope, Send

from app.main import create_app
from app.middleware.allowed_hosts import AllowedHostsMiddleware, host_name, pattern
from app.middleware.response_headers import ResponseHeadersMiddleware
from tests.support.contract import assert_problem
from tests.support.settings import app_settings, sqlite_url

pytestmark = pytest.mark.anyio

DEFAULT = ["localhost", "127.0.0.1", "::1"]  # Settings' default


async def ok(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


async def status_for(allowed: list[str], *hosts: bytes) -> httpx.Response:
    """The answer to a GET carrying these `Host` headers (none: no Host at all)."""
    app = ResponseHeadersMiddleware(AllowedHostsMiddleware(ok, allowed_hosts=allowed))
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/api/v1/items",
        "raw_path": b"/api/v1/items",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", host) for host in hosts],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    await app(scope, receive, send)
    start, body = sent[0], b"".join(m.get("body", b"") for m in sent[1:])
    headers = [(k.decode(), v.decode()) for k, v in start["headers"]]
    return httpx.Response(start["status"], headers=headers, content=body)


@pytest.mark.parametrize(
    "host",
    [b"localhost", b"localhost:8000", b"LOCALHOST:8000", b"127.0.0.1", b"127.0.0.1:65535",
     b"[::1]", b"[::1]:8000", b"[0:0:0:0:0:0:0:1]:8000"],
)  # fmt: skip
async def test_the_default_lets_this_machine_through_on_any_port(host: bytes) -> None:
    assert (await status_for(DEFAULT, host)).status_code == 200


@pytest.mark.parametrize(
    "hosts",
    [
        [b"evil.example"],
        [b"localhost.evil.example"],
        [b"evil.example:8000"],
        [],  # no Host at all
        [b""],
        [b"localhost", b"evil.example"],  # two Hosts: which one the app would read is unclear
        [b"localhost:"],
        [b"localhost:80:80"],
        [b"localhost:http"],
        [b"localhost/x"],
        [b"local host"],
        [b"[::1"],
        [b"[::1]x"],
        [b"[::2]:8000"],
        [b"[not-an-address]"],
        [b"::1"],  # an IPv6 literal without brackets is no Host (RFC 3986)
    ],
)
async def test_any_other_host_is_a_400_problem_with_the_request_id(hosts: list[bytes]) -> None:
    refused = await status_for(DEFAULT, *hosts)
    body = assert_problem(refused, 400)
    assert body["type"] == "urn:problem-type:invalid-request"
    assert body["detail"] == "The Host header names no host this service answers to."
    assert refused.headers["x-content-type-options"] == "nosniff"
    assert "evil" not in refused.text  # the caller's Host is not echoed back


async def test_a_subdomain_pattern_matches_subdomains_only() -> None:
    allowed = ["*.example.com"]
    for host in (b"api.example.com", b"a.b.example.com:443", b"API.Example.COM"):
        assert (await status_for(allowed, host)).status_code == 200, host
    for host in (b"example.com", b"evilexample.com", b"example.com.evil.org", b"x.example.co"):
        assert (await status_for(allowed, host)).status_code == 400, host


async def test_star_lets_any_host_through_even_none() -> None:
    for hosts in ([b"evil.example"], [], [b"not a host"]):
        assert (await status_for(["*"], *hosts)).status_code == 200


async def test_exact_names_ignore_case_and_port() -> None:
    assert (await status_for(["API.example.com"], b"api.EXAMPLE.com:8443")).status_code == 200
    assert (await status_for(["api.example.com"], b"www.api.example.com")).status_code == 400


async def test_an_ipv6_entry_may_be_written_with_brackets_or_in_full() -> None:
    for entry in ("[::1]", "0:0:0:0:0:0:0:1", "::1"):
        assert (await status_for([entry], b"[::1]:8000")).status_code == 200, entry
    assert (await status_for(["2001:db8::1"], b"[2001:DB8:0::1]")).status_code == 200


async def test_other_scopes_pass_unchecked() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    middleware = AllowedHostsMiddleware(app, allowed_hosts=["localhost"])

    async def nothing() -> Message:
        return {}

    async def ignore(message: Message) -> None:
        return None

    await middleware({"type": "lifespan"}, nothing, ignore)
    assert seen == ["lifespan"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (b"Example.COM:80", "example.com"),
        (b"[::1]:8000", "::1"),
        (b"[::FFFF:127.0.0.1]", "::ffff:7f00:1"),
        (b"127.0.0.1", "127.0.0.1"),
        (b"[::1]:", None),
        (b"a@b", None),
    ],
)
def test_host_name_reads_the_header_without_its_port(header: bytes, expected: str | None) -> None:
    assert host_name(header) == expected


@pytest.mark.parametrize("entry", ["*example.com", "api.*.com", "**.example.com", "a:b", "a/b", ""])
def test_a_pattern_that_could_never_match_is_refused_at_start(entry: str) -> None:
    with pytest.raises(ValueError, match="allowed host"):
        pattern(entry)


def test_create_app_refuses_a_bad_pattern_before_serving(tmp_path: Path) -> None:
    settings = app_settings(sqlite_url(tmp_path), tmp_path, allowed_hosts=["ok.example", "a.*.b"])
    with pytest.raises(ValueError, match=r"allowed host 'a\.\*\.b'"):
        create_app(settings)
