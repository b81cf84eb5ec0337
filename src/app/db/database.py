"""The service's handle on the database: units of work for repositories and a readiness ping.

A unit of work is a plain function of a SQLAlchemy `Connection` (the repositories are plain,
synchronous classes). Where it runs depends on the database:

- PostgreSQL: `read`, `run` and `run_in_transaction` run it inside one greenlet on the async
  engine, which is what `AsyncConnection.run_sync` does: asyncpg's I/O is awaited on the event
  loop (`await_`), but the checkout, every statement and the return to the pool cost one
  greenlet switch in all (through `AsyncConnection`, each was a greenlet of its own: ~100 us
  of CPU a request, issue 6).
- SQLite: `read` runs it on the event loop itself, on a connection that can neither write nor
  wait, within a time budget (loop_reader.py); `run` and `run_in_transaction` on the
  process's writer thread (sqlite_writer.py), one hand-off a unit. A thread hand-off per
  statement cost ten times the statement (README "Database and migrations", "Performance").
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from sqlalchemy import Connection, Engine, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.util.concurrency import greenlet_spawn

from app.db.engine import create_engine, create_loop_reader, create_sqlite_writer, for_writes
from app.db.loop_reader import LoopReader, MovedOffTheLoop
from app.db.sqlite_writer import SQLiteWriter
from app.errors import Unavailable
from app.settings import Settings

log = logging.getLogger("app.db")
T = TypeVar("T")
Work = Callable[[Connection], T]


def _on_connection(engine: Engine, work: Work[T]) -> T:
    with engine.connect() as connection:
        return work(connection)


def _in_transaction(engine: Engine, work: Work[T]) -> T:
    with engine.begin() as connection:
        return work(connection)


class Database:
    def __init__(
        self,
        engine: AsyncEngine,
        autocommit: AsyncEngine,
        *,
        loop_reader: LoopReader | None = None,
        sqlite_writer: SQLiteWriter | None = None,
        readiness_timeout_s: float = 2.0,
    ) -> None:
        self.engine = engine
        self.writer = for_writes(engine)
        self.autocommit = autocommit
        self.loop_reader = loop_reader
        self.sqlite_writer = sqlite_writer
        self._readiness_timeout_s = readiness_timeout_s

    @classmethod
    def from_settings(cls, settings: Settings) -> "Database":
        return cls(
            create_engine(settings),
            create_engine(settings, autocommit=True),
            loop_reader=create_loop_reader(settings),
            sqlite_writer=create_sqlite_writer(settings),
            readiness_timeout_s=settings.readiness_timeout_s,
        )

    async def read(self, work: Work[T]) -> T:
        """`work` that only reads, on a connection where every statement stands alone.

        On SQLite it runs on the event loop itself (loop_reader.py), unless it meets a lock or
        outruns its budget there: then it runs again on a pool connection's thread, like every
        read on PostgreSQL, and never on the writer thread, which it would hold up.
        """
        if self.loop_reader is not None:
            try:
                return self.loop_reader.read(work)
            except MovedOffTheLoop as reason:
                log.info("a read moved off the event loop: %s", reason)
        return await greenlet_spawn(_on_connection, self.autocommit.sync_engine, work)

    async def run(self, work: Work[T]) -> T:
        """`work` on a connection where every statement is its own transaction.

        For work whose statements stand alone: reads, or one atomic `UPDATE ... RETURNING`.
        It costs one round trip a statement, where a transaction adds BEGIN and COMMIT.
        On SQLite it is `run_in_transaction`: the writer thread runs every unit whole.
        """
        if self.sqlite_writer is not None:
            return await self.sqlite_writer.run(work)
        return await greenlet_spawn(_on_connection, self.autocommit.sync_engine, work)

    async def run_in_transaction(self, work: Work[T], *, write: bool) -> T:
        """`work` in one transaction: committed when it returns, rolled back if it raises.

        `write=True` begins as a writer on SQLite (BEGIN IMMEDIATE, see engine.py). On
        SQLite every unit runs on the writer thread (sqlite_writer.py): one thread hand-off
        for the whole unit, where the async engine took one per statement.
        """
        if self.sqlite_writer is not None:
            return await self.sqlite_writer.run(work)
        engine = self.writer if write else self.engine
        return await greenlet_spawn(_in_transaction, engine.sync_engine, work)

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        """An async connection on which every statement is its own transaction (`run`'s)."""
        async with self.autocommit.connect() as connection:
            yield connection

    @asynccontextmanager
    async def transaction(self, *, write: bool) -> AsyncIterator[AsyncConnection]:
        """An async connection in one transaction (`run_in_transaction`'s), for raw SQL."""
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
        if self.loop_reader is not None:
            self.loop_reader.engine.dispose()
        if self.sqlite_writer is not None:
            await self.sqlite_writer.close()
