"""SQLite reads off the event loop: whole units of work on reader threads, one hand-off each.

Where a read goes when it cannot run on the loop (loop_reader.py: it met a lock or outran its
budget), and every read with `APP_SQLITE_READS_ON_LOOP=false`. A reader thread waits for locks
(the busy timeout) and for the disk, never the loop. As many threads as pooled connections
(`APP_DB_POOL_SIZE`, 2 by default): no thread waits for a connection, and more threads would
only pass the GIL around more often.

Why a pool of threads and a synchronous engine rather than an async driver: aiosqlite hands
every call to its thread (four a statement through SQLAlchemy's adapter: cursor, execute,
fetch, close), and each hand-off costs more than the statement (issue 6); here a whole unit
of work costs one.
"""

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy import Connection, Engine, QueuePool

from app.db.sqlite.connections import configure, sync_engine
from app.settings import Settings

T = TypeVar("T")


class SQLiteReaders:
    def __init__(self, engine: Engine, *, threads: int) -> None:
        self._engine = engine
        self._threads = threads
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    async def read(self, work: Callable[[Connection], T]) -> T:
        """`work(connection)` on a reader thread, every statement its own transaction."""
        return await asyncio.get_running_loop().run_in_executor(self._start(), self._run, work)

    def _run(self, work: Callable[[Connection], T]) -> T:
        with self._engine.connect() as connection:
            return work(connection)

    def _start(self) -> ThreadPoolExecutor:
        # Made at the first read (and again after close): none is needed at import or start.
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self._threads, "sqlite-reader")
            return self._executor

    async def close(self) -> None:
        """Let the reads under way finish, then close the connections."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.to_thread(executor.shutdown)
        self._engine.dispose()


def create_readers(settings: Settings) -> SQLiteReaders:
    engine = sync_engine(
        settings,
        QueuePool,
        {"timeout": settings.db_busy_timeout_ms / 1000},
        pool_size=settings.pool_size,
        max_overflow=0,
        isolation_level="AUTOCOMMIT",  # every read is its own statement: no BEGIN, no COMMIT
        pool_reset_on_return=None,  # ...and so nothing to roll back
    )
    configure(engine, settings)
    return SQLiteReaders(engine, threads=settings.pool_size)
