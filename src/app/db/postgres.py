"""`Database`'s doors on PostgreSQL: units of work on asyncpg's pool, each in one greenlet.

Two async engines share the URL: one for transactions (write, maintain), and one in
autocommit mode for reads, which then need no BEGIN/COMMIT round trips. Each has its own
pool, so no connection ever switches modes.

A unit of work runs inside one greenlet on the async engine, which is what
`AsyncConnection.run_sync` does: asyncpg's I/O is awaited on the event loop, but the checkout,
every statement and the return to the pool cost one greenlet switch in all (through
`AsyncConnection`, each was a greenlet of its own: ~100 us of CPU a request, issue 6).
`greenlet_spawn` is the function `run_sync` itself calls (sqlalchemy.util.concurrency: no
leading underscore, there since SQLAlchemy 1.4, though not in the documented API; it is the
one such name the service uses). `AsyncConnection.run_sync` alone would need an
`AsyncConnection`, whose checkout and close are greenlets of their own: measured on one
`SELECT 1` through the autocommit pool, ~205 us of CPU and ~730 us a read against ~130 us and
~335 us here.
"""

import asyncio
import math
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.util.concurrency import greenlet_spawn

from app.db import prepared
from app.db.metered import metered
from app.metrics.registry import PoolMeter
from app.settings import Settings

T = TypeVar("T")
Work = Callable[[Connection], T]
# The deadline of a call is the statement timeout plus this: a statement the server cancels
# (57014) fails first, cleanly, and keeps its connection.
DEADLINE_GRACE_S = 0.5


def create_engine(settings: Settings, *, autocommit: bool = False) -> AsyncEngine:
    options: dict[str, Any] = {}
    if autocommit:
        # No transaction is ever open on these connections, so nothing to roll back on return,
        # and prepared statements may skip SQLAlchemy's adapter (app/db/prepared.py).
        options = {
            "isolation_level": "AUTOCOMMIT",
            "pool_reset_on_return": None,
            "execution_options": {prepared.STANDALONE: True},
        }
    engine = create_async_engine(
        settings.database_url,
        pool_size=settings.pool_size,
        # No overflow: under sustained load, overflow connections are opened and closed again
        # on every check-in, and a new PostgreSQL connection costs a backend process (p99 of
        # ~900 ms measured with 50 clients). Requests wait for a pooled connection instead,
        # for pool_timeout at most (then a 503).
        max_overflow=0,
        pool_timeout=settings.db_pool_timeout_s,
        pool_pre_ping=False,  # a dead connection fails the request once; pinging costs every one
        connect_args={
            "timeout": settings.db_connect_timeout_s,
            # The server cancels a statement that runs too long (SQLSTATE 57014); the
            # connection stays usable. A server that does not answer at all is the client's
            # deadline's job (`_on_pool`). `maintain` lifts it for migrations.
            "server_settings": {
                "statement_timeout": str(math.ceil(settings.db_statement_timeout_s * 1000))
            },
        },
        # SQL parameters (emails, password hashes, token hashes) stay out of log lines and
        # out of the text of errors, which the 500 handler logs.
        hide_parameters=True,
        **options,
    )
    event.listen(engine.sync_engine.pool, "invalidate", _terminate_at_once)
    return engine


def _terminate_at_once(_dbapi_connection: Any, record: Any, _error: Any) -> None:
    """Drop an invalidated asyncpg connection's socket now, before SQLAlchemy closes it.

    SQLAlchemy closes an invalidated asyncpg connection gracefully, `close(timeout=2)`: that
    waits for the server to acknowledge the cancel of the statement that timed out, and a
    frozen server never does (asyncpg issues #1356, #1326: unbounded in asyncpg 0.31). Every
    request whose database call ran out of time would wait that much longer.
    `terminate()` closes the socket without a word and ends the pending cancel; the
    graceful close then finds the connection closed and returns at once.
    """
    connection = record.driver_connection
    if connection is not None:
        connection.terminate()


class Gate:
    """First come, first served admission to one pool: at most `size` units of work hold or
    take its connections at once, and the rest wait here, in order of arrival.

    SQLAlchemy's async pool waits in an `asyncio.Queue`, which is not fair: a connection
    given back wakes the longest waiter, but a request that arrives before that waiter runs
    takes the connection first, and the waiter queues again at the back. Under 50 clients on
    10 connections a few requests lost that race again and again: POST's p99 was 104 ms
    against a median of 33 ms, 39 ms with the gate (README "Performance"). `asyncio.Semaphore`
    hands a released slot to its first waiter. With the gate in front, a checkout never
    waits in the pool's queue.
    """

    def __init__(self, size: int, timeout_s: float) -> None:
        self._size = size
        self._timeout_s = timeout_s
        self._semaphore: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def __aenter__(self) -> None:
        loop = asyncio.get_running_loop()
        if self._semaphore is None or self._loop is not loop:
            # asyncio's primitives belong to one loop; a test may run an app on another.
            self._semaphore, self._loop = asyncio.Semaphore(self._size), loop
        semaphore = self._semaphore
        if not semaphore.locked():  # a free slot: taken at once, no timer to set
            await semaphore.acquire()
            return
        try:
            async with asyncio.timeout(self._timeout_s):
                await semaphore.acquire()
        except TimeoutError as error:  # the pool's own way of saying so: a 503 (outage.py)
            raise sa_exc.TimeoutError("no pooled connection came free in time") from error

    async def __aexit__(self, *_exc: object) -> None:
        assert self._semaphore is not None  # entered first
        self._semaphore.release()


class Kept:
    """The autocommit pool's connections, kept checked out between units of work.

    Checking a connection out of SQLAlchemy's pool and in again cost ~15 us of CPU a unit
    (`Connection`, the pool's record, its queue, a weak reference; the SQLite read connection
    is kept for the same reason). Nothing needs resetting between units: these connections
    never hold a transaction. A unit takes one from the shelf, or connects when the shelf is
    empty (the gate in front admits at most the pool's size, so the pool always has one), and
    puts it back unless it was invalidated (a lost connection, an interrupted statement),
    which goes back to the pool to be replaced. Runs in the units' greenlets, on the loop's
    thread: nothing here awaits between taking and putting back.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._shelf: list[Connection] = []

    def run(self, work: Work[T]) -> T:
        connection = self._shelf.pop() if self._shelf else self._engine.connect()
        try:
            return work(connection)
        finally:
            self._put_back(connection)

    def run_alone(self, work: Work[T]) -> T:
        """`run` for a unit of one statement (`prepared.single`)."""
        return self.run(lambda connection: _alone(connection, work))

    def _put_back(self, connection: Connection) -> None:
        if connection.invalidated or connection.closed:
            connection.close()  # its pool replaces what was invalidated
            return
        if connection.in_transaction():  # SQLAlchemy's own begin: nothing on the server
            connection.rollback()
        self._shelf.append(connection)

    def close(self) -> None:
        while self._shelf:
            self._shelf.pop().close()


def _alone(connection: Connection, work: Work[T]) -> T:
    with prepared.single(connection):
        return work(connection)


def _without_statement_timeout(engine: Engine, work: Work[T]) -> T:
    with engine.begin() as connection:
        # Maintenance (a migration) may rightly run long, and so may its wait for another
        # worker's lock: the requests' statement timeout does not apply to it.
        connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
        return work(connection)


def _read_only(connection: Connection) -> bool:
    """A standby, or a primary that refuses writes (default_transaction_read_only)."""
    query = "SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on'"
    return bool(connection.exec_driver_sql(query).scalar())


class PostgresBackend:
    def __init__(
        self,
        settings: Settings,
        *,
        read_meter: PoolMeter | None = None,
        write_meter: PoolMeter | None = None,
    ) -> None:
        """`read_meter` counts the autocommit pool's units of work, `write_meter` the other's."""
        self._transactions = create_engine(settings)
        self._autocommit = create_engine(settings, autocommit=True)
        self._kept = Kept(self._autocommit.sync_engine)
        self._transactions_gate = Gate(settings.pool_size, settings.db_pool_timeout_s)
        self._autocommit_gate = Gate(settings.pool_size, settings.db_pool_timeout_s)
        self._deadline_s = settings.db_statement_timeout_s + DEADLINE_GRACE_S
        self._read_meter = read_meter
        self._write_meter = write_meter

    async def _on_pool(self, gate: Gate, run: Callable[[Work[T]], T], work: Work[T]) -> T:
        """`run(work)` in one greenlet, within the deadline.

        The deadline bounds the whole call: the wait for a pooled connection, connecting,
        every statement and the commit, even when the server does not answer at all, which
        the server's own statement_timeout cannot. When it fires, the task is cancelled
        where it waits; SQLAlchemy invalidates a connection interrupted so (never returned
        to the pool mid-statement), and `_terminate_at_once` drops its socket at once.
        """
        async with asyncio.timeout(self._deadline_s), gate:
            return await greenlet_spawn(run, work)

    async def read(self, work: Work[T]) -> T:
        metered_work = metered(work, self._read_meter)
        return await self._on_pool(self._autocommit_gate, self._kept.run, metered_work)

    async def write(self, work: Work[T]) -> T:
        metered_work = metered(work, self._write_meter)
        return await self._on_pool(self._transactions_gate, self._in_transaction, metered_work)

    def _in_transaction(self, work: Work[T]) -> T:
        with self._transactions.sync_engine.begin() as connection:
            return work(connection)

    async def write_single(self, work: Work[T]) -> T:
        """On the autocommit pool, where the statement commits alone: no BEGIN and COMMIT
        round trips (app/db/prepared.py refuses a second statement). Counted as its pool's."""
        metered_work = metered(work, self._read_meter)
        return await self._on_pool(self._autocommit_gate, self._kept.run_alone, metered_work)

    async def maintain(self, work: Work[T]) -> T:
        # No deadline: the only bound is the server's, lifted too.
        sync_engine = self._transactions.sync_engine
        metered_work = metered(work, self._write_meter)
        return await greenlet_spawn(_without_statement_timeout, sync_engine, metered_work)

    async def refusal(self) -> str | None:
        # Through the gate, as a read: the connections are on `Kept`'s shelf, not in the pool.
        probe = metered(_read_only, self._read_meter)
        read_only = await self._on_pool(self._autocommit_gate, self._kept.run, probe)
        return "read-only" if read_only else None

    async def dispose(self) -> None:
        await greenlet_spawn(self._kept.close)
        await self._transactions.dispose()
        await self._autocommit.dispose()
