"""`nox -s request_cost`: how long one request of each bench route takes, in-process, one at a time.

    python -m perf.request_cost [--database-url URL] [--calls N] [--repeat N]

`nox -s bench` measures capacity with wrk over real sockets, and on a shared 2-core machine its
ratios move by 5% from one run to the next with the same code. This drives the ASGI app
directly (no sockets, no uvicorn, no client in the same process competing for the CPU), with
logging as `python -m app serve` sets it up (a line per request, written to a temp file), and
prints the best of `--repeat` timings of `--calls` requests per route, in microseconds of wall
clock (on SQLite nearly all CPU; on PostgreSQL the server's round trips too): the
number to compare two commits by, run after run (check out each, run this, compare).

It seeds an account, a token and some items through the API first. SQLite in a temp folder
unless --database-url or APP_DATABASE_URL names another database (see perf/databases.py). Exit
status 1 if any request answers a status other than the route's.
"""

import argparse
import asyncio
import json
import logging.config
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlencode

from starlette.types import ASGIApp, Message, Scope

from app import logs
from app.settings import Settings
from perf.bench import BARE, Target, targets
from perf.bench_app import create_bench_app
from perf.databases import scratch_database

PASSWORD = "request cost password"  # noqa: S105  # a throwaway account in a scratch database


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: str = ""
    headers: tuple[tuple[bytes, bytes], ...] = ()
    body: bytes = b""
    status: int = 200

    def scope(self) -> Scope:
        headers = [(b"host", b"127.0.0.1"), *self.headers]
        if self.body:
            headers.append((b"content-length", str(len(self.body)).encode()))
        return {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": self.method,
            "scheme": "http",
            "path": self.path,
            "raw_path": self.path.encode(),
            "query_string": self.query.encode(),
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
            "state": {},
        }


@dataclass
class Answer:
    status: int = 0
    body: bytearray = field(default_factory=bytearray)


async def call(app: ASGIApp, request: Request) -> Answer:
    answer = Answer()

    async def receive() -> Message:
        return {"type": "http.request", "body": request.body, "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
        elif message["type"] == "http.response.body":
            answer.body += message.get("body", b"")

    await app(request.scope(), receive, send)
    return answer


async def expect(app: ASGIApp, request: Request) -> Any:
    answer = await call(app, request)
    if answer.status != request.status:
        sys.exit(f"{request.method} {request.path}: {answer.status}, not {request.status}")
    return json.loads(answer.body) if answer.body else None


def as_json(value: Any) -> tuple[tuple[bytes, bytes], bytes]:
    return (b"content-type", b"application/json"), json.dumps(value).encode()


def from_target(target: Target, bearer: tuple[bytes, bytes]) -> Request:
    """A bench route (perf/bench.py `targets`, the one list of them) as an in-process request."""
    path, _, query = target.path.partition("?")
    headers = (bearer,) if target.authenticated else ()
    if target.body is None:
        return Request(target.method, path, query, headers)
    content_type, body = as_json(target.body)
    return Request(target.method, path, query, (*headers, content_type), body, 201)


async def seed(app: ASGIApp, items: int) -> list[Request]:
    """An account, its token and `items` items; the bench's routes (but the bare one) to time."""
    content_type, body = as_json({"email": "cost@example.org", "password": PASSWORD})
    await expect(app, Request("POST", "/api/v1/auth/register", "", (content_type,), body, 201))
    form = urlencode({"username": "cost@example.org", "password": PASSWORD}).encode()
    login = Request(
        "POST",
        "/api/v1/auth/login",
        headers=((b"content-type", b"application/x-www-form-urlencoded"),),
        body=form,
    )
    token = (await expect(app, login))["access_token"]
    bearer = (b"authorization", f"Bearer {token}".encode())
    # The bare app's yardstick is for wrk's ratios; in-process, each route stands alone.
    routes = [target for target in targets("{item_id}") if target.name != BARE]
    create = next(from_target(t, bearer) for t in routes if t.method == "POST")
    created = [await expect(app, create) for _ in range(items)]
    item_id = created[len(created) // 2]["id"]  # as perf/bench.py's seed picks it
    return [
        from_target(replace(target, path=target.path.replace("{item_id}", item_id)), bearer)
        for target in routes
    ]


async def measure(app: ASGIApp, request: Request, calls: int, repeat: int) -> float:
    """The best of `repeat` runs of `calls` requests, in microseconds a request."""
    await expect(app, request)  # warm: compiled statements, caches
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(calls):
            await expect(app, request)
        best = min(best, (time.perf_counter() - started) / calls)
    return best * 1e6


async def run(settings: Settings, calls: int, repeat: int) -> list[tuple[Request, float]]:
    app: ASGIApp = create_bench_app(settings)
    started = asyncio.Event()
    stop = asyncio.Event()
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "lifespan.startup"}
        await stop.wait()
        return {"type": "lifespan.shutdown"}

    async def send(message: Message) -> None:
        if message["type"].startswith("lifespan.startup"):
            started.set()  # complete, or failed: the lifespan task then raises

    lifespan = asyncio.ensure_future(app({"type": "lifespan", "state": {}}, receive, send))
    await started.wait()
    try:
        requests = await seed(app, items=50)
        return [(request, await measure(app, request, calls, repeat)) for request in requests]
    finally:
        stop.set()
        await lifespan


@contextmanager
def deployed_logging(settings: Settings, log: TextIO) -> Iterator[None]:
    """Logging as `python -m app serve` sets it up, into `log`; the root's handlers as they were
    afterwards (the tests run this in their own process)."""
    root = logging.getLogger()
    kept = root.handlers[:]
    logs.record_only_what_lines_use()
    logging.config.dictConfig(logs.config(settings.log_format, settings.log_level, log))
    try:
        yield
    finally:
        for handler in root.handlers[:]:
            root.removeHandler(handler)
            handler.close()
        for handler in kept:
            root.addHandler(handler)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("APP_DATABASE_URL", ""))
    parser.add_argument("--calls", type=int, default=1000, help="requests per timing")
    parser.add_argument("--repeat", type=int, default=7, help="timings per route (best kept)")
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory() as tmp,
        scratch_database(args.database_url, Path(tmp)) as url,
    ):
        settings = Settings(
            database_url=url,
            var_dir=Path(tmp) / "var",
            secret_key="request-cost-" + "k" * 32,
            rate_limit_enabled=False,
        )
        with Path(tmp, "server.log").open("w") as log, deployed_logging(settings, log):
            results = asyncio.run(run(settings, args.calls, args.repeat))
    for request, micros in results:
        print(f"{request.method:4} {request.path[:40]:40} {micros:8.1f} us")


if __name__ == "__main__":
    main()
