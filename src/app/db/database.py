"""The service's handle on the database: two doors for units of work, and a readiness ping.

A unit of work is a plain function of a SQLAlchemy `Connection` (the repositories are plain,
synchronous classes). A service picks the door by intent:

- `read(work)`: work that only reads, every statement standing alone (no transaction).
- `write(work)`: one transaction, committed when `work` returns, rolled back if it raises.
- `write_single(work)`: work that writes with one statement, atomic by itself (an INSERT of
  one row). On PostgreSQL it runs without a transaction around it: one round trip, not three
  (BEGIN, the statement, COMMIT). A second statement is refused before it runs.

`maintain(work)` is `write` for maintenance (migrations): no request deadline applies to it.
Where each runs depends on the database (postgres.py, sqlite/backend.py); what is the same
everywhere lives here: an outage becomes `Unavailable` (a 503), in this one place.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import NoReturn, Protocol, TypeVar

from sqlalchemy import Connection

from app import request_context
from app.db import outage
from app.db.postgres import PostgresBackend
from app.db.sqlite.backend import SQLiteBackend
from app.errors import Unavailable
from app.metrics.registry import Metrics
from app.settings import Settings

log = logging.getLogger("app.db")
T = TypeVar("T")
Work = Callable[[Connection], T]
UNAVAILABLE = "The database cannot serve this request now."


class Backend(Protocol):
    """How one database runs the doors (postgres.py, sqlite/backend.py)."""

    async def read(self, work: Work[T]) -> T: ...
    async def write(self, work: Work[T]) -> T: ...
    async def write_single(self, work: Work[T]) -> T: ...
    async def maintain(self, work: Work[T]) -> T: ...

    async def refusal(self) -> str | None:
        """Why the database cannot take writes now ("read-only", "full"), or None."""
        ...

    async def dispose(self) -> None: ...


class Database:
    def __init__(
        self, backend: Backend, *, readiness_timeout_s: float = 2.0, retry_after_s: int = 5
    ) -> None:
        self._backend = backend
        self._readiness_timeout_s = readiness_timeout_s
        self._retry_after_s = retry_after_s

    @classmethod
    def from_settings(cls, settings: Settings, metrics: Metrics | None = None) -> "Database":
        """The database of `settings`; `metrics` counts its connections in use and the waits."""
        read, write = (
            (None, None) if metrics is None else (metrics.pool("read"), metrics.pool("write"))
        )
        backend: Backend = (
            SQLiteBackend(settings, read_meter=read, write_meter=write)
            if settings.is_sqlite
            else PostgresBackend(settings, read_meter=read, write_meter=write)
        )
        return cls(
            backend,
            readiness_timeout_s=settings.readiness_timeout_s,
            retry_after_s=settings.db_retry_after_s,
        )

    async def _unless_outage(self, call: Awaitable[T]) -> T:
        """`call`'s result, or Unavailable (a 503 with Retry-After) if it failed of an outage.

        The one place where driver, pool, timeout and OS errors become a 503 (outage.py says
        which). Logged once, at warning level, by class and error code: never the message,
        which may carry the statement's parameters. The time it takes goes to the request's
        `Server-Timing` (app/request_context.py).
        """
        started = time.perf_counter()
        try:
            return await call
        except Exception as error:
            reason = outage.cause(error)
            if reason is not None:
                log.warning("the database cannot serve: %s", reason)
                raise Unavailable(UNAVAILABLE, self._retry_after_s) from error
            raise
        finally:
            request_context.add_db_time(time.perf_counter() - started)

    async def read(self, work: Work[T]) -> T:
        """`work` that only reads, on a connection where every statement stands alone."""
        return await self._unless_outage(self._backend.read(work))

    async def write(self, work: Work[T]) -> T:
        """`work` in one write transaction: committed when it returns, rolled back if it raises."""
        return await self._unless_outage(self._backend.write(work))

    async def write_single(self, work: Work[T]) -> T:
        """`work` that writes with one statement, which commits alone (no BEGIN, no COMMIT)."""
        return await self._unless_outage(self._backend.write_single(work))

    async def maintain(self, work: Work[T]) -> T:
        """`write` for maintenance that may rightly run long (migrations): no request deadline.

        On PostgreSQL it neither has the requests' client-side deadline nor the server's
        statement timeout (lifted for its transaction); SQLite has neither to lift.
        """
        return await self._unless_outage(self._backend.maintain(work))

    async def ping(self) -> None:
        """Raise Unavailable (never the driver's error) unless the database can take writes.

        Readiness is probed often, so this stays one round trip and writes nothing. On
        SQLite, the writer thread tries a write it rolls back, and checks there is room to
        grow (sqlite/readiness.py). On PostgreSQL, a standby or a read-only primary is not
        ready.
        """
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self._readiness_timeout_s):
                refusal = await self._backend.refusal()
        except Exception as exc:  # any driver, network or timeout error means "not ready"
            self._not_ready(exc)
        finally:
            request_context.add_db_time(time.perf_counter() - started)  # Server-Timing's db
        if refusal is not None:
            log.warning("the database is not ready: %s", refusal)
            raise Unavailable(f"The database is {refusal}.", self._retry_after_s)

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
        await self._backend.dispose()
