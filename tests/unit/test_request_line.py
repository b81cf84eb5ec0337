"""The line per request written straight into the log buffer (`BufferedLines.write_request`)
is the line the logging machinery would have written from its record, byte for byte, and the
direct way is taken only where nothing else would have seen the record."""

import io
import logging
import uuid

import pytest

from app import logs
from app.middleware.observe import RequestLines
from app.redaction import WITHHELD, Redactor, RedactSecrets

SECRET_KEY = "a-secret-key-the-app-knows-by-value"
LINES = [
    logs.RequestLine("GET", "/api/v1/items/{item_id}", 200, 3.14159, "a" * 32, "127.0.0.1:5", None),
    logs.RequestLine(
        "POST", "/api/v1/items", 201, 12.05, "caller.id:1", "[::1]:80", str(uuid.uuid4())
    ),
    logs.RequestLine("DELETE", "-", 404, 0.04, "x", None, None),
]


def _handler(log_format: logs.LogFormat) -> tuple[logs.BufferedLines, io.StringIO]:
    stream = io.StringIO()
    handler = logs.BufferedLines(stream)
    handler.setFormatter(logs.FORMATTERS[log_format]())
    handler.addFilter(logs.RequestId())
    handler.addFilter(RedactSecrets(Redactor([SECRET_KEY])))
    return handler, stream


def _record_way(handler: logging.Handler, line: logs.RequestLine, created: float) -> str:
    """What the handler writes for the line's record (the way any other line goes)."""
    record = RequestLines(logging.getLogger(logs.REQUEST_LOGGER)).record(
        line.args(), **line.extra()
    )
    record.created = created
    assert handler.filter(record)
    assert handler.formatter is not None
    return handler.formatter.format(record)


@pytest.mark.parametrize("log_format", ["text", "json"])
@pytest.mark.parametrize("line", LINES, ids=["anonymous", "principal", "unmatched"])
def test_the_direct_line_is_the_records_line(
    log_format: logs.LogFormat, line: logs.RequestLine
) -> None:
    handler, _ = _handler(log_format)
    created = 1_765_000_000.0456
    direct = type(handler.formatter).request_line(line, created)  # type: ignore[union-attr]
    assert direct == _record_way(handler, line, created)


def test_write_request_writes_one_line_into_the_buffer() -> None:
    handler, stream = _handler("text")
    try:
        assert handler.write_request(LINES[1])
        handler.flush()
        written = stream.getvalue()
        assert written.count("\n") == 1
        assert written.endswith(f"principal={LINES[1].principal}\n")
    finally:
        handler.close()


@pytest.mark.parametrize(
    "request_id",
    [
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",  # a JWT is a valid request id
        SECRET_KEY,
    ],
)
def test_a_secret_in_a_field_takes_the_records_way_and_is_masked(request_id: str) -> None:
    handler, stream = _handler("text")
    line = logs.RequestLine("GET", "/health/live", 200, 1.0, request_id, None, None)
    try:
        assert not handler.write_request(line)
        assert WITHHELD in _record_way(handler, line, 0.0)
        handler.flush()
        assert stream.getvalue() == ""
    finally:
        handler.close()


def _refuses(handler: logs.BufferedLines) -> bool:
    try:
        return not handler.write_request(LINES[0])
    finally:
        handler.close()


def test_a_filter_formatter_or_level_it_does_not_know_takes_the_records_way() -> None:
    handler, _ = _handler("text")
    handler.addFilter(lambda record: True)
    assert _refuses(handler)
    handler, _ = _handler("text")
    handler.setFormatter(logging.Formatter())
    assert _refuses(handler)
    handler, _ = _handler("json")
    handler.setLevel(logging.WARNING)
    assert _refuses(handler)


def test_direct_handler_only_when_it_is_the_only_one_the_line_reaches() -> None:
    top = logging.getLogger("test_request_line")
    top.propagate = False
    middle = logging.getLogger("test_request_line.app")
    child = logging.getLogger("test_request_line.app.requests")
    handler, _ = _handler("text")
    other = logging.StreamHandler(io.StringIO())
    try:
        middle.addHandler(handler)
        assert logs.direct_handler(child) is handler
        top.addHandler(other)  # a second handler further up
        assert logs.direct_handler(child) is None
        middle.propagate = False  # ... that the line no longer reaches
        assert logs.direct_handler(child) is handler
        child.addHandler(other)  # as pytest's caplog adds one
        assert logs.direct_handler(child) is None
        child.removeHandler(other)
        child.addFilter(lambda record: True)
        assert logs.direct_handler(child) is None
        child.filters.clear()
        assert logs.direct_handler(child) is handler
    finally:
        for logger in (top, middle):
            logger.handlers.clear()
        middle.propagate = True
        handler.close()


@pytest.mark.parametrize(
    ("created", "stamp"),
    [
        (1_765_000_000.0456, "2025-12-06T05:46:40.045Z"),
        (1_765_000_000.0459, "2025-12-06T05:46:40.045Z"),  # the same millisecond, kept
        (1_765_000_000.9991, "2025-12-06T05:46:40.999Z"),
        (1_765_000_001.0004, "2025-12-06T05:46:41.000Z"),  # the next second
        (1_765_000_000.5, "2025-12-06T05:46:40.500Z"),  # an earlier time again
    ],
)
def test_time_stamps_to_the_millisecond(created: float, stamp: str) -> None:
    assert logs.TextFormatter.request_line(LINES[2], created).startswith(f"{stamp} INFO ")
