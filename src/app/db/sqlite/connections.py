"""Synchronous SQLite (sqlite3) engines, each connection configured as the service needs it.

SQLite runs in the process: a statement is microseconds of CPU, and what a request pays for is
handing it to another thread and back. So the service never gives SQLite an async driver: it
runs whole units of work on synchronous SQLAlchemy connections, on the event loop
(loop_reader.py), on the writer thread (writer.py) or on a reader thread (readers.py), one
hand-off a unit at most.

Every connection that may write runs with WAL (readers never wait for the writer),
`synchronous=FULL` (no acknowledged write is lost to a power cut), enforced foreign keys and
a bounded wait for another process's lock.
"""

import sqlite3
import time
from typing import Any

from sqlalchemy import Engine, Pool, create_engine, event
from sqlalchemy.engine import make_url

from app.settings import Settings

WAL_RETRY_S = 0.01


def use_wal(connection: sqlite3.Connection, *, timeout_s: float) -> None:
    """Put the database file in WAL mode (it stays so), retrying while another holds it.

    SQLite does not call the busy handler for every lock this pragma takes: two processes
    starting on a new database at once collided here with "database is locked" at once
    (tests/integration/test_bootstrap.py, seen in CI). Runs on the connection's own thread
    (the writer's or a reader's), so the sleeps never block the event loop.
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


def pragmas(busy_timeout_ms: int) -> tuple[str, ...]:
    return (
        "PRAGMA synchronous=FULL",
        "PRAGMA foreign_keys=ON",
        f"PRAGMA busy_timeout={busy_timeout_ms}",
    )


def sync_engine(
    settings: Settings, poolclass: type[Pool], connect_args: dict[str, Any], **options: Any
) -> Engine:
    """An engine on the settings' SQLite file through the standard library's sqlite3.

    `check_same_thread=False`: a pooled connection is used by one thread at a time, but not
    always the one that opened it, and the engine may be disposed of from another.
    """
    return create_engine(
        make_url(settings.database_url).set(drivername="sqlite+pysqlite"),
        poolclass=poolclass,
        connect_args={**connect_args, "check_same_thread": False},
        # SQL parameters (emails, password hashes, token hashes) stay out of log lines and
        # out of the text of errors, which the 500 handler logs.
        hide_parameters=True,
        **options,
    )


def configure(engine: Engine, settings: Settings) -> None:
    """WAL and the pragmas on every new connection of `engine`, which issues BEGIN itself."""
    busy_timeout = int(settings.db_busy_timeout_ms)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # BEGIN comes from SQLAlchemy (autocommit or an explicit BEGIN), not from the sqlite3
        # module's own guesswork before DML.
        dbapi_connection.isolation_level = None
        use_wal(dbapi_connection, timeout_s=busy_timeout / 1000)  # on the connecting thread
        for pragma in pragmas(busy_timeout):
            dbapi_connection.execute(pragma).close()
