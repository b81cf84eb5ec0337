"""Statements built and compiled once, run straight through the driver's cursor.

A repository's reads (and the INSERT of an owned row) are statements built once with bind
parameters. SQLAlchemy's execution of one (the cache lookup of its compiled form, an execution
context, a cursor result, its row objects) cost ~30 us of a GET item's ~150 us in-process on
SQLite, where the sqlite3 call itself is ~3 us (`nox -s request_cost`, README "Performance").
`rows` keeps what SQLAlchemy gives, the SQL it compiled for the dialect and the conversions
of its public type API (`dialect_impl(...).bind_processor`, `.result_processor`: ids,
timestamps), and runs that on the connection's DBAPI cursor itself: sqlite3's, or on
PostgreSQL SQLAlchemy's asyncpg adapter, inside the unit of work's greenlet, which prepares
each statement once per connection.

What SQLAlchemy's execution would also have done is done here: a driver error is wrapped as
SQLAlchemy wraps it (`DBAPIError.instance`, parameters hidden), so callers see the same
`OperationalError` with the same `.orig` and `.statement`; an error the dialect calls a
disconnect, or an interruption mid-statement (the request's deadline cancelling it), invalidates
the connection, so that the pool never hands it out again. A statement whose SQL SQLAlchemy
would still rewrite at execution (an expanding IN, a literal rendered late) is left to
`Connection.execute`.

On a PostgreSQL connection where every statement stands alone (the autocommit pool, marked
with the execution option `STANDALONE`), a plan skips SQLAlchemy's asyncpg adapter too and
awaits asyncpg's own `fetch` (through `await_only`, SQLAlchemy's documented bridge for awaiting
the driver inside a greenlet): the adapter's cursor, its lock, its statement cache and its
description cost ~34 us of CPU a read (104 us against 70 us, a loop of `ItemRepository.get`,
README "Performance"). asyncpg prepares each statement once per connection itself, and again
if a migration changed the table. A driver error there is wrapped as a `DBAPIError` whose
`orig` is asyncpg's error (its SQLSTATE is what `app.db.outage` reads), or an `IntegrityError`
for a constraint's refusal; one that closed the connection invalidates it. A connection in a
transaction keeps to the adapter, which begins it. `single` lets a unit of work on such a
connection run one statement only (`Database.write_single`, where it commits alone).

Not seen by SQLAlchemy's `before_cursor_execute` events: tests/api/test_round_trips.py counts
these statements where they reach the driver.
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

import asyncpg
from sqlalchemy import Connection, Dialect, Insert, Select
from sqlalchemy import exc as sa_exc
from sqlalchemy.util import await_only

Processor = Callable[[Any], Any] | None
# A statement built once: a SELECT, or an INSERT of every column (`insert(table)`).
Statement = Select[Any] | Insert
# The execution option that marks an engine whose connections never hold a transaction.
STANDALONE = "app_standalone_statements"
# Set in `Connection.info` while a unit of work may run one statement only (`single`).
SINGLE = "app_single_statement"


class SecondStatement(RuntimeError):
    """A unit of work given one statement (`Database.write_single`) tried a second: a bug."""


@dataclass(frozen=True, slots=True)
class Plan:
    """A statement as the driver runs it: its SQL, its parameters in order, the conversions."""

    sql: str
    names: tuple[str, ...]
    binds: tuple[Processor, ...]
    # (column index, conversion) for the result columns that have one: ids and timestamps.
    conversions: tuple[tuple[int, Callable[[Any], Any]], ...]
    base_error: type[Exception]
    asyncpg: bool  # the dialect's driver is asyncpg (SQLAlchemy's adapter around it)

    def run(self, connection: Connection, parameters: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        values = tuple(
            value if bind is None else bind(value)
            for bind, value in zip(
                self.binds, [parameters[name] for name in self.names], strict=True
            )
        )
        if self.asyncpg and connection.get_execution_options().get(STANDALONE, False):
            info = connection.info
            if SINGLE in info:
                if info[SINGLE]:
                    raise SecondStatement("a unit of work of one statement tried a second")
                info[SINGLE] = True
            fetched = self._on_asyncpg(connection, values)
        else:
            fetched = self._on_cursor(connection, values)
        conversions = self.conversions
        if not conversions:
            return [tuple(row) for row in fetched]
        converted = []
        for row in fetched:  # only the columns that need it: half of a page's 20 x 9 values
            row_values = list(row)
            for index, convert in conversions:
                row_values[index] = convert(row_values[index])
            converted.append(tuple(row_values))
        return converted

    def _on_cursor(
        self, connection: Connection, values: tuple[Any, ...]
    ) -> Sequence[Sequence[Any]]:
        if not connection.in_transaction():
            # What SQLAlchemy's own execution does first (autobegin): its commit or rollback
            # then ends the transaction the driver may begin (asyncpg's adapter does).
            connection.begin()
        dbapi_connection: Any = connection.connection.dbapi_connection
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(self.sql, values)
            fetched: Sequence[Sequence[Any]] = cursor.fetchall()
        except self.base_error as error:
            dialect = connection.dialect
            # `error` is the dialect's DBAPI error (`base_error` is `loaded_dbapi.Error`).
            disconnect = dialect.is_disconnect(cast(Any, error), dbapi_connection, cursor)
            wrapped = sa_exc.DBAPIError.instance(
                self.sql,
                values,
                error,
                self.base_error,
                hide_parameters=True,
                connection_invalidated=disconnect,
                dialect=dialect,
            )
            if disconnect:
                connection.invalidate(wrapped)
            raise wrapped from error
        except BaseException as interrupted:
            if not isinstance(interrupted, Exception):  # cancelled or stopped mid-statement
                connection.invalidate()
            raise
        finally:
            cursor.close()
        return fetched

    def _on_asyncpg(self, connection: Connection, values: tuple[Any, ...]) -> Sequence[Any]:
        driver: Any = connection.connection.driver_connection  # an asyncpg.Connection
        try:
            rows: Sequence[Any] = await_only(driver.fetch(self.sql, *values))
        except Exception as error:  # asyncpg's own: the server's (with a SQLSTATE) or its own
            lost = bool(driver.is_closed())
            # A constraint's refusal is what the repositories catch (a slug taken: a 409).
            kind = (
                sa_exc.IntegrityError
                if isinstance(error, asyncpg.IntegrityConstraintViolationError)
                else sa_exc.DBAPIError
            )
            wrapped = kind(
                self.sql, values, error, hide_parameters=True, connection_invalidated=lost
            )
            if lost:
                connection.invalidate(wrapped)
            raise wrapped from error
        except BaseException:  # cancelled or stopped mid-statement
            connection.invalidate()
            raise
        return rows


# (statement, dialect name, driver) -> its plan; None: run it through SQLAlchemy. The statements
# are the repositories' own, built once, so this holds a few dozen entries at most.
_plans: dict[tuple[Statement, str, str], Plan | None] = {}


def plan(statement: Statement, dialect: Dialect) -> Plan | None:
    key = (statement, dialect.name, dialect.driver)
    if key not in _plans:
        _plans[key] = _compile(statement, dialect)
    return _plans[key]


def _compile(statement: Statement, dialect: Dialect) -> Plan | None:
    compiled = statement.compile(dialect=dialect)
    names = tuple(compiled.positiontup or ())
    binds = [compiled.binds[name] for name in names]
    if "POSTCOMPILE" in compiled.string or any(b.expanding or b.value is not None for b in binds):
        return None  # rewritten per execution, or holding values: SQLAlchemy's job
    return Plan(
        sql=compiled.string,
        names=names,
        binds=tuple(b.type.dialect_impl(dialect).bind_processor(dialect) for b in binds),
        conversions=tuple(
            (index, convert)
            for index, convert in enumerate(
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in (statement.selected_columns if isinstance(statement, Select) else ())
            )
            if convert is not None
        ),
        base_error=dialect.loaded_dbapi.Error,
        asyncpg=dialect.driver == "asyncpg",
    )


def rows(
    connection: Connection, statement: Statement, parameters: Mapping[str, Any]
) -> Sequence[Sequence[Any]]:
    """The rows `statement` selects with `parameters` (every one of its bind parameters); none
    for an INSERT."""
    found = plan(statement, connection.dialect)
    if found is None:
        return connection.execute(statement, dict(parameters)).all()
    return found.run(connection, parameters)


@contextmanager
def single(connection: Connection) -> Iterator[None]:
    """Let units of work on `connection` run one prepared statement: a second raises
    `SecondStatement` before it runs (`Database.write_single`, where each commits alone).

    Only plans are counted (SQLAlchemy's execution runs no code of ours): a statement run
    through `Connection.execute` begins SQLAlchemy's transaction, which is refused after.
    """
    info = connection.info
    info[SINGLE] = False
    try:
        yield
        if connection.in_transaction():
            raise SecondStatement("a unit of work of one statement ran one through SQLAlchemy")
    finally:
        info.pop(SINGLE, None)


def first(
    connection: Connection, statement: Select[Any], parameters: Mapping[str, Any]
) -> Sequence[Any] | None:
    """The first row `statement` selects, or None."""
    selected = rows(connection, statement, parameters)
    return selected[0] if selected else None
