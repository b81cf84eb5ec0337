"""What each request did, measured once: its log line, its `Server-Timing` header, its metrics.

One pure-ASGI layer, just inside the one that gives every response its request id
(response_headers.py), so every answer, a 400 for a wrong `Host` or a 500 included, is timed,
counted and logged.

- The log line (logger `app.requests`, info): request id, method, route template (never the
  raw path, which may carry anything a caller typed), status, duration, client address and the
  principal's id when one signed in. The format is the process's (app/logs.py).
- `Server-Timing: app;dur=3.1, db;dur=0.8` (milliseconds, W3C Server Timing): the time the
  service took until the response began, and the part of it spent in the database doors
  (app/db/database.py adds it up in the request's context).
- The metrics hooks (app/metrics/), when metrics are on: a request started, a request finished
  with its operation, status and duration.
"""

import logging
import time
from typing import Protocol

from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import request_context

log = logging.getLogger("app.requests")
SERVER_TIMING = b"server-timing"
MESSAGE = "%(method)s %(route)s %(status)d %(duration_ms).1fms"
UNMATCHED = "unmatched"  # the operation label of a request no route matched (404, 405)


class RequestMetrics(Protocol):
    def request_started(self) -> None: ...
    def request_finished(self, operation: str, status: int, seconds: float) -> None: ...


def route_of(scope: Scope) -> tuple[str | None, str]:
    """The matched route's path template and operation: the contract's operationId, or the
    template for a route outside the contract (the docs); (None, "unmatched") for no route."""
    route: BaseRoute | None = scope.get("route")
    template: str | None = getattr(route, "path", None)
    if template is None:
        return None, UNMATCHED
    return template, getattr(route, "operation_id", None) or template


class ObserveMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: RequestMetrics | None = None) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        context, token = request_context.begin(scope["state"]["request_id"])
        status = 500  # what the client gets if no response starts (the server sends a 500)

        async def send_timed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                app_ms = (time.perf_counter() - started) * 1000
                timing = f"app;dur={app_ms:.1f}, db;dur={context.db_seconds * 1000:.1f}"
                message["headers"] = [*message.get("headers", ()), (SERVER_TIMING, timing.encode())]
            await send(message)

        metrics = self.metrics
        if metrics is not None:
            metrics.request_started()
        try:
            await self.app(scope, receive, send_timed)
        finally:
            seconds = time.perf_counter() - started
            request_context.end(token)
            template, operation = route_of(scope)
            if metrics is not None:
                metrics.request_finished(operation, status, seconds)
            if log.isEnabledFor(logging.INFO):
                self._log(scope, context, template, status, seconds)

    @staticmethod
    def _log(
        scope: Scope,
        context: request_context.RequestContext,
        template: str | None,
        status: int,
        seconds: float,
    ) -> None:
        client = scope.get("client")
        # makeRecord and handle: Logger.info's own steps, without its search of the stack for
        # the caller's file and line, which this line does not use (a few us a request).
        # What the message says goes in as a mapping (JSON lines make fields of it), the rest
        # as `extra`; the secret-masking filter reads each string once.
        record = log.makeRecord(
            log.name,
            logging.INFO,
            __file__,
            0,
            MESSAGE,
            (
                {
                    "method": scope["method"],
                    "route": template or "-",
                    "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                },
            ),
            None,
            extra={
                "request_id": context.request_id,
                "client": f"{client[0]}:{client[1]}" if client else None,
                "principal": str(context.principal_id) if context.principal_id else None,
            },
        )
        log.handle(record)
