"""The first superuser: created at start-up from settings, once, even when workers race."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr, ValidationError
from sqlalchemy import func, select

from app.auth.passwords import Passwords
from app.db.database import Database
from app.main import create_app
from app.settings import Settings
from app.users.bootstrap import ensure_first_superuser
from app.users.tables import users
from tests.support.accounts import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    LOGIN,
    ME,
    PASSWORD,
    USERS,
    bearer,
    login,
    register,
    with_superuser,
)
from tests.support.clients import started
from tests.support.contract import assert_matches, assert_problem
from tests.support.settings import FAST_HASHING, TEST_SECRET

pytestmark = pytest.mark.anyio

# Long enough for migrations and a hash; a deadlock fails the test instead of hanging it.
RACE_TIMEOUT_S = 30


async def accounts_with_email(database: Database, email: str) -> int:
    query = select(func.count()).select_from(users).where(users.c.email == email)
    count: int = await database.read(lambda c: c.execute(query).scalar_one())
    return count


async def all_accounts(database: Database) -> int:
    query = select(func.count()).select_from(users)
    count: int = await database.read(lambda c: c.execute(query).scalar_one())
    return count


async def run(settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(settings)
    async for client in started(app):
        yield app, client


@pytest.mark.covers("getCurrentUser", 200)
@pytest.mark.covers("listUsers", 200)
async def test_the_first_superuser_exists_after_start_up(settings: Settings) -> None:
    configured = with_superuser(settings, "Root@Example.COM", ADMIN_PASSWORD)
    async for app, client in run(configured):
        assert await all_accounts(app.state.database) == 1
        pair = await login(client, "root@example.com", ADMIN_PASSWORD)
        me = await client.get(ME, headers=bearer(pair.access))
        assert me.status_code == 200, me.text
        body = me.json()
        assert_matches(body, "User")
        assert body["email"] == "root@example.com"  # stored lower-cased, like registrations
        assert (body["is_superuser"], body["is_active"]) == (True, True)
        assert body["full_name"] is None
        listed = await client.get(USERS, headers=bearer(pair.access))
        assert listed.status_code == 200, listed.text
        assert [user["id"] for user in listed.json()["items"]] == [body["id"]]


async def test_without_first_superuser_settings_nobody_is_created(settings: Settings) -> None:
    async for app, _client in run(settings):
        assert await all_accounts(app.state.database) == 0


async def test_starting_again_neither_duplicates_nor_resets_the_superuser(
    settings: Settings,
) -> None:
    first_id = ""
    async for _app, client in run(with_superuser(settings, ADMIN_EMAIL, ADMIN_PASSWORD)):
        pair = await login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
        first_id = (await client.get(ME, headers=bearer(pair.access))).json()["id"]
    # A restart, even with another password configured: the existing account is left alone.
    restarted = with_superuser(settings, ADMIN_EMAIL, "a different password entirely")
    for configured in (with_superuser(settings, ADMIN_EMAIL, ADMIN_PASSWORD), restarted):
        async for app, client in run(configured):
            assert await accounts_with_email(app.state.database, ADMIN_EMAIL) == 1
            assert await all_accounts(app.state.database) == 1
            pair = await login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
            me = await client.get(ME, headers=bearer(pair.access))
            assert me.json()["id"] == first_id
            refused = await client.post(
                LOGIN,
                data={"username": ADMIN_EMAIL, "password": "a different password entirely"},
            )
            assert_problem(refused, 401)


async def test_an_existing_normal_account_with_that_email_is_not_promoted(
    settings: Settings,
) -> None:
    # Whoever registered the address first must not become a superuser by a later restart.
    async for _app, client in run(settings):
        await register(client, ADMIN_EMAIL, PASSWORD)
    async for app, client in run(with_superuser(settings, ADMIN_EMAIL, ADMIN_PASSWORD)):
        assert await all_accounts(app.state.database) == 1
        pair = await login(client, ADMIN_EMAIL, PASSWORD)
        me = await client.get(ME, headers=bearer(pair.access))
        assert me.json()["is_superuser"] is False
        assert_problem(await client.get(USERS, headers=bearer(pair.access)), 403)


class RacingPasswords(Passwords):
    """Hashing waits until every racer has got past its "does the account exist?" check.

    So every racer goes on to insert: the race the unique email must settle, every time.
    """

    def __init__(self, settings: Settings, barrier: asyncio.Barrier) -> None:
        super().__init__(settings)
        self._barrier = barrier
        self.hashed = 0

    async def hash(self, password: str) -> str:
        await self._barrier.wait()
        self.hashed += 1
        return await super().hash(password)


async def test_two_apps_starting_at_once_create_one_superuser(settings: Settings) -> None:
    configured = with_superuser(settings, ADMIN_EMAIL, ADMIN_PASSWORD)
    apps = [create_app(configured), create_app(configured)]
    barrier = asyncio.Barrier(len(apps))
    racers = [RacingPasswords(configured, barrier) for _ in apps]
    for app, racer in zip(apps, racers, strict=True):
        app.state.providers.passwords = racer  # what the lifespan hashes with
    async with AsyncExitStack() as stack:
        async with asyncio.timeout(RACE_TIMEOUT_S):
            # Both start on an empty database: migrations race too, then the bootstrap.
            await asyncio.gather(
                *(stack.enter_async_context(app.router.lifespan_context(app)) for app in apps)
            )
        assert [racer.hashed for racer in racers] == [1, 1]  # both really tried to insert
        for app in apps:
            assert await accounts_with_email(app.state.database, ADMIN_EMAIL) == 1
        transport = httpx.ASGITransport(app=apps[1])
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            pair = await login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
            me = await client.get(ME, headers=bearer(pair.access))
            assert me.json()["is_superuser"] is True


async def test_racing_bootstraps_on_one_database_insert_once(settings: Settings) -> None:
    # The same race without the apps around it, with more racers than two.
    async for _started in run(settings):  # only to migrate
        pass
    database = Database.from_settings(settings)
    try:
        barrier = asyncio.Barrier(4)
        racers = [RacingPasswords(settings, barrier) for _ in range(4)]
        async with asyncio.timeout(RACE_TIMEOUT_S):
            await asyncio.gather(
                *(
                    ensure_first_superuser(database, racer, ADMIN_EMAIL, ADMIN_PASSWORD)
                    for racer in racers
                )
            )
        assert [racer.hashed for racer in racers] == [1, 1, 1, 1]
        assert await all_accounts(database) == 1
    finally:
        await database.dispose()


@pytest.mark.parametrize(
    ("email", "password"),
    [
        pytest.param(ADMIN_EMAIL, "", id="email-only"),
        pytest.param("", ADMIN_PASSWORD, id="password-only"),
    ],
)
def test_half_a_first_superuser_is_refused(email: str, password: str) -> None:
    with pytest.raises(ValidationError, match="APP_FIRST_SUPERUSER_EMAIL"):
        Settings(
            secret_key=TEST_SECRET,
            first_superuser_email=email,
            first_superuser_password=SecretStr(password),
            **FAST_HASHING,
        )


def test_half_a_first_superuser_is_refused_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("APP_FIRST_SUPERUSER_EMAIL", ADMIN_EMAIL)
    monkeypatch.delenv("APP_FIRST_SUPERUSER_PASSWORD", raising=False)
    with pytest.raises(ValidationError, match="APP_FIRST_SUPERUSER_PASSWORD"):
        Settings(secret_key=TEST_SECRET, **FAST_HASHING)
