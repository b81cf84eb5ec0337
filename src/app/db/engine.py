"""Build the async engines for SQLite (aiosqlite) or PostgreSQL (asyncpg), safely configured.

Two engines share a URL: one for transactions, and one in autocommit mode for work that is a
single statement (a read, or one atomic `UPDATE ... RETURNING`), which then needs no
BEGIN/COMMIT round trips. Each has its own pool, so no connection ever switches modes.

SQLite needs care that PostgreSQL does not: pragmas on every connection, and writes that take
the write lock when they begin (BEGIN IMMEDIATE). A deferred read transaction that later
writes fails at once with "database is locked", ignoring busy_timeout.
"""

import math
import sqlite3
import time
from functools import partial
from typing import Any

from sqlalchemy import Engine, StaticPool, event
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from app.db import sqlite_driver
from app.db.loop_reader import LoopConnection, LoopReader
from app.db.sqlite_writer import SQLiteWriter
from app.settings import Settings

BEGIN_OPTION = "sqlite_begin"
# Every engine keeps SQL parameters (emails, password hashes, token hashes) out of its log
# lines and out of the text of its errors, which the 500 handler logs.
HIDE_PARAMETERS = {"hide_parameters": True}
WAL_RETRY_S = 0.01


def create_engine(settings: Settings, *, autocommit: bool = False) -> AsyncEngine:
    options: dict[str, Any] = {}
    if autocommit:
        # No transaction is ever open on these connections, so nothing to roll back on return.
        options = {"isolation_level": "AUTOCOMMIT", "pool_reset_on_return": None}
    if settings.is_sqlite:
        return _sqlite(settings, autocommit=autocommit, **options)
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
            # deadline's job (Database). Migrations lift it (migrate.py).
            "server_settings": {
                "statement_timeout": str(math.ceil(settings.db_statement_timeout_s * 1000))
            },
        },
        **HIDE_PARAMETERS,
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


def use_wal(connection: sqlite3.Connection, *, timeout_s: float) -> None:
    """Put the database file in WAL mode (it stays so), retrying while another holds it.

    SQLite does not call the busy handler for every lock this pragma takes: two processes
    starting on a new database at once collided here with "database is locked" at once
    (tests/integration/test_bootstrap.py, seen in CI). Runs on the connection's own thread,
    so the sleeps never block the event loop.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            connection.execute("PRAGMA journal_mode=WAL").close()
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() >= deadline:
                raise
            time.sleep(WAL_RETRY_S)


def _pragmas(busy_timeout_ms: int) -> tuple[str, ...]:
    """Every connection that may write: durable commits (WAL + FULL fsyncs every commit, so
    no acknowledged write is lost to a power cut), enforced foreign keys, and a bounded wait
    for another process's lock."""
    return (
        "PRAGMA synchronous=FULL",
        "PRAGMA foreign_keys=ON",
        f"PRAGMA busy_timeout={busy_timeout_ms}",
    )


def for_writes(engine: AsyncEngine) -> AsyncEngine:
    """The same engine (and pool) whose transactions begin as writers on SQLite."""
    return engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})


def _sqlite(settings: Settings, *, autocommit: bool, **options: Any) -> AsyncEngine:
    url = make_url(settings.database_url)
    if url.drivername == "sqlite+aiosqlite":
        # Same database, same aiosqlite; one thread hand-off per statement (sqlite_driver.py).
        url = url.set(drivername=sqlite_driver.register())
    engine = create_async_engine(
        url,
        pool_size=settings.pool_size,
        max_overflow=0,
        connect_args={"timeout": settings.db_busy_timeout_ms / 1000},
        **HIDE_PARAMETERS,
        **options,
    )
    busy_timeout = int(settings.db_busy_timeout_ms)

    @event.listens_for(engine.sync_engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN, not the sqlite3 module's own logic.
        dbapi_connection.isolation_level = None
        sqlite_driver.run_on_thread(
            dbapi_connection, partial(use_wal, timeout_s=busy_timeout / 1000)
        )
        cursor = dbapi_connection.cursor()
        for pragma in _pragmas(busy_timeout):
            cursor.execute(pragma)
        cursor.close()

    if not autocommit:

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(connection: Connection) -> None:
            mode = connection.get_execution_options().get(BEGIN_OPTION, "DEFERRED")
            connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _one_sync_connection(
    settings: Settings, connect_args: dict[str, Any], **options: Any
) -> Engine:
    """A synchronous (sqlite3) engine over the same file that keeps exactly one connection,
    used by one thread; it may be closed from another, by whoever disposes of the engine."""
    return create_sync_engine(
        make_url(settings.database_url).set(drivername="sqlite+pysqlite"),
        poolclass=StaticPool,
        connect_args={**connect_args, "check_same_thread": False},
        **HIDE_PARAMETERS,
        **options,
    )


def create_loop_reader(settings: Settings) -> LoopReader | None:
    """SQLite only: the connection reads run on, on the event loop itself (loop_reader.py).

    One connection: the loop is one thread, and a read never yields, so it is never shared.
    None when reads stay off the loop: PostgreSQL, or `APP_SQLITE_READS_ON_LOOP=false`.
    """
    if not (settings.is_sqlite and settings.sqlite_reads_on_loop):
        return None
    engine = _one_sync_connection(
        settings,
        # Opened from whichever thread first reads; only ever used by the loop's thread.
        {"timeout": 0, "factory": LoopConnection},
        isolation_level="AUTOCOMMIT",  # every read is its own statement: no BEGIN, no COMMIT
        pool_reset_on_return=None,  # ...and so nothing to roll back
    )
    return LoopReader(engine, budget_s=settings.sqlite_loop_read_budget_ms / 1000)


def create_sqlite_writer(settings: Settings) -> SQLiteWriter | None:
    """SQLite only: the process's one write connection, on its own thread (sqlite_writer.py).

    A synchronous engine: the whole unit of work runs on the writer thread, one hand-off
    each, where the async engine took one per statement (BEGIN, each statement, COMMIT).
    Transactions begin IMMEDIATE, as `for_writes` makes them on the async engine.
    """
    if not settings.is_sqlite:
        return None
    busy_timeout = int(settings.db_busy_timeout_ms)
    # Opened on the writer thread, and only ever used there.
    engine = _one_sync_connection(settings, {"timeout": busy_timeout / 1000})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # BEGIN comes from the event below
        use_wal(dbapi_connection, timeout_s=busy_timeout / 1000)  # on the writer thread
        for pragma in _pragmas(busy_timeout):
            dbapi_connection.execute(pragma).close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return SQLiteWriter(engine)
