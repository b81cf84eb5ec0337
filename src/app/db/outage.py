"""Which database errors mean "the database cannot serve now" (a 503), and which are bugs (a 500).

`Database` asks `cause(error)` of every error its units of work raise. An outage is an error
that says nothing about the request: the server is unreachable, refusing, timing out, shutting
down, read-only, out of space, or (SQLite) locked past the busy timeout. A constraint
violation (the repositories map it to Conflict) or a programming error (bad SQL, a missing
table) is not one, and stays what it is.

A write sent to `Database.read` by mistake, which SQLite's read-only connection refuses
(`WriteInARead`), is a bug too, though SQLite calls it SQLITE_READONLY.

`cause` describes the outage by exception class and error code only (SQLSTATE, or SQLite's
error name): never the message or the repr, which may carry the statement's parameters.
"""

import sqlite3

from sqlalchemy import exc as sa_exc

# PostgreSQL SQLSTATE classes (first two characters) that are outages, Appendix A:
# 08 connection exception, 53 insufficient resources (disk full, out of memory, too many
# connections), 57P operator intervention (admin/crash shutdown, cannot connect now),
# 58 system error (I/O error).
_PG_CLASSES = ("08", "53", "57P", "58")
_PG_CODES = frozenset(
    {
        "57014",  # query_canceled: statement_timeout fired
        "25006",  # read_only_sql_transaction: a standby, or default_transaction_read_only
        "55P03",  # lock_not_available: lock_timeout fired
    }
)
# SQLite primary result codes that are outages. SQLITE_CORRUPT and SQLITE_NOTADB are not:
# a damaged file will not heal by retrying, and a 500 logs it as the error it is.
_SQLITE_CODES = frozenset(
    {
        sqlite3.SQLITE_BUSY,  # "database is locked": the busy timeout ran out
        sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_READONLY,  # read-only file, directory or mount
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_FULL,  # "database or disk is full", or max_page_count reached
        sqlite3.SQLITE_CANTOPEN,  # the file or its folder is missing or unreadable
        sqlite3.SQLITE_PROTOCOL,
    }
)


class WriteInARead(sa_exc.OperationalError):
    """A connection that may only read refused a write: the unit of work is wrong (a 500)."""

    @classmethod
    def of(cls, refused: sa_exc.DBAPIError) -> "WriteInARead":
        orig = refused.orig if refused.orig is not None else refused
        return cls(refused.statement, refused.params, orig, hide_parameters=True)


def _pg_outage(sqlstate: str) -> bool:
    return sqlstate in _PG_CODES or sqlstate.startswith(_PG_CLASSES)


def _describe(error: BaseException) -> str | None:
    """One link of the chain: its outage description, or None if it says nothing of one."""
    name = type(error).__name__
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        if isinstance(code, int) and code & 0xFF in _SQLITE_CODES:
            return f"{name} {getattr(error, 'sqlite_errorname', code)}"
        return None
    sqlstate = getattr(error, "sqlstate", None)  # asyncpg's errors, and SQLAlchemy's adapters
    if isinstance(sqlstate, str) and sqlstate:
        return f"{name} SQLSTATE {sqlstate}" if _pg_outage(sqlstate) else None
    if isinstance(error, sa_exc.TimeoutError):  # no pooled connection came free in time
        return f"{name} (pool checkout)"
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return f"{name} (connection lost)"
    if isinstance(error, (TimeoutError, OSError)):  # connect or deadline; refused, reset
        return name
    return None


def cause(error: BaseException) -> str | None:
    """Why `error` means the database cannot serve now, or None if it does not.

    Looks at the error, what SQLAlchemy wraps (`orig`) and the chain of causes, so that a
    driver's error means the same whichever layer raised it. An IntegrityError or a
    WriteInARead is never an outage, whatever it wraps.
    """
    if isinstance(error, (sa_exc.IntegrityError, WriteInARead)):
        return None
    seen: set[int] = set()
    todo: list[BaseException] = [error]
    while todo:
        link = todo.pop()
        if id(link) in seen:
            continue
        seen.add(id(link))
        found = _describe(link)
        if found is not None:
            outer = type(error).__name__
            return found if link is error else f"{outer}: {found}"
        orig = getattr(link, "orig", None)
        if isinstance(orig, BaseException):
            todo.append(orig)
        if link.__cause__ is not None:
            todo.append(link.__cause__)
    return None


def read_only(error: BaseException) -> bool:
    """Whether `error` is the database refusing writes (a read-only file, or a standby)."""
    found = cause(error) or ""
    return "SQLITE_READONLY" in found or "SQLSTATE 25006" in found
