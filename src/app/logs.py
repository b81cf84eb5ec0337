"""How the service's log lines look and where they go: text or JSON, one event a line, on stderr.

The standard library's logging, not structlog: uvicorn, SQLAlchemy and the other libraries log
through it, and the secret-masking filter (app/redaction.py) and the request id below sit on
its handlers, where they see every line whoever writes it. What structlog would add here is a
JSON renderer, which is the twenty lines of `JsonFormatter`.

`python -m app serve` (app/server.py) hands `config(...)` to uvicorn, which applies it, so its
own lines come out in the same format; uvicorn's access log is off, since the service writes
one line per request itself (app/middleware/observe.py) with what uvicorn cannot know: the
route template, the principal, the request id. Libraries log only warnings and worse: at info,
SQLAlchemy would log every statement.
"""

import json
import logging
import sys
import threading
import time
from collections.abc import Mapping
from typing import Any, Literal

from uvicorn.config import LOG_LEVELS

from app import request_context
from app.redaction import Redactor, RedactSecrets, extra_fields

LogFormat = Literal["text", "json"]
# uvicorn's `color_message` is its message again, with terminal colours.
NOT_SHOWN = "color_message"
REQUEST_LOGGER = "app.requests"  # the line per request (app/middleware/observe.py)
REQUEST_MESSAGE = "%(method)s %(route)s %(status)d %(duration_ms).1fms"
FLUSH_INTERVAL_S = 0.25
BUFFER_BYTES = 64 * 1024
# A JSONEncoder made once: json.dumps with options builds one a call.
ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)
SERVICE_LOGGERS = ("app", "uvicorn", "uvicorn.error", "uvicorn.asgi")


class _Clock:
    """ISO 8601 UTC to the millisecond. The text is made once a millisecond (a busy server
    writes several lines in each), the date and time to the second once a second. Each is
    kept as one tuple, so a thread reading it while another replaces it sees a whole pair."""

    second: tuple[int, str] = (-1, "")
    millisecond: tuple[int, str] = (-1, "")

    @classmethod
    def stamp(cls, created: float) -> str:
        millis = int(created * 1000)
        known, text = cls.millisecond
        if millis == known:
            return text
        second, fraction = divmod(millis, 1000)
        known_second, prefix = cls.second
        if second != known_second:
            prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            cls.second = (second, prefix)
        text = f"{prefix}.{fraction:03d}Z"
        cls.millisecond = (millis, text)
        return text


def _time(record: logging.LogRecord) -> str:
    return _Clock.stamp(record.created)


def _extra(record: logging.LogRecord) -> dict[str, Any]:
    fields = extra_fields(record)
    fields.pop(NOT_SHOWN, None)
    return fields


class RequestLine:
    """What the line per request says (app/middleware/observe.py): the message's fields, then
    the `extra` fields. The same line either way it is written (`BufferedLines.write_request`
    or a LogRecord through the logging machinery)."""

    __slots__ = ("client", "duration_ms", "method", "principal", "request_id", "route", "status")

    def __init__(
        self,
        method: str,
        route: str,
        status: int,
        duration_ms: float,
        request_id: str,
        client: str | None,
        principal: str | None,
    ) -> None:
        self.method, self.route, self.status = method, route, status
        self.duration_ms = round(duration_ms, 1)
        self.request_id, self.client, self.principal = request_id, client, principal

    def args(self) -> dict[str, Any]:
        """The message's fields, as the mapping `REQUEST_MESSAGE` is formatted with (JSON
        lines make fields of it)."""
        return {
            "method": self.method,
            "route": self.route,
            "status": self.status,
            "duration_ms": self.duration_ms,
        }

    def extra(self) -> dict[str, Any]:
        return {"request_id": self.request_id, "client": self.client, "principal": self.principal}

    def message(self) -> str:
        """`REQUEST_MESSAGE` formatted with `args()`, made directly (a test holds them equal)."""
        return f"{self.method} {self.route} {self.status:d} {self.duration_ms:.1f}ms"

    def texts(self) -> tuple[str, ...]:
        """Every string the line shows, for the secret search."""
        return (self.method, self.route, self.request_id, self.client or "", self.principal or "")


class RequestId(logging.Filter):
    """A handler filter: a line written while a request runs carries that request's id, so an
    error's lines can be found from the id in its problem body or `X-Request-ID`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            context = request_context.current()
            if context is not None:
                record.request_id = context.request_id
        return True


class TextFormatter(logging.Formatter):
    """`2026-12-06T19:53:38.123Z INFO app.requests: GET /api/v1/items/{item_id} 200 3.1ms
    request_id=... client=...`: the message, then each `extra` field as key=value on its first
    line; a traceback follows on the next lines."""

    def format(self, record: logging.LogRecord) -> str:
        first, newline, rest = record.getMessage().partition("\n")
        fields = "".join(
            [f" {key}={value}" for key, value in _extra(record).items() if value is not None]
        )
        text = f"{_time(record)} {record.levelname} {record.name}: {first}{fields}{newline}{rest}"
        if record.exc_info or record.exc_text or record.stack_info:
            return f"{text}\n{_details(self, record)}"
        return text

    @staticmethod
    def request_line(line: RequestLine, created: float) -> str:
        """What `format` makes of the request line's record, made directly (a test holds the
        two equal)."""
        text = (
            f"{_Clock.stamp(created)} INFO {REQUEST_LOGGER}: {line.message()}"
            f" request_id={line.request_id}"
        )
        if line.client is not None:
            text = f"{text} client={line.client}"
        if line.principal is not None:
            text = f"{text} principal={line.principal}"
        return text


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, then the fields of a message
    formatted from a mapping (the request line's method, route, status, duration) and every
    `extra` field."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _time(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if isinstance(record.args, Mapping):
            entry.update(record.args)
        entry.update(_extra(record))
        if record.exc_info or record.exc_text or record.stack_info:
            entry["exception"] = _details(self, record)
        return ENCODER.encode(entry)

    @staticmethod
    def request_line(line: RequestLine, created: float) -> str:
        """What `format` makes of the request line's record, made directly (a test holds the
        two equal)."""
        entry = {
            "time": _Clock.stamp(created),
            "level": "info",
            "logger": REQUEST_LOGGER,
            "message": line.message(),
            **line.args(),
            **line.extra(),
        }
        return ENCODER.encode(entry)


def _details(formatter: logging.Formatter, record: logging.LogRecord) -> str:
    """The traceback and stack of a record, as the stock Formatter would append them."""
    if record.exc_info and not record.exc_text:
        record.exc_text = formatter.formatException(record.exc_info)
    parts = [record.exc_text or "", formatter.formatStack(record.stack_info or "")]
    return "\n".join(part for part in parts if part)


FORMATTERS: dict[LogFormat, type[logging.Formatter]] = {
    "text": TextFormatter,
    "json": JsonFormatter,
}
DIRECT_FORMATTERS = frozenset(FORMATTERS.values())  # their exact types: a subclass may differ


def record_only_what_lines_use() -> None:
    """Stop every LogRecord from looking up its thread's and process's names, which no line
    of ours shows (the logging HOWTO's "Optimization"): a line per request makes it count.
    The process id stays, for telling workers apart."""
    logging.logThreads = False
    logging.logMultiprocessing = False


def level_number(level: str) -> int:
    """A level name as settings and `--log-level` give it (uvicorn's names, `trace` too)."""
    return LOG_LEVELS[level.lower()]


class BufferedLines(logging.StreamHandler):  # type: ignore[type-arg]
    """A StreamHandler that buffers the line per request (logger `app.requests`, info): those
    reach the stream within `FLUSH_INTERVAL_S`, or sooner when the buffer fills. Every other
    line flushes at once, with the request lines before it, so the server's own lines (its
    last, "Finished server process", included) are never held back.

    StreamHandler flushes after every line, a system call each (and under `python -u`, or
    PYTHONUNBUFFERED, every write to stderr is one anyway): ~10 us a request, and more when the
    disk is busy. nginx buffers its access log the same way (`access_log ... buffer= flush=`).
    A process killed with SIGKILL can lose at most its last interval's request lines.
    """

    def __init__(self, stream: Any = None, interval_s: float = FLUSH_INTERVAL_S) -> None:
        # stderr through a buffer of our own over its descriptor (sys.stderr may be unbuffered);
        # a stream given (tests, perf/request_cost.py) is written to as it is.
        self._owned = stream is None
        if stream is None:
            stream = open(  # noqa: SIM115  # lives as long as the handler; closed with it
                sys.stderr.fileno(),
                "w",
                buffering=BUFFER_BYTES,
                encoding="utf-8",
                errors="backslashreplace",
                closefd=False,
            )
        super().__init__(stream)
        self._stop = threading.Event()
        self._flusher = threading.Thread(
            target=self._flush_every, args=(interval_s,), name="log-flush", daemon=True
        )
        self._flusher.start()

    def _flush_every(self, interval_s: float) -> None:
        while not self._stop.wait(interval_s):
            self.flush()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.stream.write(self.format(record) + self.terminator)
            if record.name != REQUEST_LOGGER or record.levelno > logging.INFO:
                self.flush()
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)

    def write_request(self, line: RequestLine) -> bool:
        """Write the line per request straight into the buffer, as `emit` would have written
        its record, and say so; False when this handler cannot tell what the record's way
        would make of it (a formatter or filter other than ours, a level above info, a field
        that looks like a secret), and the caller then logs a record.

        The record's way (Logger.handle, Handler.handle, two filters, the formatter) costs
        ~40 us a request on a slow machine; this ~5 us. Only the line per request takes it:
        it is the one line written on every request (issue 14 allows its features 5%).
        """
        formatter = self.formatter
        if self.level > logging.INFO or type(formatter) not in DIRECT_FORMATTERS:
            return False
        redactor: Redactor | None = None
        for kind in self.filters:
            if type(kind) is RedactSecrets:
                redactor = kind.redact
            elif type(kind) is not RequestId:  # it only adds the id, which the line has
                return False
        if redactor is not None and not redactor.finds_nothing(line.texts()):
            return False  # the record's way masks it
        text = formatter.request_line(line, time.time())  # type: ignore[union-attr]
        with self.lock:  # type: ignore[union-attr]  # made by Handler.__init__
            self.stream.write(text + self.terminator)
        return True

    def close(self) -> None:
        self._stop.set()
        self.flush()
        if self._owned:
            self.stream.close()  # the buffer only: closefd=False leaves stderr open
        super().close()


def direct_handler(logger: logging.Logger) -> BufferedLines | None:
    """The one handler a line of `logger` reaches, when it is a `BufferedLines` and nothing
    on the way (a logger's filter, another handler, a disabled logger) would see the record;
    else None. Looked up on every line, so a test's capture handler, or logging configured
    again, is honoured at once."""
    found: BufferedLines | None = None
    current: logging.Logger | None = logger
    while current is not None:
        if current.filters or current.disabled:
            return None
        for handler in current.handlers:
            if found is not None or type(handler) is not BufferedLines:
                return None
            found = handler
        if not current.propagate:
            break
        current = current.parent
    return found


def config(log_format: LogFormat, level: str, stream: Any = None) -> dict[str, Any]:
    """A `logging.config.dictConfig` for the service: one handler on `stream` (stderr when
    None), through a buffer (`BufferedLines`), with both filters.

    The secret-masking filter is on the handler from the start; `app.redaction.install`
    later teaches it the app's own secrets by value.
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": RequestId},
            "redact": {"()": "app.redaction.RedactSecrets"},
        },
        "formatters": {"line": {"()": FORMATTERS[log_format]}},
        "handlers": {
            "stderr": {
                "()": BufferedLines,
                "stream": stream,
                "formatter": "line",
                "filters": ["request_id", "redact"],
            }
        },
        "loggers": {
            name: {"level": level_number(level), "handlers": [], "propagate": True}
            for name in SERVICE_LOGGERS
        },
        "root": {"level": "WARNING", "handlers": ["stderr"]},
    }
