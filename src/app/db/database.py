"""The service's handle on the database: transactions for repositories and a readiness ping."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.db.engine import create_engine, for_writes
from app.errors import Unavailable
from app.settings import Settings

log = logging.getLogger("app.db")


class Database:
    def __init__(
        self, engine: AsyncEngine, autocommit: AsyncEngine, *, readiness_timeout_s: float = 2.0
    ) -> None:
        self.engine = engine
        self.writer = for_writes(engine)
        self.autocommit = autocommit
        self._readiness_timeout_s = readiness_timeout_s

    @classmethod
    def from_settings(cls, settings: Settings) -> "Database":
        return cls(
            create_engine(settings),
            create_engine(settings, autocommit=True),
            readiness_timeout_s=settings.readiness_timeout_s,
        )

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        """A connection on which every statement is its own transaction.

        For work that is one statement: a read, or one atomic `UPDATE ... RETURNING`. It costs
        one round trip, where a transaction adds BEGIN and COMMIT around it.
        """
        async with self.autocommit.connect() as connection:
            yield connection

    @asynccontextmanager
    async def transaction(self, *, write: bool) -> AsyncIterator[AsyncConnection]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        async with (self.writer if write else self.engine).begin() as connection:
            yield connection

    async def ping(self) -> None:
        """Run a real query; raise Unavailable (never the driver's error) when it fails."""
        try:
            async with asyncio.timeout(self._readiness_timeout_s):
                async with self.autocommit.connect() as connection:
                    await connection.execute(text("SELECT 1"))
        except Exception as exc:  # any driver, network or timeout error means "not ready"
            log.warning("database ping failed: %r", exc)
            raise Unavailable("The database did not answer.") from exc

    async def dispose(self) -> None:
        await self.engine.dispose()
        await self.autocommit.dispose()
