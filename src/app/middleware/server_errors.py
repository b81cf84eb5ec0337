"""Turn an unexpected exception into a 500 problem that leaks nothing, and log it with its id.

It sits inside the request-id middleware, so the 500 carries `X-Request-ID` like any other
response (Starlette's own ServerErrorMiddleware is outermost and would skip it).

The log line carries the request id, the method and path, the class of every exception in
the chain and every frame, but each exception's message only once redacted
(`app.redaction.describe`): a driver's error quotes the values it failed on (PostgreSQL's
DETAIL: `Key (email)=(...) already exists`), and no email, hash, token or secret may reach a
log. The record has no `exc_info` for a handler to format again, unredacted.

A request still running when the shutdown grace ends is cancelled by the server (app/server.py);
it gets a 503 problem rather than uvicorn's plain-text 500.
"""

import asyncio
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.draining import Drain
from app.errors import Unavailable
from app.problems import for_domain_error, problem, request_id
from app.redaction import Redactor, describe

log = logging.getLogger("app.errors")


CUT_SHORT = (
    "The service shut down before this request finished; it may or may not have taken effect."
)


class ResponseAborted(RuntimeError):
    """Raised to the server in place of an error that struck after the response began: the
    server drops the connection and logs this, which quotes nothing (the error is logged)."""


class ServerErrorsMiddleware:
    def __init__(
        self, app: ASGIApp, *, drain: Drain | None = None, redact: Redactor | None = None
    ) -> None:
        self.app = app
        self.drain = drain or Drain()
        self.redact = redact or Redactor()

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
        except Exception as error:
            rid = request_id(scope)
            log.error(
                "unhandled error in %s %s (request_id=%s): %s\n%s",
                scope.get("method"),
                self.redact(str(scope.get("path"))),  # a caller may put anything in a path
                rid,
                type(error).__name__,
                describe(error, self.redact),
                extra={"request_id": rid, "error_class": type(error).__name__},
            )
            if started:
                # Too late for a problem body; the server drops the connection.
                raise ResponseAborted(
                    f"the response to request {rid} broke off after an unexpected error, "
                    "logged above by app.errors"
                ) from None
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
            await for_domain_error(scope, Unavailable(CUT_SHORT))(scope, receive, send)
