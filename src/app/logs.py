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
from datetime import UTC, datetime
from typing import Any, Literal

from uvicorn.config import LOG_LEVELS

from app import request_context

LogFormat = Literal["text", "json"]
# The attributes every LogRecord has; anything else came in through `extra`. uvicorn's
# `color_message` is the same message with terminal colours.
STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}
# The request line's text message already says these (app/middleware/observe.py).
SAID_IN_REQUEST_MESSAGE = frozenset({"method", "route", "status", "duration_ms"})
SERVICE_LOGGERS = ("app", "uvicorn", "uvicorn.error", "uvicorn.asgi")


def _time(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _extra(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in STANDARD}


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
            f" {key}={value}"
            for key, value in _extra(record).items()
            if value is not None and key not in SAID_IN_REQUEST_MESSAGE
        )
        text = f"{_time(record)} {record.levelname} {record.name}: {first}{fields}{newline}{rest}"
        details = _details(self, record)
        return f"{text}\n{details}" if details else text


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, then every `extra` field."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _time(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(_extra(record))
        details = _details(self, record)
        if details:
            entry["exception"] = details
        return json.dumps(entry, ensure_ascii=False, default=str)


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


def level_number(level: str) -> int:
    """A level name as settings and `--log-level` give it (uvicorn's names, `trace` too)."""
    return LOG_LEVELS[level.lower()]


def config(log_format: LogFormat, level: str) -> dict[str, Any]:
    """A `logging.config.dictConfig` for the service: one handler on stderr, both filters.

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
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
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
