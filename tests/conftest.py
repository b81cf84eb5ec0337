"""Fixtures shared by every test: settings, a database on SQLite or PostgreSQL, the app, a client.

Database tests take `database_url`, which runs them on SQLite always and on PostgreSQL when
APP_TEST_POSTGRES_URL is set (CI sets it; a laptop without PostgreSQL skips with that reason).
Each PostgreSQL test gets a database of its own, dropped afterwards.
"""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from app.main import create_app
from app.settings import Settings
from tests.support import network

POSTGRES_URL = os.environ.get("APP_TEST_POSTGRES_URL", "")
SKIP_POSTGRES = "PostgreSQL tests need APP_TEST_POSTGRES_URL (CI sets it; see README)"
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
# argon2 at the OWASP floor costs ~20 ms a hash; tests hash hundreds of passwords.
FAST_HASHING: dict[str, Any] = {
    "insecure_fast_password_hashing": True,
    "argon2_memory_kib": 64,
    "argon2_time_cost": 1,
}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session", autouse=True)
def loopback_only() -> Iterator[list[str]]:
    """The whole run connects to nothing outside loopback (tests/support/network.py)."""
    with network.loopback_only() as refused:
        yield refused
    assert refused == [], f"tests tried to connect outside loopback: {refused}"


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(_asyncpg_dsn(POSTGRES_URL))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test."""
    if not POSTGRES_URL:
        pytest.skip(SKIP_POSTGRES)
    name = f"test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(Settings(database_url=POSTGRES_URL, secret_key=TEST_SECRET).database_url)
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key=TEST_SECRET,
        var_dir=tmp_path / "var",
        validate_responses=True,  # a response the contract does not allow is a 500
        **FAST_HASHING,
    )


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    """For tests about HTTP behaviour that does not depend on the database."""
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'test.db'}",
        secret_key=TEST_SECRET,
        var_dir=tmp_path / "var",
        validate_responses=True,
        **FAST_HASHING,
    )


async def started(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client for `app` with its lifespan running (migrations applied, engine disposed)."""
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        yield client


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for c in started(create_app(settings)):
        yield c


@pytest.fixture
async def sqlite_client(sqlite_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for c in started(create_app(sqlite_settings)):
        yield c
