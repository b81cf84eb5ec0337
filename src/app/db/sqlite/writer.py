"""SQLite writes: every unit of work on one thread, in arrival order, committed in groups.

SQLite has one writer per database, so a process gains nothing from writing on several
connections: they only queue on the lock, in SQLite's busy handler, which sleeps. Here one
thread owns the process's write connection and takes units of work from a queue. Whatever
has queued while it wrote runs as one transaction (group commit): a SAVEPOINT per unit, so
a unit that raises undoes only its own changes and gets its own error, and one COMMIT, one
fsync, one wake-up of the event loop for them all. A unit's caller hears of success only
after that COMMIT: if it fails, every unit of the group gets the error, and none was
acknowledged. Waiting for another process's lock (busy_timeout) and for the disk happens on
this thread, never on the event loop.

Why not a library: none runs SQLAlchemy units of work this way (aiosqlite is a thread per
connection and a hand-off per statement, the cost issue 6 measured). The thread, the queue
and the futures are the standard library's; the SQL and transactions SQLAlchemy's.

Migrations and the readiness probe run here too (`Database.maintain`, `Database.ping`): they
write, or must prove that a write would succeed.
"""

import asyncio
import contextlib
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Callable
from queue import Empty, SimpleQueue
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Engine, StaticPool, event

from app.db.sqlite.connections import configure, sync_engine
from app.settings import Settings

T = TypeVar("T")
# A group is cut at this many units, so one COMMIT never waits behind an unbounded queue.
MAX_GROUP = 64


class _Job(Generic[T]):
    __slots__ = ("future", "loop", "work")

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        future: "asyncio.Future[T]",
        work: Callable[[Connection], T],
    ) -> None:
        self.loop = loop
        self.future = future
        self.work = work


_STOP: Any = object()
# What the connection learnt when it opened the file, and keeps: SQLite opens a file it may
# not write read-only, for good (SQLITE_READONLY, even once the file is writable again), and a
# file moved or deleted under it stays so (SQLITE_READONLY_DBMOVED, SQLITE_CANTOPEN).
_REOPEN = frozenset([sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN])


def _opened_stale(error: BaseException) -> bool:
    orig = getattr(error, "orig", error)
    code = getattr(orig, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF in _REOPEN


def _locked_out(error: BaseException) -> bool:
    """SQLITE_BUSY: the busy timeout ran out while another connection held the lock."""
    orig = getattr(error, "orig", error)
    code = getattr(orig, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF == sqlite3.SQLITE_BUSY


def _settle(outcomes: list[tuple["asyncio.Future[Any]", bool, Any]]) -> None:
    """On the loop: hand each caller its result or error (a caller that left is skipped)."""
    for future, ok, value in outcomes:
        if future.done():
            continue
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)


class SQLiteWriter:
    """Runs units of work on the write connection of `engine` (whose BEGIN is IMMEDIATE)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._queue: SimpleQueue[_Job[Any]] = SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    async def run(self, work: Callable[[Connection], T]) -> T:
        """`work(connection)` in a transaction on the writer thread; its result once committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._start()
        self._queue.put(_Job(loop, future, work))
        return await future

    def _start(self) -> None:
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    # A daemon: an app dropped without its shutdown must not hang the process.
                    self._thread = threading.Thread(
                        target=self._serve, name="sqlite-writer", daemon=True
                    )
                    self._thread.start()

    async def close(self) -> None:
        """Finish what is queued, stop the thread, and close the connection."""
        thread = self._thread
        if thread is not None:
            self._queue.put(_STOP)
            await asyncio.to_thread(thread.join)
            self._thread = None
        self.engine.dispose()

    def _serve(self) -> None:
        while True:
            group = [self._queue.get()]
            while len(group) < MAX_GROUP and group[-1] is not _STOP:
                try:
                    group.append(self._queue.get_nowait())
                except Empty:
                    break
            stop = group[-1] is _STOP
            jobs = group[:-1] if stop else group
            if jobs:
                self._write(jobs)
            if stop:
                return

    def _write(self, jobs: list[_Job[Any]]) -> None:
        outcomes: list[tuple[bool, Any]] = []
        try:
            with self.engine.begin() as connection:
                if len(jobs) == 1:  # alone: the transaction is the unit's own
                    outcomes.append(self._alone(connection, jobs[0]))
                else:
                    outcomes.extend(self._in_savepoint(connection, job) for job in jobs)
        except Exception as error:  # BEGIN or COMMIT failed: nothing of the group was written
            if _locked_out(error):
                # Another process held the lock for the whole busy timeout. Whatever queued
                # meanwhile hears so now, rather than waiting a busy timeout of its own, group
                # after group (64 writes a timeout: a queue of 200 would wait four of them).
                jobs = [*jobs, *self._queued()]
            outcomes = [(False, error)] * len(jobs)
        if any(not ok and _opened_stale(value) for ok, value in outcomes):
            # The next unit opens the file anew, and writes once the operator has fixed it.
            self.engine.dispose()
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], bool, Any]]]
        by_loop = defaultdict(list)
        for job, (ok, value) in zip(jobs, outcomes, strict=True):
            by_loop[job.loop].append((job.future, ok, value))
        for loop, settled in by_loop.items():
            with contextlib.suppress(RuntimeError):  # that loop has closed: nobody waits
                loop.call_soon_threadsafe(_settle, settled)

    def _queued(self) -> list[_Job[Any]]:
        """Take every job queued now (a stop stays queued, last)."""
        taken: list[_Job[Any]] = []
        stop = False
        while True:
            try:
                job = self._queue.get_nowait()
            except Empty:
                break
            if job is _STOP:
                stop = True
            else:
                taken.append(job)
        if stop:
            self._queue.put(_STOP)
        return taken

    @staticmethod
    def _alone(connection: Connection, job: _Job[Any]) -> tuple[bool, Any]:
        # An error propagates: the transaction rolls back, and _write reports it.
        return True, job.work(connection)

    @staticmethod
    def _in_savepoint(connection: Connection, job: _Job[Any]) -> tuple[bool, Any]:
        savepoint = connection.begin_nested()
        try:
            result = job.work(connection)
        except Exception as error:
            savepoint.rollback()
            return False, error
        savepoint.commit()
        return True, result


def create_writer(settings: Settings) -> SQLiteWriter:
    """The process's one write connection, opened on the writer thread and only used there.

    Its transactions begin IMMEDIATE: they take the write lock at once, waiting for another
    process's for the busy timeout at most. A deferred transaction that reads, then writes,
    fails at once with "database is locked" when another wrote meanwhile, whatever the busy
    timeout (tests/integration/test_engine.py).
    """
    engine = sync_engine(settings, StaticPool, {"timeout": settings.db_busy_timeout_ms / 1000})
    configure(engine, settings)

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return SQLiteWriter(engine)
