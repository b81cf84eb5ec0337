"""Fixtures shared by every test: settings, a database on SQLite or PostgreSQL, the app, a client.

Database tests take `database_url`, which runs them on SQLite always and on PostgreSQL when
APP_TEST_POSTGRES_URL is set (CI sets it; a laptop without PostgreSQL skips with that reason).
Each PostgreSQL test gets a database of its own, dropped afterwards. What test modules import
lives in tests/support/; this file holds fixtures only.
"""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from app.main import create_app
from app.settings import Settings
from tests.support import network
from tests.support.clients import started
from tests.support.postgres import POSTGRES_URL, SKIP_POSTGRES, fresh_database
from tests.support.settings import app_settings, sqlite_url


def pytest_configure(config: pytest.Config) -> None:
    """Settings built in this process never read a `.env`: a developer's own file in the working
    directory (usually the repository root) must not change what the suite tests. Before
    collection, as some modules build Settings at import. The servers the suite starts run in a
    test's own folder instead (tests/support/served.py); tests/api/test_dotenv.py shows both."""
    patch = pytest.MonkeyPatch()
    patch.setitem(Settings.model_config, "env_file", None)
    config.add_cleanup(patch.undo)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session", autouse=True)
def loopback_only() -> Iterator[list[str]]:
    """The whole run connects to nothing outside loopback (tests/support/network.py)."""
    with network.loopback_only() as refused:
        yield refused
    assert refused == [], f"tests tried to connect outside loopback: {refused}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test."""
    if not POSTGRES_URL:
        pytest.skip(SKIP_POSTGRES)
    with fresh_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return app_settings(database_url, tmp_path)


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    """For tests about HTTP behaviour that does not depend on the database."""
    return app_settings(sqlite_url(tmp_path), tmp_path)


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for c in started(create_app(settings)):
        yield c


@pytest.fixture
async def sqlite_client(sqlite_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for c in started(create_app(sqlite_settings)):
        yield c
