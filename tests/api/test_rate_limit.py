"""Rate limits: the operations whose contract declares 429, per operation and client address.

The default (20 a minute) is what `APP_RATE_LIMIT_AUTH` says; the tests that need a smaller
limit set it. Storage is in memory per app, or Redis (APP_TEST_REDIS_URL) shared between apps.
"""

import logging
import os
import random
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI
from limits.aio.storage import Storage

from app.main import create_app
from app.middleware.rate_limit import RateLimitMiddleware, close_storage
from app.settings import Settings
from tests.support.accounts import new_email
from tests.support.contract import assert_problem
from tests.support.operations import Operation, body_kwargs, by_id, call, operations

pytestmark = pytest.mark.anyio

REDIS_URL = os.environ.get("APP_TEST_REDIS_URL", "")
SKIP_REDIS = "Redis rate-limit storage tests need APP_TEST_REDIS_URL (CI sets it; see README)"
LOGIN = "/api/v1/auth/login"
BAD_LOGIN = {"username": "nobody@example.com", "password": "not-the-password"}


def client_for(app: FastAPI, address: str) -> httpx.AsyncClient:
    """A client whose requests come from `address` (the ASGI scope's `client`)."""
    transport = httpx.ASGITransport(app=app, client=(address, 40_000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@asynccontextmanager
async def serving(app: FastAPI, address: str = "127.0.0.1") -> AsyncIterator[httpx.AsyncClient]:
    """A client from `address` for `app`, its lifespan running."""
    try:
        async with app.router.lifespan_context(app), client_for(app, address) as client:
            yield client
    finally:
        # create_app's lifespan does not close the limiter's storage (yet): close it here, or
        # each Redis test leaves a connection open.
        for middleware in app.user_middleware:
            cls: object = middleware.cls
            storage = middleware.kwargs.get("storage")
            if cls is RateLimitMiddleware and isinstance(storage, Storage):
                await close_storage(storage)


def random_address() -> str:
    """A client address no earlier run used, so counters left in Redis cannot interfere."""
    return "10." + ".".join(str(random.randint(0, 255)) for _ in range(3))  # noqa: S311


async def login(client: httpx.AsyncClient) -> httpx.Response:
    """A wrong password for an account of its own: only the per-address limit counts it."""
    return await client.post(LOGIN, data={**BAD_LOGIN, "username": new_email("nobody")})


def assert_rate_limited(response: httpx.Response, window_seconds: int = 60) -> None:
    body = assert_problem(response, 429)
    assert body["type"] == "urn:problem-type:rate-limited"
    retry_after = response.headers["retry-after"]
    assert retry_after.isdigit(), retry_after
    assert 1 <= int(retry_after) <= window_seconds
    assert f"try again in {retry_after} s" in body["detail"]


@pytest.mark.covers("login", 401, 429)
async def test_the_21st_login_in_a_minute_is_429(sqlite_settings: Settings) -> None:
    async with serving(create_app(sqlite_settings)) as client:
        first = [await login(client) for _ in range(20)]
        assert [r.status_code for r in first] == [401] * 20
        assert_rate_limited(await login(client))
        assert_rate_limited(await login(client))  # and it stays so within the minute


async def test_operations_without_a_429_are_not_limited(sqlite_settings: Settings) -> None:
    async with serving(create_app(sqlite_settings)) as client:
        statuses = {(await client.get("/health/live")).status_code for _ in range(30)}
        assert statuses == {200}
        assert_rate_limited(await _exhaust_logins(client))
        # The limit of one operation leaves the others alone.
        assert (await client.get("/health/live")).status_code == 200


async def _exhaust_logins(client: httpx.AsyncClient, limit: int = 20) -> httpx.Response:
    for _ in range(limit):
        assert (await login(client)).status_code == 401
    return await login(client)


async def test_each_operation_is_counted_on_its_own(sqlite_settings: Settings) -> None:
    settings = sqlite_settings.model_copy(update={"rate_limit_auth": "2/minute"})
    async with serving(create_app(settings)) as client:
        assert_rate_limited(await _exhaust_logins(client, limit=2))
        refresh = await client.post("/api/v1/auth/refresh", json={"refresh_token": "x"})
        assert refresh.status_code == 401


async def test_the_limit_is_per_client_address(sqlite_settings: Settings) -> None:
    app = create_app(sqlite_settings)
    async with serving(app, "10.0.0.1") as first, client_for(app, "10.0.0.2") as second:
        assert_rate_limited(await _exhaust_logins(first))
        assert (await login(second)).status_code == 401
        assert_rate_limited(await login(first))


async def test_disabled_rate_limits_never_answer_429(sqlite_settings: Settings) -> None:
    settings = sqlite_settings.model_copy(update={"rate_limit_enabled": False})
    async with serving(create_app(settings)) as client:
        statuses = [(await login(client)).status_code for _ in range(25)]
        assert statuses == [401] * 25


async def test_the_limit_is_a_setting(sqlite_settings: Settings) -> None:
    settings = sqlite_settings.model_copy(update={"rate_limit_auth": "3/minute"})
    async with serving(create_app(settings)) as client:
        assert [(await login(client)).status_code for _ in range(3)] == [401] * 3
        assert_rate_limited(await login(client))


async def test_the_limit_applies_before_the_body_is_read(sqlite_settings: Settings) -> None:
    settings = sqlite_settings.model_copy(update={"rate_limit_auth": "1/minute"})
    async with serving(create_app(settings)) as client:
        assert (await login(client)).status_code == 401
        # Neither an oversize body (413) nor a wrong media type (415) is looked at.
        oversize = await client.post(
            LOGIN,
            content=b"x" * (settings.max_body_bytes + 1),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert_rate_limited(oversize)
        assert_rate_limited(await client.post(LOGIN, content=b"{}", headers={}))


async def _send(client: httpx.AsyncClient, op: Operation) -> httpx.Response:
    """The operation with a body that may well fail validation: `{}` in its media type."""
    return await call(client, op, **(body_kwargs(op, {}) if op.has_body else {}))


@pytest.mark.parametrize(
    "op",
    [
        pytest.param(
            op,
            id=op.operation_id,
            marks=[pytest.mark.covers(op.operation_id, 429)] if op.declares(429) else [],
        )
        for op in operations()
    ],
)
async def test_exactly_the_operations_that_declare_429_are_limited(
    sqlite_settings: Settings, op: Operation
) -> None:
    settings = sqlite_settings.model_copy(update={"rate_limit_auth": "2/minute"})
    async with serving(create_app(settings)) as client:
        responses = [await _send(client, op) for _ in range(3)]
    statuses = [r.status_code for r in responses]
    assert 429 not in statuses[:2], statuses
    if op.declares(429):
        assert_rate_limited(responses[2])
    else:
        assert statuses[2] != 429, f"{op} does not declare 429 but answered it"


def test_the_walk_finds_the_limited_operations() -> None:
    # The walk above is only as good as the spec it walks: it must find limited operations.
    limited = {op.operation_id for op in operations() if op.declares(429)}
    assert {"register", "login", "refreshTokens"} <= limited
    assert not by_id("getLiveness").declares(429)


# Redis storage


@asynccontextmanager
async def redis_app(settings: Settings, address: str) -> AsyncIterator[httpx.AsyncClient]:
    assert REDIS_URL
    shared = settings.model_copy(update={"rate_limit_storage_url": REDIS_URL})
    async with serving(create_app(shared), address) as client:
        yield client


async def test_redis_storage_holds_the_limit_across_app_instances(
    sqlite_settings: Settings,
) -> None:
    if not REDIS_URL:
        pytest.skip(SKIP_REDIS)
    address = random_address()
    async with (
        redis_app(sqlite_settings, address) as one,
        redis_app(sqlite_settings, address) as two,
    ):
        for _ in range(10):
            assert (await login(one)).status_code == 401
            assert (await login(two)).status_code == 401
        # 20 logins spread over two workers: the 21st is refused by either of them.
        assert_rate_limited(await login(one))
        assert_rate_limited(await login(two))
    # Another address on the same Redis starts afresh.
    async with redis_app(sqlite_settings, random_address()) as other:
        assert (await login(other)).status_code == 401


async def test_a_redis_that_is_down_lets_requests_through_and_logs(
    sqlite_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="app.rate_limit")
    # Port 1 on loopback: nothing listens there, so every connection is refused at once.
    settings = sqlite_settings.model_copy(
        update={"rate_limit_storage_url": "redis://127.0.0.1:1/0", "rate_limit_auth": "1/minute"}
    )
    async with serving(create_app(settings)) as client:
        statuses = [(await login(client)).status_code for _ in range(3)]
    assert statuses == [401] * 3  # over the limit of 1, but nothing could count
    records = [r for r in caplog.records if r.name == "app.rate_limit"]
    # The traceback is there, as text: the app's redacting filter (on every handler there is
    # when it starts, caplog's too) replaces `exc_info` with its redacted `exc_text`.
    assert all(r.levelno == logging.ERROR and r.exc_text for r in records)
    assert "redis.exceptions.ConnectionError" in str(records[0].exc_text)
    # Each login passed two limits that could not count: its address's and its account's.
    assert Counter(r.getMessage() for r in records) == {
        "rate limit storage failed; letting login through": 3,
        "rate limit storage failed; letting a password check through": 3,
    }
