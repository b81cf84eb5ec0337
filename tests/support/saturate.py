"""Keep a server busy with item POSTs from many keep-alive clients, recording every attempt.

Each client is one connection at a time (httpx reuses it while the server allows), sending
the next POST as soon as the last one is answered, until `stop` is set or its connection fails.
"""

import asyncio
import time
import uuid
from dataclasses import dataclass

import httpx

from tests.support.accounts import PASSWORD

ITEMS = "/api/v1/items"


@dataclass
class Attempt:
    started: float  # time.monotonic() just before the request was handed to httpx
    status: int | None = None
    closes: bool = False  # the response said `Connection: close`
    error: str | None = None  # the transport error's class, when there was no response


def sign_in(base_url: str) -> dict[str, str]:
    """Register a fresh account and return its bearer header."""
    email = f"load-{uuid.uuid4().hex[:12]}@example.com"
    body = {"email": email, "password": PASSWORD, "full_name": "Load"}
    registered = httpx.post(f"{base_url}/api/v1/auth/register", json=body, timeout=10)
    assert registered.status_code == 201, registered.text
    form = {"username": email, "password": PASSWORD}
    tokens = httpx.post(f"{base_url}/api/v1/auth/login", data=form, timeout=10)
    assert tokens.status_code == 200, tokens.text
    return {"Authorization": f"Bearer {tokens.json()['access_token']}"}


async def _client(
    base_url: str, headers: dict[str, str], stop: asyncio.Event, attempts: list[Attempt]
) -> None:
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits) as client:
        number = 0
        while not stop.is_set():
            number += 1
            attempt = Attempt(time.monotonic())
            attempts.append(attempt)
            body = {"title": f"load {uuid.uuid4().hex[:8]} {number}", "price": "1.00"}
            try:
                response = await client.post(ITEMS, json=body, timeout=60)
            except httpx.TransportError as exc:
                attempt.error = type(exc).__name__
                return  # the server is gone (or going): this client is done
            attempt.status = response.status_code
            attempt.closes = response.headers.get("connection", "").lower() == "close"


async def saturate(
    base_url: str,
    headers: dict[str, str],
    clients: int,
    stop: asyncio.Event,
    attempts: list[Attempt] | None = None,
) -> list[Attempt]:
    """Run `clients` clients until `stop` is set and each has finished; every attempt, in order.

    `attempts`, when given, is the list they record into as they go, so the caller can wait
    until the server is busy rather than guess how long that takes on this machine.
    """
    attempts = [] if attempts is None else attempts
    async with asyncio.TaskGroup() as group:
        for _ in range(clients):
            group.create_task(_client(base_url, headers, stop, attempts))
    return sorted(attempts, key=lambda attempt: attempt.started)
