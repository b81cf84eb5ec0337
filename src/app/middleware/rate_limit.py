"""Rate limits (the `limits` library) for every operation whose contract declares a 429.

The contract decides what is limited: add a 429 response to an operation and it is limited,
with no code change. Counting happens before the body is read, per operation and per client
address: the connection's peer, or what X-Forwarded-For says when the peer is a proxy named in
APP_FORWARDED_ALLOW_IPS (app/server.py).
"""

import logging
import math
import re
import time
from typing import Any

from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from app.errors import RateLimited
from app.problems import for_domain_error

log = logging.getLogger("app.rate_limit")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def limited_operations(spec: dict[str, Any]) -> list[tuple[str, re.Pattern[str], str]]:
    """(METHOD, path regex, operationId) of every operation that declares a 429."""
    found = []
    for path, item in (spec.get("paths") or {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation and "429" in {str(code) for code in operation.get("responses", {})}:
                found.append((method.upper(), compile_path(path)[0], operation["operationId"]))
    return found


def open_storage(url: str) -> Storage:
    """Async storage for a `memory://` or `redis://` URL; Redis through redis-py."""
    if not url.startswith("async+"):
        url = "async+" + url
    options = {"implementation": "redispy"} if url.startswith("async+redis") else {}
    storage = storage_from_string(url, **options)
    assert isinstance(storage, Storage)
    return storage


async def close_storage(storage: Storage) -> None:
    """Close the storage's connections (Redis keeps a pool open; `limits` has no close())."""
    client = getattr(getattr(storage, "bridge", None), "storage", None)
    close = getattr(client, "aclose", None)
    if close is not None:
        await close()


class RateLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        operations: list[tuple[str, re.Pattern[str], str]],
        limit: str,
        storage: Storage,
    ) -> None:
        self.app = app
        self.operations = operations
        self.item: RateLimitItem = parse(limit)
        self.limiter = MovingWindowRateLimiter(storage)

    def _operation(self, scope: Scope) -> str | None:
        for method, pattern, operation_id in self.operations:
            if scope["method"] == method and pattern.match(scope["path"]):
                return operation_id
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        operation_id = self._operation(scope) if scope["type"] == "http" else None
        if operation_id is None:
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        try:
            allowed = await self.limiter.hit(self.item, operation_id, client)
            if not allowed:
                stats = await self.limiter.get_window_stats(self.item, operation_id, client)
        except Exception:
            # The limiter's storage (Redis) is down: serve rather than lock everyone out.
            log.exception("rate limit storage failed; letting %s through", operation_id)
            allowed = True
        if allowed:
            await self.app(scope, receive, send)
            return
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        error = RateLimited(
            f"Too many requests to {operation_id}; try again in {retry_after} s.", retry_after
        )
        await for_domain_error(scope, error)(scope, receive, send)
