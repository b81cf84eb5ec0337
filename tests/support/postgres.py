"""A PostgreSQL database of its own for one test, on the server APP_TEST_POSTGRES_URL names.

Without that variable the PostgreSQL half of the suite skips, with the reason (CI sets it).
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager

from app.settings import Settings
from perf.databases import database_of_its_own
from tests.support.settings import TEST_SECRET

POSTGRES_URL = os.environ.get("APP_TEST_POSTGRES_URL", "")
SKIP_POSTGRES = "PostgreSQL tests need APP_TEST_POSTGRES_URL (CI sets it; see README)"


@contextmanager
def fresh_database() -> Iterator[str]:
    """The URL of a new, empty database on the shared server, dropped afterwards."""
    # Settings turn the configured URL into the app's driver (postgresql+asyncpg).
    server = Settings(database_url=POSTGRES_URL, secret_key=TEST_SECRET).database_url
    with database_of_its_own(server, "test") as url:
        yield url
