"""Raw SQL for tests, outside the service's doors: a transaction on a connection of its own.

SQLAlchemy's stock async engine on the database the settings name (aiosqlite or asyncpg), so a test
can hold a transaction open across awaits while the service runs: the service's own doors
(`Database.read`, `Database.write`) run a unit of work whole. On SQLite the transaction begins
as the service's writer's do (IMMEDIATE), or as asked (DEFERRED: the control for why).
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Connection, NullPool, event, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from app.settings import Settings


@asynccontextmanager
async def transaction(
    settings: Settings, *, begin: str = "IMMEDIATE"
) -> AsyncIterator[AsyncConnection]:
    """One transaction, committed at the end of the block, rolled back if it raises."""
    url = make_url(settings.database_url)
    if settings.is_sqlite:
        url = url.set(drivername="sqlite+aiosqlite")
    engine = create_async_engine(
        url,
        poolclass=NullPool,  # one connection, closed with the transaction
        hide_parameters=True,
        **(
            {"connect_args": {"timeout": settings.db_busy_timeout_ms / 1000}}
            if settings.is_sqlite
            else {}
        ),
    )
    if settings.is_sqlite:
        # SQLAlchemy's documented recipe: BEGIN from SQLAlchemy, not sqlite3's own guesswork.
        @event.listens_for(engine.sync_engine, "connect")
        def _configure(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(connection: Connection) -> None:
            connection.exec_driver_sql(f"BEGIN {begin}")

    try:
        async with engine.begin() as connection:
            yield connection
    finally:
        await engine.dispose()
