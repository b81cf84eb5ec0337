"""The per-account limit on wrong passwords (app/auth/guesses.py), whatever the client address.

The per-address limit (test_rate_limit.py) stops one address; these tests rotate addresses
(one ASGI transport per address, and a different `X-Forwarded-For` on each, which is not
trusted) and show the account's own limit holds: past it, the right password is refused too,
with 429 and Retry-After, no password is checked, unknown emails get the same answer, and
other accounts are untouched. The per-address limit is raised out of the way where it would
interfere. Storage is in memory per app, or Redis (APP_TEST_REDIS_URL) shared between apps.
"""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from itertools import count
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio
from fastapi import FastAPI
from pwdlib.hashers.argon2 import Argon2Hasher
from pydantic import ValidationError

from app.main import create_app
from app.settings import Settings
from tests.support.accounts import LOGIN, ME, PASSWORD, REGISTER, bearer, new_email
from tests.support.contract import assert_problem
from tests.support.settings import TEST_SECRET

pytestmark = pytest.mark.anyio

REDIS_URL = os.environ.get("APP_TEST_REDIS_URL", "")
SKIP_REDIS = "Redis rate-limit storage tests need APP_TEST_REDIS_URL (CI sets it; see README)"
DEFAULT_LIMIT, DEFAULT_WINDOW_S = 10, 15 * 60  # APP_LOGIN_FAILURES_PER_ACCOUNT's default
WRONG = "not the password"
_addresses = count(1)


def next_address() -> str:
    """A client address no other request of the run used."""
    n = next(_addresses)
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def roomy(settings: Settings, **changes: Any) -> Settings:
    """Settings whose per-address limit and hashing queue stay out of the way."""
    return settings.model_copy(
        update={"rate_limit_auth": "10000/minute", "password_hash_queue": 1000, **changes}
    )


class Clients:
    """One client per request, each from an address of its own, all for one running app."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    @asynccontextmanager
    async def _client(self) -> AsyncIterator[httpx.AsyncClient]:
        address = next_address()
        transport = httpx.ASGITransport(app=self.app, client=(address, 40_000))
        # A forged X-Forwarded-For as well: rotating it must not help either.
        headers = {"X-Forwarded-For": next_address()}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", headers=headers
        ) as client:
            yield client

    async def login(self, email: str, password: str) -> httpx.Response:
        async with self._client() as client:
            return await client.post(LOGIN, data={"username": email, "password": password})

    async def register(self, email: str | None = None) -> str:
        email = email or new_email("victim")
        async with self._client() as client:
            response = await client.post(REGISTER, json={"email": email, "password": PASSWORD})
        assert response.status_code == 201, response.text
        return email

    async def change_password(self, token: str, current: str) -> httpx.Response:
        async with self._client() as client:
            return await client.put(
                f"{ME}/password",
                json={"current_password": current, "new_password": "a new long password"},
                headers=bearer(token),
            )


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[Clients]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield Clients(app)


def assert_limited(response: httpx.Response, window_s: int = DEFAULT_WINDOW_S) -> dict[str, Any]:
    body = assert_problem(response, 429)
    assert body["type"] == "urn:problem-type:rate-limited"
    retry_after = response.headers["retry-after"]
    assert retry_after.isdigit(), retry_after
    assert 1 <= int(retry_after) <= window_s
    assert body["detail"] == (
        f"Too many wrong passwords for this account; try again in {retry_after} s."
    )
    return body


async def fail(clients: Clients, email: str, times: int) -> None:
    for _ in range(times):
        assert_problem(await clients.login(email, WRONG), 401)


@pytest.fixture
async def clients(sqlite_settings: Settings) -> AsyncIterator[Clients]:
    """Clients of an app on SQLite with the default limit per account, the rest out of the way."""
    async with running(roomy(sqlite_settings)) as running_clients:
        yield running_clients


@pytest.fixture
def verified(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each password check any app makes during the test (pwdlib's argon2 `verify`)."""
    calls: list[str] = []
    real = Argon2Hasher.verify

    def counted(self: Argon2Hasher, password: Any, hashed: Any) -> bool:
        calls.append("verify")
        return real(self, password, hashed)

    monkeypatch.setattr(Argon2Hasher, "verify", counted)
    return calls


@pytest.mark.covers("login", 200, 401, 429)
async def test_wrong_passwords_from_many_addresses_lock_the_account(
    settings: Settings, verified: list[str]
) -> None:
    async with running(settings) as clients:  # the default limits, per address and account
        email = await clients.register()
        await fail(clients, email, DEFAULT_LIMIT)  # each from an address of its own
        verified.clear()
        right = await clients.login(email, PASSWORD)
        wrong = await clients.login(email, WRONG)
        again = await clients.login(email.upper(), PASSWORD)  # the email ignores case
        for response in (right, wrong, again):
            assert_limited(response)
        assert verified == []  # refused before any password was checked
        # Right and wrong get the same answer: the limit is no oracle for the password.
        assert abs(int(right.headers["retry-after"]) - int(wrong.headers["retry-after"])) <= 1
        # Another account, from any address, signs in as usual.
        other = await clients.register()
        assert (await clients.login(other, PASSWORD)).status_code == 200


@pytest.mark.covers("login", 401, 429)
async def test_an_unknown_email_gets_the_same_answers(
    clients: Clients, verified: list[str]
) -> None:
    known = await clients.register()
    unknown = new_email("nobody")
    await fail(clients, known, DEFAULT_LIMIT)
    await fail(clients, unknown, DEFAULT_LIMIT)
    verified.clear()
    answers = [await clients.login(e, PASSWORD) for e in (known, unknown)]
    for answer in answers:
        assert_limited(answer)
    assert verified == []


@pytest.mark.covers("login", 200, 401, 429)
async def test_only_failures_count_and_a_success_resets_nothing(clients: Clients) -> None:
    email = await clients.register()
    # Right passwords alone never reach the limit.
    for _ in range(2 * DEFAULT_LIMIT):
        assert (await clients.login(email, PASSWORD)).status_code == 200
    await fail(clients, email, DEFAULT_LIMIT - 1)
    # The owner signing in leaves the failures counted: no fresh allowance for a guesser.
    assert (await clients.login(email, PASSWORD)).status_code == 200
    await fail(clients, email, 1)
    assert_limited(await clients.login(email, PASSWORD))


@pytest.mark.covers("login", 401, 429)
async def test_concurrent_guesses_cannot_slip_past_the_limit(
    settings: Settings, verified: list[str]
) -> None:
    async with running(roomy(settings)) as clients:
        email = await clients.register()
        verified.clear()
        responses = await asyncio.gather(*(clients.login(email, WRONG) for _ in range(30)))
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [401] * DEFAULT_LIMIT + [429] * (30 - DEFAULT_LIMIT)
        assert len(verified) == DEFAULT_LIMIT


@pytest.mark.covers("changePassword", 204, 400, 429)
@pytest.mark.covers("login", 429)
async def test_change_password_guesses_count_against_the_same_account(
    sqlite_settings: Settings, verified: list[str]
) -> None:
    settings = roomy(sqlite_settings, login_failures_per_account="4/15 minutes")
    async with running(settings) as clients:
        email = await clients.register()
        token = (await clients.login(email, PASSWORD)).json()["access_token"]
        # A stolen access token guesses the current password from many addresses.
        for _ in range(2):
            assert_problem(await clients.change_password(token, WRONG), 400)
        await fail(clients, email, 2)
        verified.clear()
        assert_limited(await clients.change_password(token, PASSWORD))
        assert_limited(await clients.login(email, PASSWORD))
        assert verified == []


@pytest.mark.covers("changePassword", 204)
async def test_a_right_current_password_is_not_counted(sqlite_settings: Settings) -> None:
    settings = roomy(sqlite_settings, login_failures_per_account="2/15 minutes")
    async with running(settings) as clients:
        email = await clients.register()
        token = (await clients.login(email, PASSWORD)).json()["access_token"]
        response = await clients.change_password(token, PASSWORD)
        assert response.status_code == 204, response.text
        await fail(clients, email, 2)
        assert_limited(await clients.login(email, WRONG))


async def test_the_limit_and_its_window_are_a_setting(sqlite_settings: Settings) -> None:
    settings = roomy(sqlite_settings, login_failures_per_account="3/minute")
    async with running(settings) as clients:
        email = await clients.register()
        await fail(clients, email, 3)
        assert_limited(await clients.login(email, PASSWORD), window_s=60)


async def test_disabled_rate_limits_leave_accounts_unlimited(sqlite_settings: Settings) -> None:
    settings = roomy(sqlite_settings, rate_limit_enabled=False)
    async with running(settings) as clients:
        email = await clients.register()
        await fail(clients, email, DEFAULT_LIMIT + 5)
        assert (await clients.login(email, PASSWORD)).status_code == 200


@pytest.mark.parametrize("limit", ["", "ten a minute", "10/fortnight"])
def test_settings_refuse_a_limit_they_cannot_read(tmp_path: Path, limit: str) -> None:
    with pytest.raises(ValidationError):
        Settings(secret_key=TEST_SECRET, var_dir=tmp_path, login_failures_per_account=limit)


# Redis storage


async def test_redis_holds_the_account_limit_across_workers_without_emails_in_keys(
    sqlite_settings: Settings,
) -> None:
    if not REDIS_URL:
        pytest.skip(SKIP_REDIS)
    local = f"victim-{uuid.uuid4().hex[:12]}"
    email = f"{local}@example.com"
    shared = roomy(sqlite_settings, rate_limit_storage_url=REDIS_URL)
    async with running(shared) as one, running(shared) as two:
        await one.register(email)
        for _ in range(DEFAULT_LIMIT // 2):
            assert_problem(await one.login(email, WRONG), 401)
            assert_problem(await two.login(email, WRONG), 401)
        # Ten failures spread over two workers: either refuses the next attempt.
        assert_limited(await one.login(email, PASSWORD))
        assert_limited(await two.login(email, PASSWORD))
    client = redis.asyncio.from_url(REDIS_URL)
    try:
        keys = [key.decode() async for key in client.scan_iter(match="*wrong-passwords*")]
    finally:
        await client.aclose()
    assert keys, "the account's count is not in Redis"
    assert not [key for key in keys if local in key.lower() or "@" in key]
