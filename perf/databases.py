"""The database a measured run writes to: never one that holds data someone cares about.

No URL: a SQLite file in the run's temp folder. A PostgreSQL URL names the server: the run
creates a database of its own there (the user needs CREATEDB) and drops it afterwards. A SQLite
URL names a file, which is used as it is.
"""

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from app.settings import Settings


async def run_on_server(url: str, sql: str) -> None:
    """Run one statement outside any transaction (CREATE/DROP DATABASE need that)."""
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@contextmanager
def database_of_its_own(url: str, prefix: str) -> Iterator[str]:
    """A new, empty database on the PostgreSQL server of `url` (an async URL), dropped after."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"  # letters and digits only: safe to quote as is
    asyncio.run(run_on_server(url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(run_on_server(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def scratch_database(url: str, tmp: Path) -> Iterator[str]:
    """Yield the SQLAlchemy URL the server should use; drop what was made for the run."""
    if not url:
        yield f"sqlite:///{tmp / 'perf.db'}"
        return
    # Settings turns the plain schemes people paste into the async drivers the app ships.
    url = Settings(database_url=url, secret_key="x" * 32, var_dir=tmp).database_url
    if not url.startswith("postgresql"):
        yield url
        return
    with database_of_its_own(url, "perf") as own:
        yield own


def describe(url: str) -> str:
    """The URL without its password, for reports."""
    return make_url(url).render_as_string(hide_password=True)
