"""No password, hash, token, secret key or email reaches a log line, at any level (issue 12).

Hostile input goes to the app on SQLite and PostgreSQL with every logger at DEBUG (SQL with
its parameters, rows, aiosqlite's calls, asyncio, uvicorn, the app), and then every record is
formatted in full (message, arguments, exception, stack, `extra` fields) and searched for
each secret the run used or made: every password sent (right and wrong), every email (taken,
refused, huge), every password hash and refresh-token hash in the database, every token
issued or forged, and the secret key.

In process, the capturing handler is added after `create_app`, so the redacting filter the
app puts on handlers (app.redaction) is not on it, and first, so it formats each record before
another handler's filter changes it: what it sees is what the sources write.
Over HTTP, a real uvicorn subprocess logs at trace level to stderr through the handlers as
deployed, filter included. The filter itself is tested in tests/unit/test_redaction.py.
"""

import json
import logging
import re
import secrets
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import asyncpg
import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from app.auth.principal import Principal
from app.main import create_app
from app.providers import Providers
from app.settings import Settings
from app.users.service import UsersService
from contract import models
from tests.support.accounts import LOGIN, ME, REFRESH, REGISTER, TokenPair
from tests.support.clients import started
from tests.support.served import PLAIN_UVICORN, SERVE, served
from tests.support.settings import FAST_HASHING, TEST_HOSTS
from tests.support.tokens import OTHER_SECRET, claims_for, sign, unsigned

pytestmark = pytest.mark.anyio

# Full names that make something fail on purpose (a database trigger, a planted service).
DB_FAILURE = "explode-in-the-database"
SERVICE_FAILURE = "explode-in-the-service"
RESPONSE_FAILURE = "explode-in-the-response"
# Loggers that might stay quiet at the root's level: each is set to DEBUG explicitly.
LOGGERS = (
    "sqlalchemy", "sqlalchemy.engine", "sqlalchemy.engine.Engine", "sqlalchemy.pool",
    "aiosqlite", "asyncpg", "asyncio", "alembic", "uvicorn", "uvicorn.error",
    "uvicorn.access", "uvicorn.asgi", "app", "fastapi", "starlette", "python_multipart",
    "multipart", "pwdlib", "limits",
)  # fmt: skip
# The test's own HTTP client logs each URL it requests: not the service's log.
CLIENT_LOGGERS = ("httpx", "httpcore")
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
FORMAT = logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")


@dataclass
class Secrets:
    """Every secret a run used or made, by kind."""

    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    passwords: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    tokens: set[str] = field(default_factory=set)
    hashes: set[str] = field(default_factory=set)

    def password(self) -> str:
        value = f"pw-{secrets.token_urlsafe(12)}"
        self.passwords.add(value)
        return value

    def email(self, prefix: str) -> str:
        value = f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"
        self.emails.add(value)
        return value

    def pair(self, response: httpx.Response) -> TokenPair:
        assert response.status_code == 200, response.text
        pair = TokenPair(response.json()["access_token"], response.json()["refresh_token"])
        self.tokens |= {pair.access, pair.refresh}
        return pair

    def searched(self) -> Iterator[tuple[str, str]]:
        """(kind, text) for each secret and each way a log could spell it."""
        kinds = {
            "secret key": {self.secret_key},
            "password": self.passwords,
            "email": self.emails,
            "token": self.tokens,
            "hash": self.hashes,
        }
        for kind, values in kinds.items():
            for value in values:
                spellings = {value, value.lower(), quote(value), quote_plus(value)}
                spellings.add(json.dumps(value)[1:-1])
                for spelling in spellings:
                    yield kind, spelling


def leaks(texts: list[str], found: Secrets) -> list[str]:
    problems = []
    lowered = [text.lower() for text in texts]
    for kind, secret in found.searched():
        for text, low in zip(texts, lowered, strict=True):
            at = text.find(secret)
            if at < 0 and kind == "email":
                at = low.find(secret.lower())
            if at >= 0:
                shown = text[max(at - 150, 0) : at + 50].replace("\n", "\\n")
                problems.append(f"{kind} {secret[:40]!r} logged: ...{shown}...")
                break
    return problems


class Everything(logging.Handler):
    """Each record formatted in full: message, exception, stack, arguments, `extra` fields."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(CLIENT_LOGGERS):
            return
        try:
            text = FORMAT.format(record)
        except Exception as error:  # still search what the record holds
            text = f"unformattable record: {error!r}"
        extras = {key: value for key, value in vars(record).items() if key not in _STANDARD}
        self.texts.append(f"{text}\nmsg={record.msg!r} args={record.args!r}\nextra={extras!r}")


@contextmanager
def everything_at_debug() -> Iterator[Everything]:
    root = logging.getLogger()
    names = {*LOGGERS, *root.manager.loggerDict}
    loggers = [root, *(logging.getLogger(name) for name in sorted(names))]
    saved = [(logger, logger.level, logger.disabled, logger.propagate) for logger in loggers]
    handler = Everything()
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
        logger.propagate = True
    # First of the root's handlers: it formats each record before any other handler's filter
    # (the app's redaction, on pytest's handlers) changes it.
    root.handlers.insert(0, handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for logger, level, disabled, propagate in saved:
            logger.setLevel(level)
            logger.disabled = disabled
            logger.propagate = propagate


# The database, reached directly (not through the app, whose logs are under test)


def _dsn(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(False)


def _sqlite_path(database_url: str) -> str:
    path = make_url(database_url).database
    assert path
    return path


PG_TRIGGER = f"""
CREATE FUNCTION refuse_user() RETURNS trigger AS $$
BEGIN
  IF NEW.full_name = '{DB_FAILURE}' THEN
    RAISE EXCEPTION 'users row refused' USING DETAIL = format('Failing row contains %s.', NEW);
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER refuse_user BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION refuse_user();
"""
# A runtime error that is not a constraint (a taken email is a 409, not a 500).
SQLITE_TRIGGER = f"""
CREATE TRIGGER refuse_user BEFORE INSERT ON users WHEN NEW.full_name = '{DB_FAILURE}'
BEGIN SELECT json('users row refused: ' || NEW.email); END;
"""


async def plant_database_failure(database_url: str) -> None:
    """Inserting a user named DB_FAILURE fails inside the database, after the app started."""
    if database_url.startswith("sqlite"):
        with sqlite3.connect(_sqlite_path(database_url)) as connection:
            connection.executescript(SQLITE_TRIGGER)
        return
    postgres = await asyncpg.connect(_dsn(database_url))
    try:
        await postgres.execute(PG_TRIGGER)
    finally:
        await postgres.close()


async def stored_hashes(database_url: str) -> set[str]:
    queries = ("SELECT hashed_password FROM users", "SELECT token_hash FROM refresh_tokens")
    if database_url.startswith("sqlite"):
        with sqlite3.connect(_sqlite_path(database_url)) as connection:
            return {row[0] for query in queries for row in connection.execute(query)}
    postgres = await asyncpg.connect(_dsn(database_url))
    try:
        return {row[0] for query in queries for row in await postgres.fetch(query)}
    finally:
        await postgres.close()


# Planted failures in the service, in process only


class BrokenUser(models.User):
    """A `User` whose values break the contract: a hash for an id, a list for the bio."""

    id: str  # type: ignore[assignment]
    bio: list[str]  # type: ignore[assignment]


class FailingUsersService(UsersService):
    """`getCurrentUser` fails for two marked accounts: with an exception that quotes the
    caller's email and hash and the secret key, or with a response the contract refuses
    whose values are the email and hash (the response check logs what is wrong with it)."""

    secret_key = ""

    async def get_current_user(self, *, principal: Principal) -> models.User:
        user = principal.user
        if user.full_name == SERVICE_FAILURE:
            raise RuntimeError(
                f"cannot load {user.email} ({user.hashed_password}) with {self.secret_key}"
            )
        found = await super().get_current_user(principal=principal)
        if user.full_name == RESPONSE_FAILURE:
            broken = {**found.model_dump(), "id": user.hashed_password, "bio": [user.email]}
            return BrokenUser(**broken)
        return found


def failing_users(self: Providers) -> FailingUsersService:
    return FailingUsersService(self.database, self.passwords, self.guesses, self.account_mail)


# The hostile run


async def register(
    client: httpx.AsyncClient, email: str, password: str, **fields: Any
) -> httpx.Response:
    return await client.post(REGISTER, json={"email": email, "password": password, **fields})


async def login(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post(LOGIN, data={"username": email, "password": password})


async def hostile_run(
    client: httpx.AsyncClient, found: Secrets, settings: Settings, *, planted: bool
) -> None:
    """Registrations (a taken email, a NUL, a huge email), logins right and wrong, refreshes
    real, reused and forged, a password change, a database error; `planted`: the service's
    own failures too. Statuses are asserted only where the run depends on them."""
    email, password = found.email("alice"), found.password()
    assert (await register(client, email, password, full_name="Alice")).status_code == 201
    for taken in (email, email.upper()):
        assert (await register(client, taken, found.password())).status_code == 409
    await register(client, found.email("nul"), found.password(), full_name="a\u0000b")
    huge = "h" * 50_000 + found.email("")
    found.emails.add(huge)
    assert (await register(client, huge, found.password())).status_code == 422

    # A caller's own email in a URL: uvicorn's access log writes the query string.
    assert (await client.get("/api/v1/items", params={"q": email})).status_code == 200
    pair = found.pair(await login(client, email, password))
    assert (await login(client, email, found.password())).status_code == 401
    assert (await login(client, found.email("nobody"), found.password())).status_code == 401
    await login(client, f"{email}\u0000", password)  # a 500 on PostgreSQL before issue 12

    renewed = found.pair(await client.post(REFRESH, json={"refresh_token": pair.refresh}))
    user_id = (await client.get(ME, headers=bearer(renewed.access))).json()["id"]
    forged = [
        sign(claims_for(user_id, settings, "refresh"), key=OTHER_SECRET),
        unsigned(claims_for(user_id, settings, "refresh")),
        sign(claims_for(user_id, settings, "access"), key=OTHER_SECRET),
    ]
    found.tokens.update(forged)
    for token in forged[:2]:
        assert (await client.post(REFRESH, json={"refresh_token": token})).status_code == 401
    assert (await client.get(ME, headers=bearer(forged[2]))).status_code == 401
    # Reuse: theft, the family is revoked.
    assert (await client.post(REFRESH, json={"refresh_token": pair.refresh})).status_code == 401

    current = found.pair(await login(client, email, password))
    wrong = {"current_password": found.password(), "new_password": found.password()}
    assert (await change_password(client, current, wrong)).status_code == 400
    new_password = found.password()
    right = {"current_password": password, "new_password": new_password}
    assert (await change_password(client, current, right)).status_code == 204
    found.pair(await login(client, email, new_password))

    failing = await register(client, found.email("db"), found.password(), full_name=DB_FAILURE)
    assert failing.status_code == 500, failing.text

    if planted:
        for name in (SERVICE_FAILURE, RESPONSE_FAILURE):
            victim, secret = found.email("victim"), found.password()
            assert (await register(client, victim, secret, full_name=name)).status_code == 201
            tokens = found.pair(await login(client, victim, secret))
            assert (await client.get(ME, headers=bearer(tokens.access))).status_code == 500


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def change_password(
    client: httpx.AsyncClient, tokens: TokenPair, body: dict[str, str]
) -> httpx.Response:
    return await client.put(f"{ME}/password", json=body, headers=bearer(tokens.access))


def settings_for(database_url: str, tmp_path: Path, found: Secrets) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key=found.secret_key,
        var_dir=tmp_path / "var",
        validate_responses=True,
        rate_limit_enabled=False,
        allowed_hosts=TEST_HOSTS,
        first_superuser_email=found.email("root"),
        first_superuser_password=SecretStr(found.password()),
        **FAST_HASHING,
    )


def assert_useful(texts: list[str]) -> None:
    """What the logs must keep: the SQL, and each 500 with its request id and error class."""
    logged = "\n".join(texts)
    assert "INSERT INTO users" in logged  # the statements are there, at INFO
    assert "SQL parameters hidden" in logged
    errors = [text for text in texts if " app.errors unhandled error in POST" in text]
    assert errors, "the database failure was not logged"
    assert re.search(r"request_id=[0-9a-f]{32}", errors[0])
    assert "sqlalchemy.exc." in errors[0]  # DBAPIError, OperationalError
    assert "INSERT INTO users" in errors[0]


async def test_nothing_secret_is_logged_in_process(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = Secrets()
    settings = settings_for(database_url, tmp_path, found)
    FailingUsersService.secret_key = found.secret_key
    monkeypatch.setattr(Providers, "users", failing_users)
    app = create_app(settings)  # installs the redacting filter on the handlers there are now
    with everything_at_debug() as captured:  # ...so not on this one
        async for client in started(app):
            await plant_database_failure(database_url)
            await hostile_run(client, found, settings, planted=True)
    found.hashes = await stored_hashes(database_url)
    assert len(found.hashes) >= 6
    assert leaks(captured.texts, found) == []
    assert_useful(captured.texts)


LOG_CONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"full": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "full",
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"level": "DEBUG", "handlers": ["stderr"]},
    "loggers": {
        name: {"level": "DEBUG", "handlers": [], "propagate": True}
        for name in LOGGERS
        if not name.startswith("uvicorn")
    }
    | {
        name: {"level": "TRACE", "handlers": [], "propagate": True}
        for name in LOGGERS
        if name.startswith("uvicorn")
    },
}


@pytest.mark.slow
@pytest.mark.parametrize("server", ["app-serve", "app-serve-json", "uvicorn-debug-config"])
async def test_nothing_secret_reaches_a_servers_output(
    database_url: str, tmp_path: Path, server: str
) -> None:
    """`python -m app serve --log-level trace` as deployed (the service's logging config, its
    line per request; text and JSON), and plain uvicorn with a log config that sends every
    logger at DEBUG (SQL, rows, asyncio, the app's INFO) to stderr."""
    found = Secrets()
    settings = settings_for(database_url, tmp_path, found)
    config = tmp_path / "logging.json"
    config.write_text(json.dumps(LOG_CONFIG))
    environment = {
        "APP_DATABASE_URL": database_url,
        "APP_SECRET_KEY": found.secret_key,
        "APP_VALIDATE_RESPONSES": "true",
        "APP_RATE_LIMIT_ENABLED": "false",
        "APP_FIRST_SUPERUSER_EMAIL": settings.first_superuser_email,
        "APP_FIRST_SUPERUSER_PASSWORD": settings.first_superuser_password.get_secret_value(),
    }
    if server == "app-serve-json":
        environment["APP_LOG_FORMAT"] = "json"
    command = (
        (*SERVE, "--log-level", "trace")
        if server.startswith("app-serve")
        else (*PLAIN_UVICORN, "--log-config", str(config), "--log-level", "trace")
    )
    with served(tmp_path, environment, command) as process:
        await plant_database_failure(database_url)
        async with httpx.AsyncClient(base_url=process.base_url, timeout=10) as client:
            await hostile_run(client, found, settings, planted=False)
    found.hashes = await stored_hashes(database_url)
    output = process.output()
    assert leaks([output], found) == []
    assert "unhandled error in POST /api/v1/auth/register" in output
    if server.startswith("app-serve"):  # the service's own line per request is there
        assert "POST /api/v1/auth/login 401" in output
    else:  # uvicorn's access log
        assert '"POST /api/v1/auth/login HTTP/1.1" 401' in output
    if not server.startswith("app-serve"):
        assert "sqlalchemy.engine.Engine" in output
        assert_useful(output.split("\n20"))  # one text a record: each starts with a date
