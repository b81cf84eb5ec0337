"""Keep secrets out of the logs: exceptions described without the values they quote, and a
filter that masks whatever still looks like a secret on its way to a handler.

The service's own log lines carry no secret (README "Errors"); `RedactSecrets` is defence in
depth for text the service does not write itself: a library's exception, uvicorn's access
log of a query string, a log line someone adds later.
"""

import logging
import re
import traceback
from collections.abc import Iterable, Mapping
from functools import partial
from itertools import islice
from typing import Any

WITHHELD = "[withheld]"
# Secret shapes, each looked for only when a substring it must contain is there (most log
# lines have none): what follows `Bearer `, a JWT (its header is base64url JSON, so it starts
# `eyJ`), a password hash in PHC or modular-crypt form ($argon2id$v=19$m=...$salt$hash,
# $2b$12$...), and an email, percent-encoded too (also `user:password@host` in a URL).
SHAPES = (
    (
        ("Bearer", "bearer", "BEARER"),
        re.compile(r"(?i:(\bbearer[ \t]+))[^\s'\",;]+"),
        rf"\1{WITHHELD}",
    ),
    (("eyJ",), re.compile(r"\beyJ[\w-]*\.[\w-]*\.[\w-]*"), WITHHELD),
    (
        ("$",),
        re.compile(r"\$(?:argon2(?:id|i|d)|2[abxy]?|scrypt|pbkdf2[\w-]*)\$[\w.+/=,$-]+"),
        WITHHELD,
    ),
    (
        ("@", "%40"),
        re.compile(r"[\w.+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"),
        WITHHELD,
    ),
)
# Blocks of text that quote values, each found only after a cheap substring test:
# PostgreSQL's DETAIL quotes the row or key that failed ("Key (email)=(...) already exists",
# "Failing row contains (...)"), up to its HINT, SQLAlchemy's [SQL: ...], a blank line, the
# next part of a traceback or the end;
# SQLAlchemy's parameters block (an engine without hide_parameters: the service has none);
# pydantic's quote of the input that failed validation.
BLOCKS = (
    (
        ("DETAIL:",),
        re.compile(
            r"^DETAIL:.*?"
            r"(?=\n(?:HINT:|\[SQL:|\n|Traceback |During handling |The above |  File )|\Z)",
            re.MULTILINE | re.DOTALL,
        ),
        f"DETAIL: {WITHHELD} (it may quote row values)",
    ),
    (
        ("[parameters:",),
        re.compile(r"^\[parameters: .*?\](?=\n\(Background|\s*\Z)", re.MULTILINE | re.DOTALL),
        f"[parameters: {WITHHELD}]",
    ),
    (
        ("input_value=",),
        re.compile(r"input_value=.*?(?=, input_type=)", re.DOTALL),
        f"input_value={WITHHELD}",
    ),
)
# What libraries log at DEBUG with values in it: SQLAlchemy each row it fetches, aiosqlite
# each call it runs (a `partial` holding the SQL parameters).
WITHHOLD_ARGS = {
    "sqlalchemy.engine.Engine": frozenset({"Row %r"}),
    "aiosqlite": frozenset({"executing %s", "operation %s completed"}),
}
# Any marker of any shape or block: most texts have none, and one search tells.
MARKERS = re.compile(
    "|".join(re.escape(marker) for markers, _, _ in (*BLOCKS, *SHAPES) for marker in markers)
)
CAUSE = "The above exception was the direct cause of the following exception:"
CONTEXT = "During handling of the above exception, another exception occurred:"
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")
# The attributes every LogRecord has (and a formatter may add); the rest came in as `extra`.
STANDARD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "taskName",
}
# A record's own attributes come first in its __dict__ (LogRecord.__init__ sets them), then the
# `extra` fields in the order given: so those are found without looking at the rest.
OWN_ATTRIBUTES = len(vars(logging.makeLogRecord({})))


SCALARS = (int, float)  # bool too: values that cannot hold a secret


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The `extra` fields of a record, in the order they were given."""
    fields = vars(record)
    return {
        key: fields[key]
        for key in islice(fields, OWN_ATTRIBUTES, None)
        if key not in STANDARD_ATTRIBUTES
    }


class Redactor:
    """Masks secret shapes, and the exact secrets it is told, in a text."""

    def __init__(self, literals: Iterable[str] = ()) -> None:
        self.literals: set[str] = set()
        self._literal: re.Pattern[str] | None = None
        self._anything = MARKERS
        self.add(literals)

    def add(self, literals: Iterable[str]) -> None:
        # A short value would mask ordinary words; the settings refuse short secret keys.
        self.literals.update(value for value in literals if len(value) >= 8)
        # Longest first, so that a secret which contains another is withheld whole.
        ordered = [re.escape(value) for value in sorted(self.literals, key=len, reverse=True)]
        self._literal = re.compile("|".join(ordered)) if ordered else None
        self._anything = re.compile("|".join([*ordered, MARKERS.pattern]))

    def finds_nothing(self, texts: Iterable[str]) -> bool:
        """True when none of `texts` holds a secret or a marker of one: one search for all."""
        return self._anything.search("\0".join(texts)) is None

    def __call__(self, text: str) -> str:
        # Every log line passes here, several strings of it: one search tells whether any
        # secret or any marker is there at all, which for most texts it is not.
        if self._anything.search(text) is None:
            return text
        if self._literal is not None:
            text = self._literal.sub(WITHHELD, text)
        for markers, pattern, replacement in (*BLOCKS, *SHAPES):
            if any(marker in text for marker in markers):
                text = pattern.sub(replacement, text)
        return text


def describe(error: BaseException, redact: Redactor) -> str:
    """A traceback as Python prints it (every frame, every exception of the chain with its
    class) but with each exception's message redacted: a driver's error quotes values."""
    chain: list[tuple[BaseException, str | None]] = []  # newest first, with its link
    current: BaseException | None = error
    while current is not None and all(current is not seen for seen, _ in chain):
        if current.__cause__ is not None:
            chain.append((current, CAUSE))
            current = current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            chain.append((current, CONTEXT))
            current = current.__context__
        else:
            chain.append((current, None))
            current = None
    lines: list[str] = []
    for exc, link in reversed(chain):  # oldest first, as Python prints it
        if link is not None:  # how this one came from the one printed just before
            lines += ["", link, ""]
        lines.append("Traceback (most recent call last):")
        frames = traceback.format_list(traceback.extract_tb(exc.__traceback__))
        lines.extend(frame.rstrip("\n") for frame in frames)
        name, message = _qualified_name(type(exc)), redact(str(exc))
        lines.append(f"{name}: {message}" if message else name)
        if isinstance(exc, BaseExceptionGroup):
            for number, member in enumerate(exc.exceptions, 1):
                inner = describe(member, redact).replace("\n", "\n  | ")
                lines.append(f"  +---- {number} ----\n  | {inner}")
    return "\n".join(lines)


def _qualified_name(cls: type) -> str:
    module = cls.__module__
    return cls.__qualname__ if module == "builtins" else f"{module}.{cls.__qualname__}"


def _redacted(value: Any, redact: Redactor) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list | tuple):
        return type(value)(_redacted(item, redact) for item in value)
    return value


class RedactSecrets(logging.Filter):
    """A handler filter that masks secrets in each record it passes: the message, the
    exception, the stack and every `extra` field. It never drops a record."""

    def __init__(self, redact: Redactor | None = None) -> None:
        # No redactor: shapes only, until `install` tells it the app's secrets. So a logging
        # config can name it: {"filters": {"redact": {"()": "app.redaction.RedactSecrets"}}}.
        super().__init__()
        self.redact = redact or Redactor()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            self._redact(record)
        except Exception:  # a record that cannot be formatted: say so, show nothing of it
            record.msg, record.args = f"a {record.levelname} record that failed to format", None
            record.exc_info = record.exc_text = record.stack_info = None
        return True

    def _redact(self, record: logging.LogRecord) -> None:
        redact = self.redact
        message = record.getMessage()
        extra = extra_fields(record)
        args = record.args if isinstance(record.args, Mapping) else {}
        # Most records hold nothing to mask: one search over all they would show says so (a
        # line per request passes here).
        if not (record.exc_info or record.exc_text or record.stack_info):
            texts = [message]
            for value in (*extra.values(), *args.values()):
                if isinstance(value, str):
                    texts.append(value)
                elif not (value is None or isinstance(value, SCALARS)):
                    break  # a list, an object: looked at the slow way below
            else:
                if redact.finds_nothing(texts):
                    return
        if args:  # a mapping's values may be shown as fields (app/logs.py's JSON lines)
            record.args = {key: _redacted(value, redact) for key, value in args.items()}
        if redact(message) != message:
            # Argument by argument first: a formatter may need them (uvicorn's access log
            # unpacks its five); the whole message only if that was not enough.
            if isinstance(record.args, tuple) and isinstance(record.msg, str):
                record.msg, record.args = redact(record.msg), _redacted(record.args, redact)
            message = record.getMessage()
            if redact(message) != message:
                record.msg, record.args = redact(message), None
        if record.exc_info:
            if record.exc_info[1] is not None and not record.exc_text:
                record.exc_text = describe(record.exc_info[1], redact)
            record.exc_info = None  # a formatter would format it again, unredacted
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        fields = vars(record)
        for key, value in extra.items():
            fields[key] = _redacted(value, redact)


class WithholdValues(logging.Filter):
    """A logger filter: SQLAlchemy's rows and aiosqlite's calls keep their message but lose
    the values (a call is named, its arguments are not)."""

    def __init__(self, messages: frozenset[str]) -> None:
        super().__init__()
        self.messages = messages

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg in self.messages and isinstance(record.args, tuple):
            record.args = tuple(_call_name(arg) for arg in record.args)
        return True


def _call_name(value: Any) -> str:
    function = value.func if isinstance(value, partial) else value
    name = getattr(function, "__qualname__", None)
    return f"{name}(...)" if callable(function) and isinstance(name, str) else WITHHELD


def withhold_library_values() -> None:
    """Make SQLAlchemy and aiosqlite log no values at DEBUG (idempotent)."""
    for name, messages in WITHHOLD_ARGS.items():
        logger = logging.getLogger(name)
        if not any(isinstance(f, WithholdValues) for f in logger.filters):
            logger.addFilter(WithholdValues(messages))


def install(secrets: Iterable[str]) -> Redactor:
    """Redact on every handler there is now (root's, uvicorn's, the last resort), knowing
    `secrets` by value, and withhold the values libraries log at DEBUG.

    `create_app` calls it, after uvicorn has configured logging. Idempotent: a handler keeps
    one such filter, which learns each app's secrets. Returns a redactor for the app's own use.
    """
    secrets = [s for s in secrets if s]
    withhold_library_values()
    handlers: list[logging.Handler] = list(logging.getLogger().handlers)
    for name in UVICORN_LOGGERS:
        handlers += logging.getLogger(name).handlers
    if logging.lastResort is not None:
        handlers.append(logging.lastResort)
    redactor = Redactor(secrets)
    for handler in handlers:
        present = next((f for f in handler.filters if isinstance(f, RedactSecrets)), None)
        if present is None:
            handler.addFilter(RedactSecrets(redactor))
        elif present.redact is not redactor:
            present.redact.add(secrets)
    return redactor
