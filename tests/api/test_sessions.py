"""Sessions end when an account's rights do: deactivation, demotion, a new password, deletion.

A session is a refresh-token family. Each change below revokes every family of the account in
the transaction that makes the change, and undoing the change (reactivating, promoting again)
revives none: the account signs in afresh. Other accounts keep their sessions. On both
databases.
"""

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update

from app.auth.tables import refresh_tokens
from app.db.database import Database
from app.db.types import utcnow
from app.users.tables import users
from tests.support.accounts import LOGIN, ME, PASSWORD, REFRESH, Account, sign_in, sign_up
from tests.support.contract import assert_problem
from tests.support.database import transaction

pytestmark = pytest.mark.anyio


async def live_tokens(app: FastAPI, user_id: str) -> int:
    """The account's refresh tokens neither used nor revoked."""
    database: Database = app.state.database
    query = (
        select(func.count())
        .select_from(refresh_tokens)
        .where(
            refresh_tokens.c.user_id == uuid.UUID(user_id),
            refresh_tokens.c.used_at.is_(None),
            refresh_tokens.c.revoked_at.is_(None),
        )
    )
    count: int = await database.read(lambda c: c.execute(query).scalar_one())
    return count


async def refresh(api: httpx.AsyncClient, account: Account) -> httpx.Response:
    return await api.post(REFRESH, json={"refresh_token": account.tokens.refresh})


async def patch(
    api: httpx.AsyncClient, admin: Account, target: Account, changes: dict[str, Any]
) -> None:
    response = await api.patch(target.url, json=changes, headers=admin.headers)
    assert response.status_code == 200, response.text


async def two_sessions(api: httpx.AsyncClient) -> tuple[Account, Account]:
    """An account signed in twice: two refresh-token families."""
    account = await sign_up(api)
    return account, await sign_in(api, account.email, PASSWORD, account.id)


async def assert_sessions_over(api: httpx.AsyncClient, *sessions: Account) -> None:
    for session in sessions:
        assert_problem(await refresh(api, session), 401)


@pytest.mark.covers("updateUser", 200)
async def test_deactivating_ends_every_session_and_reactivating_revives_none(
    api: httpx.AsyncClient, app: FastAPI, admin: Account
) -> None:
    target, second = await two_sessions(api)
    bystander = await sign_up(api)
    assert await live_tokens(app, target.id) == 2

    await patch(api, admin, target, {"is_active": False})
    assert await live_tokens(app, target.id) == 0
    await patch(api, admin, target, {"is_active": True})

    # Before, both refreshes here answered 200: the sessions outlived the deactivation.
    await assert_sessions_over(api, target, second)
    assert await live_tokens(app, target.id) == 0
    # The account itself works again: it signs in afresh.
    again = await sign_in(api, target.email, PASSWORD, target.id)
    assert (await refresh(api, again)).status_code == 200
    assert (await refresh(api, bystander)).status_code == 200


@pytest.mark.covers("updateUser", 200)
async def test_demoting_a_superuser_ends_every_session(
    api: httpx.AsyncClient, app: FastAPI, admin: Account
) -> None:
    target = await sign_up(api)
    await patch(api, admin, target, {"is_superuser": True})
    # Sessions started with superuser rights: the promotion itself ended none.
    assert (await refresh(api, target)).status_code == 200
    as_superuser = await sign_in(api, target.email, PASSWORD, target.id)
    other = await sign_in(api, target.email, PASSWORD, target.id)
    bystander = await sign_up(api)

    await patch(api, admin, target, {"is_superuser": False})
    await assert_sessions_over(api, as_superuser, other)
    assert await live_tokens(app, target.id) == 0
    # Promoted again, the old sessions stay dead.
    await patch(api, admin, target, {"is_superuser": True})
    await assert_sessions_over(api, as_superuser, other)
    assert (await refresh(api, bystander)).status_code == 200


@pytest.mark.covers("updateUser", 200)
async def test_changes_that_take_no_right_away_keep_the_sessions(
    api: httpx.AsyncClient, app: FastAPI, admin: Account
) -> None:
    target, second = await two_sessions(api)
    # `is_superuser: false` on an account that never was one demotes nobody.
    for changes in ({"bio": "x"}, {"is_active": True}, {"is_superuser": False}):
        await patch(api, admin, target, changes)
    assert await live_tokens(app, target.id) == 2
    assert (await refresh(api, target)).status_code == 200
    assert (await refresh(api, second)).status_code == 200


@pytest.mark.covers("changePassword", 204)
async def test_a_new_password_ends_every_session(api: httpx.AsyncClient, app: FastAPI) -> None:
    target, second = await two_sessions(api)
    response = await api.put(
        f"{ME}/password",
        json={"current_password": PASSWORD, "new_password": "another long password"},
        headers=target.headers,
    )
    assert response.status_code == 204, response.text
    assert await live_tokens(app, target.id) == 0
    await assert_sessions_over(api, target, second)


@pytest.mark.covers("deleteUser", 204)
async def test_deleting_an_account_deletes_its_sessions(
    api: httpx.AsyncClient, app: FastAPI, admin: Account
) -> None:
    target, second = await two_sessions(api)
    response = await api.delete(target.url, headers=admin.headers)
    assert response.status_code == 204, response.text
    await assert_sessions_over(api, target, second)
    # The rows are gone (ON DELETE CASCADE), not only refused.
    database: Database = app.state.database
    query = (
        select(func.count())
        .select_from(refresh_tokens)
        .where(refresh_tokens.c.user_id == uuid.UUID(target.id))
    )
    assert await database.read(lambda c: c.execute(query).scalar_one()) == 0
    # A new account under the same email starts with no session of the old one.
    again = await sign_up(api, target.email)
    assert again.id != target.id
    await assert_sessions_over(api, target, second)


@pytest.mark.covers("deleteCurrentUser", 204)
async def test_deleting_your_own_account_ends_every_session(
    api: httpx.AsyncClient, app: FastAPI
) -> None:
    target, second = await two_sessions(api)
    response = await api.delete(ME, headers=target.headers)
    assert response.status_code == 204, response.text
    await assert_sessions_over(api, target, second)
    assert await live_tokens(app, target.id) == 0
    login = await api.post(LOGIN, data={"username": target.email, "password": PASSWORD})
    assert_problem(login, 401)


@pytest.mark.covers("login", 401)
async def test_a_login_racing_a_deactivation_starts_no_session(
    api: httpx.AsyncClient, app: FastAPI
) -> None:
    target = await sign_up(api)
    user_id = uuid.UUID(target.id)
    # A deactivation in progress, as updateUser makes it: the account, then its tokens.
    async with transaction(app.state.settings) as deactivation:
        await deactivation.execute(
            update(users).where(users.c.id == user_id).values(is_active=False)
        )
        await deactivation.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.user_id == user_id, refresh_tokens.c.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        # The login checks the password against the account as committed (still active) ...
        login = asyncio.create_task(
            api.post(LOGIN, data={"username": target.email, "password": PASSWORD})
        )
        await asyncio.sleep(0.5)
    # ... and then must not start a session the deactivation, now committed, did not revoke.
    # Before, it answered 200 and its session refreshed again once the account was reactivated.
    assert_problem(await login, 401)
    assert await live_tokens(app, target.id) == 0
