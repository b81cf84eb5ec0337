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
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import NoReturn, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.util.concurrency import greenlet_spawn

from app.db import outage
from app.db.engine import create_engine, create_loop_reader, create_sqlite_writer, for_writes
from app.db.loop_reader import LoopReader, MovedOffTheLoop
from app.db.sqlite_writer import SQLiteWriter
from app.errors import Unavailable
from app.settings import Settings

log = logging.getLogger("app.db")
T = TypeVar("T")
Work = Callable[[Connection], T]
# The deadline of a PostgreSQL call is the statement timeout plus this: a statement the
# server cancels (57014) fails first, cleanly, and keeps its connection.
DEADLINE_GRACE_S = 0.5
UNAVAILABLE = "The database cannot serve this request now."
# Readiness on SQLite: the database must be able to grow by this many pages, and the disk
# hold twice as many (the WAL, then the checkpoint into the file): a write of a few rows
# and their index entries needs some. Less than that is "full" (README "When the database
# fails").
SQLITE_RESERVE_PAGES = 32


def _on_connection(engine: Engine, work: Work[T]) -> T:
    with engine.connect() as connection:
        return work(connection)


def _in_transaction(engine: Engine, work: Work[T]) -> T:
    with engine.begin() as connection:
        return work(connection)


def _pg_read_only(connection: Connection) -> bool:
    """A standby, or a primary that refuses writes (default_transaction_read_only)."""
    query = "SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on'"
    return bool(connection.exec_driver_sql(query).scalar())


class _Probed(Exception):  # not an error: how the probe rolls its transaction back
    """Raised by `_sqlite_probe` so that its transaction is rolled back, not committed."""

    def __init__(self, *, full: bool) -> None:
        super().__init__("probe done")
        self.full = full


def _sqlite_probe(connection: Connection) -> bool:
    """On the writer thread, in its BEGIN IMMEDIATE: can the database take a write?

    Writing is the only sure test of a read-only file: BEGIN IMMEDIATE itself succeeds on
    a file the process may not write (an immutable file, or one whose owner is another
    user). So it rewrites the header's user_version, which touches no table, and raises
    `_Probed` so that the whole transaction rolls back: nothing reaches the WAL or the disk
    (a rolled back savepoint would still write the page at COMMIT).

    A rolled back write needs no new page, so it proves nothing about space. What a write
    needs is room to grow: below max_page_count (or free pages in the file), and space on
    the disk for the WAL and then the checkpoint. Less than SQLITE_RESERVE_PAGES of either
    is "full".
    """

    def pragma(name: str) -> int:
        return int(connection.exec_driver_sql(f"PRAGMA {name}").scalar() or 0)

    connection.exec_driver_sql(f"PRAGMA user_version = {pragma('user_version')}")
    page_size = pragma("page_size")
    room = pragma("max_page_count") - pragma("page_count") + pragma("freelist_count")
    full = room < SQLITE_RESERVE_PAGES
    path = next((row[2] for row in connection.exec_driver_sql("PRAGMA database_list")), "")
    if path and not full:  # no path: an in-memory database, no disk to fill
        disk = os.statvfs(os.path.dirname(path))
        full = disk.f_bavail * disk.f_frsize < 2 * SQLITE_RESERVE_PAGES * (page_size + 24)
    raise _Probed(full=full)


class Database:
    def __init__(
        self,
        engine: AsyncEngine,
        autocommit: AsyncEngine,
        *,
        loop_reader: LoopReader | None = None,
        sqlite_writer: SQLiteWriter | None = None,
        readiness_timeout_s: float = 2.0,
        retry_after_s: int = 5,
        deadline_s: float | None = None,
    ) -> None:
        self.engine = engine
        self.writer = for_writes(engine)
        self.autocommit = autocommit
        self.loop_reader = loop_reader
        self.sqlite_writer = sqlite_writer
        self._readiness_timeout_s = readiness_timeout_s
        self._retry_after_s = retry_after_s
        self._deadline_s = deadline_s

    @classmethod
    def from_settings(cls, settings: Settings) -> "Database":
        return cls(
            create_engine(settings),
            create_engine(settings, autocommit=True),
            loop_reader=create_loop_reader(settings),
            sqlite_writer=create_sqlite_writer(settings),
            readiness_timeout_s=settings.readiness_timeout_s,
            retry_after_s=settings.db_retry_after_s,
            # SQLite's waits are bounded by its busy timeout, on the writer thread.
            deadline_s=(
                None if settings.is_sqlite else settings.db_statement_timeout_s + DEADLINE_GRACE_S
            ),
        )

    def _unavailable_if_outage(self, error: Exception) -> None:
        """Raise Unavailable (a 503 with Retry-After) from `error` if it is an outage.

        The one place where driver, pool, timeout and OS errors become a 503 (outage.py says
        which). Logged once, at warning level, by class and error code: never the message,
        which may carry the statement's parameters.
        """
        reason = outage.cause(error)
        if reason is not None:
            log.warning("the database cannot serve: %s", reason)
            raise Unavailable(UNAVAILABLE, self._retry_after_s) from error

    async def _on_pool(
        self, run: Callable[[Engine, Work[T]], T], engine: AsyncEngine, work: Work[T]
    ) -> T:
        """`run(engine, work)` in one greenlet, within the deadline (PostgreSQL).

        The deadline bounds the whole call: the wait for a pooled connection, connecting,
        every statement and the commit, even when the server does not answer at all, which
        the server's own statement_timeout cannot. When it fires, the task is cancelled
        where it waits; SQLAlchemy invalidates a connection interrupted so (never returned
        to the pool mid-statement), and engine.py drops its socket at once.
        """
        async with asyncio.timeout(self._deadline_s):
            return await greenlet_spawn(run, engine.sync_engine, work)

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
            except Exception as error:
                # Read-only there is `query_only` refusing a write sent to `read`: a bug, a 500.
                if not outage.read_only(error):
                    self._unavailable_if_outage(error)
                raise
        try:
            return await self._on_pool(_on_connection, self.autocommit, work)
        except Exception as error:
            self._unavailable_if_outage(error)
            raise

    async def run(self, work: Work[T]) -> T:
        """`work` on a connection where every statement is its own transaction.

        For work whose statements stand alone: reads, or one atomic `UPDATE ... RETURNING`.
        It costs one round trip a statement, where a transaction adds BEGIN and COMMIT.
        On SQLite it is `run_in_transaction`: the writer thread runs every unit whole.
        """
        try:
            if self.sqlite_writer is not None:
                return await self.sqlite_writer.run(work)
            return await self._on_pool(_on_connection, self.autocommit, work)
        except Exception as error:
            self._unavailable_if_outage(error)
            raise

    async def run_in_transaction(self, work: Work[T], *, write: bool) -> T:
        """`work` in one transaction: committed when it returns, rolled back if it raises.

        `write=True` begins as a writer on SQLite (BEGIN IMMEDIATE, see engine.py). On
        SQLite every unit runs on the writer thread (sqlite_writer.py): one thread hand-off
        for the whole unit, where the async engine took one per statement.
        """
        try:
            if self.sqlite_writer is not None:
                return await self.sqlite_writer.run(work)
            return await self._on_pool(_in_transaction, self.writer if write else self.engine, work)
        except Exception as error:
            self._unavailable_if_outage(error)
            raise

    async def write(self, work: Work[T]) -> T:
        """`work` in one write transaction: committed when it returns, rolled back if it raises."""
        return await self.run_in_transaction(work, write=True)

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
        """Raise Unavailable (never the driver's error) unless the database can take writes.

        Readiness is probed often, so this stays one round trip and writes nothing. On
        SQLite, the writer thread tries a write it rolls back, and checks there is room to
        grow (`_sqlite_probe`). On PostgreSQL, a standby or a read-only primary is not ready.
        """
        full = read_only = False
        try:
            async with asyncio.timeout(self._readiness_timeout_s):
                if self.sqlite_writer is not None:
                    try:
                        await self.sqlite_writer.run(_sqlite_probe)
                    except _Probed as probed:
                        full = probed.full
                else:
                    read_only = await greenlet_spawn(
                        _on_connection, self.autocommit.sync_engine, _pg_read_only
                    )
        except Exception as exc:  # any driver, network or timeout error means "not ready"
            self._not_ready(exc)
        if read_only:
            log.warning("the database is not ready: read-only or in recovery")
            raise Unavailable("The database is read-only.", self._retry_after_s)
        if full:
            log.warning("the database is not ready: full")
            raise Unavailable("The database is full.", self._retry_after_s)

    def _not_ready(self, error: Exception) -> NoReturn:
        reason = outage.cause(error) or type(error).__name__
        log.warning("the database is not ready: %s", reason)
        detail = (
            "The database is read-only."
            if outage.read_only(error)
            else "The database did not answer."
        )
        raise Unavailable(detail, self._retry_after_s) from error

    async def dispose(self) -> None:
        await self.engine.dispose()
        await self.autocommit.dispose()
        if self.loop_reader is not None:
            self.loop_reader.engine.dispose()
        if self.sqlite_writer is not None:
            await self.sqlite_writer.close()
