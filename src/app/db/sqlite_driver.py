"""SQLAlchemy's aiosqlite dialect, with one thread hand-off per statement instead of four.

aiosqlite runs every sqlite3 call on a worker thread and wakes the event loop for each
result. SQLAlchemy's adapter makes four such calls per statement (open a cursor, execute,
fetch all rows, close the cursor), and each costs a thread hand-off and an event-loop wake-up:
far more than the ~6 µs the query itself takes. This cursor does all four in one function
on aiosqlite's thread, so a statement costs one hand-off. The event loop is never blocked,
and everything above the DBAPI (SQL compilation, pooling, results) is SQLAlchemy's own.

Why not a library: no maintained one does this (measured: ARCHITECTURE.md, issue 6). It leans
on two private names, `aiosqlite.Connection._execute` and `._conn` (SQLAlchemy's own adapter
uses aiosqlite's private queue too), so pyproject pins aiosqlite and SQLAlchemy to the minor
versions tested, and tests/integration/test_engine.py exercises it on every run.
"""

import collections
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    SQLiteDialect_aiosqlite,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

DRIVER = "aiosqlite_onehop"
T = TypeVar("T")

_Outcome = tuple[Any, int, int | None, list[Any]]


def _run(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> _Outcome:
    """Everything a statement needs, on aiosqlite's thread: execute, fetch, close."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        else:
            cursor.execute(operation, () if parameters is None else parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ("_description", "_lastrowid", "_rowcount")

    _awaitable_cursor_close = False

    def __init__(self, adapt_connection: Any) -> None:  # no cursor is opened up front
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._soft_closed_memoized = EMPTY_DICT
        self._rows: collections.deque[Any] = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> Any:
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        pass

    def _run(self, operation: Any, parameters: Any, many: bool) -> None:
        try:
            outcome: _Outcome = await_(
                self._connection._execute(_run, self._connection._conn, operation, parameters, many)
            )
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self._description, self._rowcount, self._lastrowid, rows = outcome
        self._rows = collections.deque(rows)

    def execute(self, operation: Any, parameters: Any = None) -> None:
        self._run(operation, parameters, many=False)

    def executemany(self, operation: Any, seq_of_parameters: Sequence[Any]) -> None:
        self._run(operation, seq_of_parameters, many=True)

    async def _async_soft_close(self) -> None:
        return  # the sqlite3 cursor is already closed

    def close(self) -> None:
        self._rows.clear()


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneHopCursor

    def _idle(self) -> bool:
        """No BEGIN is open: there is nothing to commit or roll back.

        SQLAlchemy ends every checkout with a rollback (and an autocommit "transaction" with
        one too); on an idle connection that would be a thread hand-off for nothing.
        `in_transaction` is a plain read of SQLite's autocommit flag.
        """
        connection = self._connection._connection
        return connection is None or not connection.in_transaction

    def rollback(self) -> None:
        if not self._idle():
            super().rollback()

    def commit(self) -> None:
        if not self._idle():
            super().commit()


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        adapted = super().connect(*arg, **kw)
        return OneHopConnection(self, adapted._connection)


class OneHopDialect(SQLiteDialect_aiosqlite):
    supports_statement_cache = True
    supports_server_side_cursors = False

    @classmethod
    def import_dbapi(cls) -> OneHopDBAPI:
        return OneHopDBAPI(__import__("aiosqlite"), __import__("sqlite3"))


def run_on_thread(dbapi_connection: Any, function: Callable[[sqlite3.Connection], T]) -> T:
    """`function(sqlite3_connection)` on the connection's aiosqlite thread, from SQLAlchemy's
    greenlet (a "connect" event, say): for work that must wait without blocking the loop."""
    aiosqlite_connection = dbapi_connection._connection
    try:
        result: T = await_(aiosqlite_connection._execute(function, aiosqlite_connection._conn))
    except Exception as error:
        dbapi_connection._handle_exception(error)  # the DBAPI's error classes, as a cursor's
        raise  # not reached: _handle_exception always raises
    return result


def register() -> str:
    """Make `sqlite+aiosqlite_onehop://` known to SQLAlchemy (idempotent); return the name."""
    registry.register(f"sqlite.{DRIVER}", __name__, "OneHopDialect")
    return f"sqlite+{DRIVER}"
