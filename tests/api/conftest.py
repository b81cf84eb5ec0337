"""The app the API tests talk to, on SQLite and PostgreSQL, and the accounts they act as.

`app` has a first superuser (ADMIN_EMAIL), created at start-up as in production; `admin` is
signed in as that account, `alice` and `bob` are two ordinary accounts signed up for the test.
A module that needs another app defines its own `app` or `api`.
"""

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from app.main import create_app
from app.settings import Settings
from tests.support.accounts import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    Account,
    sign_in_superuser,
    sign_up,
    with_superuser,
)
from tests.support.clients import started


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    """The app with a first superuser (ADMIN_EMAIL) configured."""
    return create_app(with_superuser(settings, ADMIN_EMAIL, ADMIN_PASSWORD))


@pytest.fixture
async def api(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async for client in started(app):
        yield client


@pytest.fixture
async def admin(api: httpx.AsyncClient) -> Account:
    return await sign_in_superuser(api, ADMIN_EMAIL, ADMIN_PASSWORD)


@pytest.fixture
async def alice(api: httpx.AsyncClient) -> Account:
    return await sign_up(api)


@pytest.fixture
async def bob(api: httpx.AsyncClient) -> Account:
    return await sign_up(api)
