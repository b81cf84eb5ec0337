"""What each request did, measured once: its log line, its `Server-Timing` header, its metrics.

The outermost layer (response_headers.py, which gives every response its request id) calls
`Observer` around each request, so every answer, a 400 for a wrong `Host` or a 500 included, is
timed, counted and logged.

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
from collections.abc import Mapping
from typing import Protocol

from starlette.routing import BaseRoute
from starlette.types import Scope

from app import logs, request_context

log = logging.getLogger(logs.REQUEST_LOGGER)
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


class Observer:
    """What the outermost layer (response_headers.py) does around each HTTP request: that layer
    already wraps every response, so timing, counting and logging add no layer of their own (a
    layer costs a coroutine and a wrapped `send` a request)."""

    def __init__(self, metrics: RequestMetrics | None = None) -> None:
        self.metrics = metrics
        self._lines = RequestLines(log)

    def started(self) -> None:
        if self.metrics is not None:
            self.metrics.request_started()

    @staticmethod
    def server_timing(context: request_context.RequestContext, app_seconds: float) -> bytes:
        return b"app;dur=%.1f, db;dur=%.1f" % (app_seconds * 1000, context.db_seconds * 1000)

    def finished(
        self, scope: Scope, context: request_context.RequestContext, status: int, seconds: float
    ) -> None:
        template, operation = route_of(scope)
        if self.metrics is not None:
            self.metrics.request_finished(operation, status, seconds)
        if log.isEnabledFor(logging.INFO):
            self._log(scope, context, template, status, seconds)

    def _log(
        self,
        scope: Scope,
        context: request_context.RequestContext,
        template: str | None,
        status: int,
        seconds: float,
    ) -> None:
        client = scope.get("client")
        line = logs.RequestLine(
            scope["method"],
            template or "-",
            status,
            seconds * 1000,
            context.request_id,
            f"{client[0]}:{client[1]}" if client else None,
            str(context.principal_id) if context.principal_id else None,
        )
        # Straight into the service's log buffer when nothing else would see the record;
        # else the record's way, for whatever handlers and filters logging has now.
        handler = logs.direct_handler(log)
        if handler is None or not handler.write_request(line):
            log.handle(self._lines.record(line.args(), **line.extra()))


class RequestLines:
    """The request line's LogRecords, each a copy of one made when the app was built.

    Logger.info would make each: find the caller's file and line by walking the stack, and
    fill in the same dozen attributes again (process, module, level, ...), ~10 us a line on
    a slow machine, in every request. A copy of a finished record with its time, arguments
    and `extra` fields set is a dict copy. The record is an ordinary LogRecord: handlers,
    filters (the request id, the masking of secrets) and formatters see no difference.
    """

    def __init__(self, logger: logging.Logger) -> None:
        self._template = vars(
            logger.makeRecord(
                logger.name, logging.INFO, __file__, 0, logs.REQUEST_MESSAGE, (), None
            )
        )

    def record(self, args: Mapping[str, object], **extra: object) -> logging.LogRecord:
        template = self._template
        now = time.time()
        record = logging.LogRecord.__new__(logging.LogRecord)
        fields = vars(record)
        fields.update(template)
        fields["created"] = now
        fields["msecs"] = (now - int(now)) * 1000
        fields["relativeCreated"] = template["relativeCreated"] + (now - template["created"]) * 1000
        fields["args"] = args
        fields.update(extra)  # after the record's own attributes, as makeRecord adds them
        return record
