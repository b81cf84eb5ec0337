"""SQLite reads on the event loop itself, each with a time budget, and their way off it.

A read by key, or a first page through an index, is some microseconds of B-tree walking in
pages the OS has in memory: a hand-off to a thread and back costs ten to twenty times that
(issue 6, README "Performance"). So `Database.read` runs it here, on the loop, on one
connection that cannot write (`query_only`) and cannot wait (`busy_timeout=0`). A write sent
to `read` by mistake fails loudly (`WriteInARead`, a 500) instead of blocking the loop on fsync.

What must never happen is the loop held by a read that does not stay small: a title search
that scans the table, a page 10,000 deep. SQLite calls a progress handler every
`PROGRESS_EVERY` virtual-machine steps (~10 us); once a read has used its budget of the loop
thread's CPU time, the handler interrupts it. CPU time, not the clock: sqlite3 lets go of the
GIL while it steps, and time spent waiting to get it back from the writer thread is no sign
of a heavy read (with the clock, reads under a stream of writes were interrupted for nothing,
and POST lost a third of its throughput).

A read that is interrupted, or meets a lock, raises `MovedOffTheLoop`, and `Database.read`
runs it again on a reader thread (readers.py), where time and waiting cost nobody else. A
statement once interrupted goes straight to a thread for the next `HEAVY_FOR_S` seconds, so a
big table's count or a title search pays its budget once, not on every request; after that it
is tried on the loop again, in case the table shrank.
"""

import math
import sqlite3
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, StaticPool, event
from sqlalchemy.exc import OperationalError

from app.db.outage import WriteInARead
from app.db.sqlite.connections import sync_engine
from app.settings import Settings

T = TypeVar("T")
PROGRESS_EVERY = 1000  # SQLite VM steps between two looks at the CPU clock: ~10 us here
HEAVY_FOR_S = 10.0
# What a read on the loop may answer that means "run me elsewhere", not "I am wrong".
OFF_THE_LOOP = frozenset([sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_INTERRUPT])


class MovedOffTheLoop(Exception):
    """The read met a lock or outran its budget; nothing was changed, so it can run again."""


class _KnownHeavy(sqlite3.OperationalError):
    """Raised instead of running a statement that outran its budget lately."""


class _Cursor(sqlite3.Cursor):
    connection: "LoopConnection"

    def execute(self, sql: str, parameters: Any = (), /) -> "_Cursor":
        # Here rather than in a SQLAlchemy event: any engine event listener puts every
        # statement on SQLAlchemy's slower path (~15 us a read, measured).
        heavy = self.connection.heavy
        if sql in heavy:
            if time.monotonic() < heavy[sql]:
                raise _KnownHeavy("outran its budget lately")
            del heavy[sql]
        return super().execute(sql, parameters)


class LoopConnection(sqlite3.Connection):
    """The loop's sqlite3 connection (`sqlite3.connect(..., factory=LoopConnection)`): its
    cursors refuse the statements known to be heavy."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # SQL text -> time.monotonic() until which it runs off the loop (a few dozen at most:
        # repositories build their statements once). LoopReader puts its own here.
        self.heavy: dict[str, float] = {}

    def cursor(self, factory: Any = _Cursor) -> Any:
        return super().cursor(factory)


class LoopReader:
    def __init__(self, engine: Engine, *, budget_s: float) -> None:
        self._engine = engine
        self._budget_s = budget_s
        self._deadline = math.inf
        self._heavy: dict[str, float] = {}
        # Kept open between reads, and never given back: checking the connection out of its
        # pool and in again cost ~23 us a read, and even ending SQLAlchemy's transaction ~7 us
        # (timeit, one read by key, on a slow 2-core machine). In autocommit SQLite has no
        # transaction to end: every statement stands alone and sees every commit before it;
        # the one SQLAlchemy began on the first read only stays open in Python.
        # Used by the loop's thread only.
        self._connection: Connection | None = None
        event.listen(engine, "connect", self._configure)

    def _configure(self, dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.heavy = self._heavy
        dbapi_connection.isolation_level = None  # autocommit: no BEGIN, nothing to roll back
        for pragma in ("PRAGMA query_only=ON", "PRAGMA busy_timeout=0"):
            dbapi_connection.execute(pragma).close()
        dbapi_connection.set_progress_handler(self._over_budget, PROGRESS_EVERY)

    def _over_budget(self) -> bool:
        return time.thread_time() > self._deadline  # true interrupts the statement

    def _connected(self) -> Connection:
        connection = self._connection
        if connection is None or connection.closed or connection.invalidated:
            if connection is not None:
                connection.close()
            connection = self._connection = self._engine.connect()
        return connection

    def read(self, work: Callable[[Connection], T]) -> T:
        """`work(connection)` here and now; MovedOffTheLoop if it must run elsewhere."""
        self._deadline = time.thread_time() + self._budget_s
        connection = self._connected()
        try:
            return work(connection)
        except OperationalError as error:
            if isinstance(error.orig, _KnownHeavy):
                raise MovedOffTheLoop(str(error.orig)) from error
            code = getattr(error.orig, "sqlite_errorcode", None)
            if code == sqlite3.SQLITE_INTERRUPT and error.statement:
                self._heavy[error.statement] = time.monotonic() + HEAVY_FOR_S
            if code in OFF_THE_LOOP:
                raise MovedOffTheLoop(str(error.orig)) from error
            if isinstance(code, int) and code & 0xFF == sqlite3.SQLITE_READONLY:
                # query_only refused a write: the work is wrong, whatever the file allows.
                raise WriteInARead.of(error) from error
            raise
        finally:
            self._deadline = math.inf

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self._engine.dispose()


def create_loop_reader(settings: Settings) -> LoopReader | None:
    """The connection reads run on, on the event loop itself; None where reads stay off it.

    One connection: the loop is one thread, and a read never yields, so it is never shared.
    None on PostgreSQL, or with `APP_SQLITE_READS_ON_LOOP=false`.
    """
    if not (settings.is_sqlite and settings.sqlite_reads_on_loop):
        return None
    engine = sync_engine(
        settings,
        StaticPool,  # exactly one connection
        # Opened from whichever thread first reads; only ever used by the loop's thread.
        {"timeout": 0, "factory": LoopConnection},
        isolation_level="AUTOCOMMIT",  # every read is its own statement: no BEGIN, no COMMIT
        pool_reset_on_return=None,  # ...and so nothing to roll back
    )
    return LoopReader(engine, budget_s=settings.sqlite_loop_read_budget_ms / 1000)
