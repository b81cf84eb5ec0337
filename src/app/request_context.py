"""What the service learns about the request in progress, for its log lines and timing header.

The outermost observing layer (app/middleware/observe.py) opens one `RequestContext` per
request; code deeper in (the database doors, the authenticator, any log line) adds to it or
reads it without being handed it. It is one mutable object in a context variable, so what a
dependency or a copied context (a task, a thread started with `asyncio.to_thread`) writes into
it is seen by the layer that reports it.
"""

from contextvars import ContextVar, Token
from dataclasses import dataclass
from uuid import UUID


@dataclass(slots=True)
class RequestContext:
    request_id: str
    principal_id: UUID | None = None  # the signed-in account, once authenticated
    db_seconds: float = 0.0  # wall time spent in the database doors, summed


_current: ContextVar[RequestContext | None] = ContextVar("request_context", default=None)


def begin(request_id: str) -> tuple[RequestContext, Token[RequestContext | None]]:
    context = RequestContext(request_id)
    return context, _current.set(context)


def end(token: Token[RequestContext | None]) -> None:
    _current.reset(token)


def current() -> RequestContext | None:
    """The request in progress here; None outside one (start-up, a migration, a test's call)."""
    return _current.get()


def add_db_time(seconds: float) -> None:
    context = _current.get()
    if context is not None:
        context.db_seconds += seconds


def note_principal(principal_id: UUID) -> None:
    context = _current.get()
    if context is not None:
        context.principal_id = principal_id
