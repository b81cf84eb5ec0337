"""app.redaction: what the handlers' filter masks, and how an exception is described."""

import logging
from collections.abc import Iterator
from functools import partial

import pytest

from app.redaction import (
    WITHHELD,
    Redactor,
    RedactSecrets,
    WithholdValues,
    describe,
    install,
)

EMAIL = "Victim.Name+tag@mail.example.com"
HASH = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo+/"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl-_"
KEY = "the-secret-key-of-this-app-0123456789"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"user {EMAIL} signed up", f"user {WITHHELD} signed up"),
        ("username=victim%40example.com&password=x", f"username={WITHHELD}&password=x"),
        (f"('{HASH}', 'x')", f"('{WITHHELD}', 'x')"),
        (f"token={JWT};", f"token={WITHHELD};"),
        ("Authorization: Bearer not-a-jwt-at-all", f"Authorization: Bearer {WITHHELD}"),
        (f"key {KEY}!", f"key {WITHHELD}!"),
        ("postgresql://app:hunter2@db.internal/app", f"postgresql://app:{WITHHELD}/app"),
        (
            "duplicate key\nDETAIL:  Key (email)=(a\nb@x.io) already exists.\n[SQL: INSERT]",
            f"duplicate key\nDETAIL: {WITHHELD} (it may quote row values)\n[SQL: INSERT]",
        ),
        (
            "e: dup\nDETAIL:  Key (email)=(a@x.io)\n\nThe above exception was the direct cause",
            f"e: dup\nDETAIL: {WITHHELD} (it may quote row values)\n\nThe above exception was "
            "the direct cause",
        ),
        (
            "[SQL: INSERT]\n[parameters: ('a', 'b]')]\n(Background on this error at: x)",
            f"[SQL: INSERT]\n[parameters: {WITHHELD}]\n(Background on this error at: x)",
        ),
        (
            "[type=value_error, input_value='hunter2', input_type=str]",
            f"[type=value_error, input_value={WITHHELD}, input_type=str]",
        ),
        # What must stay: request ids, paths, SQL, ordinary words.
        ("GET /api/v1/items?page=2 (request_id=0123abcd)", None),
        ("SELECT users.email FROM users WHERE users.id = $1::UUID", None),
    ],
)
def test_the_redactor_masks_secret_shapes_and_known_secrets(
    text: str, expected: str | None
) -> None:
    assert Redactor([KEY])(text) == (text if expected is None else expected)


def _failure() -> None:
    try:
        raise KeyError(EMAIL)
    except KeyError as error:
        raise RuntimeError(f"write failed for {HASH} with {KEY}") from error


def test_a_described_exception_keeps_frames_and_classes_but_not_values() -> None:
    with pytest.raises(RuntimeError) as raised:
        _failure()
    text = describe(raised.value, Redactor([KEY]))
    assert text.startswith("Traceback (most recent call last):")
    assert "KeyError: '[withheld]'" in text
    assert "The above exception was the direct cause of the following exception:" in text
    assert f"RuntimeError: write failed for {WITHHELD} with {WITHHELD}" in text
    assert "in _failure\n" in text
    assert "test_redaction.py" in text
    for secret in (EMAIL, HASH, KEY):
        assert secret not in text


@pytest.fixture
def collected() -> Iterator[tuple[logging.Logger, list[logging.LogRecord]]]:
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            self.format(record)
            records.append(record)

    handler = Collect()
    handler.addFilter(RedactSecrets(Redactor([KEY])))
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield logger, records
    finally:
        logger.removeHandler(handler)


def test_the_filter_masks_message_exception_and_extra_fields(
    collected: tuple[logging.Logger, list[logging.LogRecord]],
) -> None:
    logger, records = collected
    try:
        _failure()
    except RuntimeError:
        logger.exception("failed for %s", EMAIL, extra={"who": [EMAIL], "request_id": "r-1"})
    [record] = records
    assert record.getMessage() == f"failed for {WITHHELD}"
    assert record.exc_info is None
    assert record.exc_text is not None
    assert "RuntimeError: write failed for" in record.exc_text
    assert KEY not in record.exc_text
    assert record.__dict__["who"] == [WITHHELD]
    assert record.__dict__["request_id"] == "r-1"


def test_the_filter_keeps_arguments_a_formatter_unpacks(
    collected: tuple[logging.Logger, list[logging.LogRecord]],
) -> None:
    """uvicorn's access formatter unpacks five arguments: they stay a tuple, each masked."""
    logger, records = collected
    args = ("127.0.0.1:5000", "GET", f"/api/v1/items?q={EMAIL}", "1.1", 200)
    logger.info('%s - "%s %s HTTP/%s" %d', *args)
    logger.info("plain %s", "nothing to hide")
    assert records[0].args == ("127.0.0.1:5000", "GET", f"/api/v1/items?q={WITHHELD}", "1.1", 200)
    assert records[1].args == ("nothing to hide",)


def test_rows_and_calls_keep_their_message_but_not_their_values() -> None:
    record = logging.makeLogRecord({"msg": "executing %s", "args": (partial(print, EMAIL),)})
    WithholdValues(frozenset({"executing %s"})).filter(record)
    assert record.getMessage() == "executing print(...)"
    row = logging.makeLogRecord({"msg": "Row %r", "args": ((EMAIL, HASH),)})
    WithholdValues(frozenset({"Row %r"})).filter(row)
    assert EMAIL not in row.getMessage()
    assert HASH not in row.getMessage()


def test_install_puts_one_filter_on_each_handler_and_learns_each_apps_secrets() -> None:
    handler = logging.StreamHandler()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        install([KEY])
        install(["another-apps-secret-key-9876543210"])
        [only] = [f for f in handler.filters if isinstance(f, RedactSecrets)]
        assert only.redact("a the-secret-key-of-this-app-0123456789") == f"a {WITHHELD}"
        assert only.redact("b another-apps-secret-key-9876543210") == f"b {WITHHELD}"
        assert logging.lastResort is not None
        assert any(isinstance(f, RedactSecrets) for f in logging.lastResort.filters)
    finally:
        root.removeHandler(handler)


def test_a_logging_config_can_build_the_filter_with_no_arguments() -> None:
    record = logging.makeLogRecord({"msg": "signed up %s", "args": (EMAIL,)})
    assert RedactSecrets().filter(record)
    assert record.getMessage() == f"signed up {WITHHELD}"
