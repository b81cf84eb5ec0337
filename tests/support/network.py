"""Keep the test run on this machine: any connection outside loopback fails, and is recorded.

The service calls nothing outside itself (no webhooks, no URL fetching: OWASP API7 and API10 have
nothing to reach), so a test that connects elsewhere is a bug or a leak. `loopback_only` patches
`socket.socket`, which every pure-Python client goes through, asyncio's own event loop included
(`create_connection` ends in `sock.connect`): PostgreSQL and Redis on 127.0.0.1, `localhost`,
Unix sockets and the ASGI transport (no socket at all) keep working. Subprocesses (uvicorn in the
serve tests, the code generators) run their own interpreter and are not covered.
"""

import ipaddress
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


class OutboundConnection(RuntimeError):
    """A test tried to reach an address outside loopback.

    Not an OSError: code under test that retries or swallows connection errors must not be
    able to hide this one.
    """


def is_loopback(address: Any) -> bool:
    """Whether a socket address stays on this machine (a Unix socket path always does)."""
    if not isinstance(address, tuple):
        return True  # AF_UNIX path (str or bytes)
    host = address[0]
    if isinstance(host, bytes):
        host = host.decode()
    host = str(host).split("%", 1)[0]  # an IPv6 scope id
    if host.lower() in LOCAL_NAMES:
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False  # any other host name would need DNS: not loopback
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


@contextmanager
def loopback_only() -> Iterator[list[str]]:
    """Refuse connections (and datagrams) outside loopback; yields the refused addresses."""
    refused: list[str] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_sendto = socket.socket.sendto

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not is_loopback(address):
            refused.append(repr(address))
            raise OutboundConnection(f"tests may only connect to loopback, not {address!r}")

    def connect(self: socket.socket, address: Any) -> None:
        check(self, address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address)
        return real_connect_ex(self, address)

    def sendto(self: socket.socket, data: Any, *args: Any) -> int:
        check(self, args[-1])  # sendto(data, address) or sendto(data, flags, address)
        result: int = real_sendto(self, data, *args)
        return result

    patches = {"connect": connect, "connect_ex": connect_ex, "sendto": sendto}
    originals = {name: getattr(socket.socket, name) for name in patches}
    for name, replacement in patches.items():
        setattr(socket.socket, name, replacement)
    try:
        yield refused
    finally:
        for name, original in originals.items():
            setattr(socket.socket, name, original)
