"""Rate limits (the `limits` library) for every operation whose contract declares a 429.

The contract decides what is limited: add a 429 response to an operation and it is limited,
with no code change. Counting happens before the body is read, per operation and per client
address: the connection's peer, or what X-Forwarded-For says when the peer is a proxy named in
APP_FORWARDED_ALLOW_IPS (app/server.py).
"""

import logging
import math
import time
from collections.abc import Iterable

from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from prometheus_client import Counter
from starlette.types import ASGIApp, Receive, Scope, Send

from app.contract_paths import ContractPaths
from app.errors import RateLimited
from app.problems import for_domain_error
from contract.api import OperationInfo

log = logging.getLogger("app.rate_limit")


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
        operations: Iterable[OperationInfo],
        limit: str,
        storage: Storage,
        refusals: Counter | None = None,
    ) -> None:
        """Limits those of `operations` (the operation index) that declare a 429.

        `refusals` is counted once for every request refused.
        """
        self.app = app
        self.refusals = refusals
        self.limited = ContractPaths(op for op in operations if op.rate_limited)
        self.item: RateLimitItem = parse(limit)
        self.limiter = MovingWindowRateLimiter(storage)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        operation = (
            self.limited.operation(scope["method"], scope["path"])
            if scope["type"] == "http"
            else None
        )
        if operation is None:
            await self.app(scope, receive, send)
            return
        operation_id = operation.operation_id
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
        if self.refusals is not None:
            self.refusals.inc()
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        error = RateLimited(
            f"Too many requests to {operation_id}; try again in {retry_after} s.", retry_after
        )
        await for_domain_error(scope, error)(scope, receive, send)
