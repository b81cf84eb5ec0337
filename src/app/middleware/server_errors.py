"""Turn an unexpected exception into a 500 problem that leaks nothing, and log it with its id.

It sits inside the request-id middleware, so the 500 carries `X-Request-ID` like any other
response (Starlette's own ServerErrorMiddleware is outermost and would skip it).
"""

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.problems import problem, request_id

log = logging.getLogger("app.errors")


class ServerErrorsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

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
