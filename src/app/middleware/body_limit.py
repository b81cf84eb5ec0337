"""Refuse request bodies over the limit with 413, before they are read into memory.

Only on the methods whose operations take a body in the contract: elsewhere (a GET, say) the
app never reads a body, so one costs no memory, and a 413 there would be an answer the
contract does not declare for that operation. The limit itself is one setting
(APP_MAX_BODY_BYTES): the contract declares none per operation.
"""

from collections.abc import Iterable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.problems import problem
from contract.api import OperationInfo


def methods_with_bodies(operations: Iterable[OperationInfo]) -> frozenset[str]:
    """The HTTP methods of the operations (the operation index) that take a request body."""
    return frozenset(op.method for op in operations if op.request_media_types)


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int, methods: frozenset[str]) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.methods = methods

    def _detail(self) -> str:
        return f"The request body is larger than {self.max_bytes} bytes."

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in self.methods:
            await self.app(scope, receive, send)
            return
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            if declared.isdigit():
                await problem(scope, 413, self._detail())(scope, receive, send)
            else:
                await problem(scope, 400, "Content-Length is not a number.")(scope, receive, send)
            return
        received = 0

        async def counted_receive() -> Message:
            # A chunked body declares no length: count it as it streams. Raising here reaches
            # FastAPI's body reading, which re-raises HTTPException to the problem handler.
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413, self._detail())
            return message

        await self.app(scope, counted_receive, send)
