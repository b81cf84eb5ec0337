"""The headers every response carries: its request id, its `Server-Timing`, the security headers.

The request id is the caller's `X-Request-ID` when it is sane, else a new one; it is kept in
`scope["state"]` for logs and problem bodies. The security headers make browsers treat API
responses as data, not pages. While the process drains before it stops (app/server.py), every
response also says `Connection: close`, so keep-alive clients reconnect elsewhere. One layer does
all of it, writing the raw header list directly: each ASGI layer costs a coroutine and a wrapped
`send` on every request (issue 6). For the same reason it is where each request is timed, counted
and logged (observe.py's `Observer`), in the request's context (app/request_context.py).
"""

import re
import secrets
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import request_context
from app.draining import Drain
from app.middleware.observe import Observer

REQUEST_ID = b"x-request-id"
# Echoing a caller's id into logs and headers is only safe for short, plain tokens.
ACCEPTABLE = re.compile(r"[A-Za-z0-9._:-]{1,128}")
ALWAYS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)
NO_STORE = (b"cache-control", b"no-store")
SERVER_TIMING = b"server-timing"
CLOSE = (b"connection", b"close")  # uvicorn closes the connection after such a response
NAMES = frozenset([REQUEST_ID, *(name for name, _ in ALWAYS)])  # ours replace the app's
NAMES_NO_STORE = NAMES | {NO_STORE[0]}
# The interactive docs may be cached; everything the API answers is per caller and may not.
# The app passes every path of the docs (app/spec.py's `documentation_paths`, their assets too).
CACHEABLE = frozenset({"/docs", "/redoc", "/openapi.json"})


class ResponseHeadersMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        drain: Drain | None = None,
        observer: Observer | None = None,
        cacheable: frozenset[str] = CACHEABLE,
    ) -> None:
        self.app = app
        self.cacheable = cacheable
        self.drain = drain or Drain()
        self.observer = observer or Observer()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        given = next((v.decode("latin-1") for k, v in scope["headers"] if k == REQUEST_ID), "")
        # 32 hex digits, as uuid4().hex gave, without building a UUID (a third of the time).
        request_id = given if ACCEPTABLE.fullmatch(given) else secrets.token_hex(16)
        scope.setdefault("state", {})["request_id"] = request_id
        no_store = scope["path"] not in self.cacheable
        added = [(REQUEST_ID, request_id.encode()), *ALWAYS, *((NO_STORE,) if no_store else ())]
        names = NAMES_NO_STORE if no_store else NAMES
        drain = self.drain
        observer = self.observer
        context, token = request_context.begin(request_id)
        status = 500  # what the client gets if no response starts (the server sends a 500)

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                # Ours replace any the app set (as MutableHeaders' item assignment would).
                kept = [(k, v) for k, v in message.get("headers", ()) if k.lower() not in names]
                timing = observer.server_timing(context, time.perf_counter() - started)
                message["headers"] = [*kept, *added, (SERVER_TIMING, timing)]
                if drain.draining:  # read when the response starts, not when the request came
                    message["headers"].append(CLOSE)
            await send(message)

        observer.started()
        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            request_context.end(token)
            observer.finished(scope, context, status, time.perf_counter() - started)
