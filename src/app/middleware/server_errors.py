"""Turn an unexpected exception into a 500 problem that leaks nothing, and log it with its id.

It sits inside the request-id middleware, so the 500 carries `X-Request-ID` like any other
response (Starlette's own ServerErrorMiddleware is outermost and would skip it).

A request still running when the shutdown grace ends is cancelled by the server (app/server.py);
it gets a 503 problem rather than uvicorn's plain-text 500.
"""

import asyncio
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.draining import Drain
from app.problems import problem, request_id

log = logging.getLogger("app.errors")


CUT_SHORT = (
    "The service shut down before this request finished; it may or may not have taken effect."
)


class ServerErrorsMiddleware:
    def __init__(self, app: ASGIApp, *, drain: Drain | None = None) -> None:
        self.app = app
        self.drain = drain or Drain()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            rid = request_id(scope)
            log.exception(
                "unhandled error in %s %s (request_id=%s)",
                scope.get("method"),
                scope.get("path"),
                rid,
                extra={"request_id": rid},
            )
            if started:
                raise  # Too late for a problem body; let the server drop the connection.
            detail = f"An unexpected error occurred. Quote request id {rid} when reporting it."
            await problem(scope, 500, detail)(scope, receive, send)
        except asyncio.CancelledError:
            # Only the server cancels a request's task: at the end of the shutdown grace. The
            # task is not awaited by anyone, so answering here instead of re-raising ends it
            # with a response the contract declares (the connection closes after it).
            if started or not self.drain.draining:
                raise
            rid = request_id(scope)
            log.warning(
                "%s %s cut short by the shutdown (request_id=%s)",
                scope.get("method"),
                scope.get("path"),
                rid,
                extra={"request_id": rid},
            )
            unavailable = problem(
                scope,
                503,
                CUT_SHORT,
                type_="urn:problem-type:unavailable",
                headers={"Retry-After": "1"},
            )
            await unavailable(scope, receive, send)
