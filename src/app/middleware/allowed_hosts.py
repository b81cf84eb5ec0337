"""Refuse requests whose `Host` names no host this service answers to (`APP_ALLOWED_HOSTS`).

Starlette's `TrustedHostMiddleware` semantics: a name matches itself (case-insensitively, the
header's port ignored), `*.example.com` matches every subdomain of example.com (not example.com
itself), and `*` matches any host, a missing `Host` included. A request with no `Host`, more than
one, or one that is not a host name or IP literal is refused too.

Ours, not Starlette's, because:
- the refusal is the contract's 400 problem+json (with the request id, through the one problem
  table in app/problems.py), not Starlette's plain-text "Invalid host header";
- IPv6 literals: `Host: [::1]:8000` must match the allowed `::1`. Starlette compares the
  bracketed form (`[::1]`), so the default list, which names `::1`, would refuse it (older
  Starlette split on the first `:` and could not read an IPv6 literal at all);
- no `www.` redirect: an API client is told what is wrong, not sent elsewhere.

Only HTTP requests are checked; lifespan (and websocket: the contract has none) pass. The check
is a header scan and a set lookup; patterns are only walked for a host that is not a listed name.
"""

import ipaddress
import re
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

from app import errors
from app.problems import for_domain_error

HOST = b"host"
ANY = "*"
# A registered name as RFC 3986 allows it in an authority, lower case (no "/", "@", "?", ...).
NAME = re.compile(r"[a-z0-9._~%!$&'()*+,;=-]+")
REFUSED = "The Host header names no host this service answers to."
# Allowed `Host` values seen, as sent: the next request with one is a dict lookup. Bounded, and
# only allowed values are kept, so a caller sending made-up hosts cannot grow it or evict them.
REMEMBERED = 256


def _ipv6(text: str) -> str | None:
    """`text` as a canonical IPv6 address (compressed, lower case), or None if it is not one."""
    try:
        return ipaddress.IPv6Address(text).compressed
    except ValueError:
        return None


def host_name(header: bytes) -> str | None:
    """The host of a `Host` header value without its port, lower case; None if it is no host.

    `[::1]:8000` gives `::1`: IPv6 literals come without their brackets, canonical.
    """
    text = header.decode("latin-1").lower()
    if text.startswith("["):
        literal, bracket, port = text[1:].partition("]")
        if not bracket or (port and not (port[0] == ":" and port[1:].isdigit())):
            return None
        return _ipv6(literal)
    name, colon, port = text.partition(":")
    if colon and not port.isdigit():
        return None  # "a:b:c", "host:", "host:x"
    return name if NAME.fullmatch(name) else None


def pattern(entry: str) -> str:
    """An `allowed_hosts` entry, checked and normalised as `host_name` normalises a header."""
    text = entry.strip().lower()
    if text == ANY:
        return ANY
    if ANY in text[1:] or (text.startswith(ANY) and not text.startswith("*.")):
        raise ValueError(f"allowed host {entry!r}: a wildcard must be like '*.example.com'")
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if ":" in text:  # only an IPv6 address may hold one: a host pattern names no port
        address = _ipv6(text)
        if address is None:
            raise ValueError(f"allowed host {entry!r} is neither a host name nor an IPv6 address")
        return address
    if not NAME.fullmatch(text.removeprefix("*.")):
        raise ValueError(f"allowed host {entry!r} is not a host name")
    return text


def patterns(entries: Iterable[str]) -> list[str]:
    """Every entry checked and normalised; ValueError names the first that could never match.

    create_app calls it, so a bad entry stops the app where it is built: Starlette builds the
    middleware only on its first call, and a lifespan that fails there is taken by plain
    uvicorn (`--lifespan auto`, its default) for no lifespan at all, leaving the app serving 500s.
    """
    return [pattern(entry) for entry in entries]


class AllowedHostsMiddleware:
    def __init__(self, app: ASGIApp, *, allowed_hosts: Iterable[str]) -> None:
        self.app = app
        normalised = set(patterns(allowed_hosts))
        self.allow_any = ANY in normalised
        self.names = frozenset(p for p in normalised if not p.startswith("*"))
        self.suffixes = tuple(p[1:] for p in normalised if p.startswith("*."))  # ".example.com"
        self.allowed_headers: set[bytes] = set()

    def allows(self, header: bytes) -> bool:
        """Whether a `Host` header value, as sent, names an allowed host."""
        if header in self.allowed_headers:
            return True
        host = host_name(header)
        if host is None or not (host in self.names or host.endswith(self.suffixes)):
            return False
        if len(self.allowed_headers) < REMEMBERED:
            self.allowed_headers.add(header)
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.allow_any:
            await self.app(scope, receive, send)
            return
        host, count = b"", 0
        for name, value in scope["headers"]:  # every one: two Hosts are refused
            if name == HOST:
                host, count = value, count + 1
        # The set lookup first: the common case without a method call.
        if count == 1 and (host in self.allowed_headers or self.allows(host)):
            await self.app(scope, receive, send)
            return
        refusal = for_domain_error(scope, errors.InvalidRequest(REFUSED))
        await refusal(scope, receive, send)
