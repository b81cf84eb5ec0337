"""One app per test module for the security suite, a superuser, and a tripwire app.

Each test module walks every operation of the spec, a few requests each, so the apps are built
once per module (anyio's backend fixture is widened to the session for that). Tests sign up
fresh accounts and create fresh resources, so they share an app without sharing state.

The tripwire app (tests/support/tripwire.py) serves the same database with every service
method replaced by one that notes the call and raises. `hashing` counts the password hashes and
checks of the real app.
"""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.main import create_app
from app.settings import Settings
from tests.support.accounts import Account, sign_in_superuser
from tests.support.clients import started
from tests.support.security_settings import hardened_settings
from tests.support.tripwire import Tripwire, tripwire_app


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def security_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return hardened_settings(tmp_path_factory.mktemp("security"))


@pytest.fixture(scope="module")
def app(security_settings: Settings) -> FastAPI:
    return create_app(security_settings)


@pytest.fixture(scope="module")
async def api(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async for client in started(app):
        yield client


@pytest.fixture
def hashing(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each password hash ("hash") and check ("verify") the app does during the test."""
    calls: list[str] = []
    passwords = app.state.providers.passwords
    for name in ("hash", "verify"):
        real = getattr(passwords, name)

        async def counted(*args: Any, _name: str = name, _real: Any = real, **kwargs: Any) -> Any:
            calls.append(_name)
            return await _real(*args, **kwargs)

        monkeypatch.setattr(passwords, name, counted)
    return calls


@pytest.fixture(scope="module")
async def superuser(api: httpx.AsyncClient) -> Account:
    return await sign_in_superuser(api)


@pytest.fixture(scope="module")
async def tripwire_client(
    api: httpx.AsyncClient, security_settings: Settings
) -> AsyncIterator[Tripwire]:
    """The tripwire app, started after `api` (which migrated the shared database)."""
    app, wire = tripwire_app(security_settings)
    async for client in started(app):
        wire.client = client
        yield wire


@pytest.fixture
def tripwire(tripwire_client: Tripwire) -> Tripwire:
    tripwire_client.reset()
    return tripwire_client
