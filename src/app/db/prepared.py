"""SELECTs built and compiled once, run on SQLite straight through the driver's cursor.

A repository's reads are statements built once with bind parameters. SQLAlchemy's execution of
one (the cache lookup of its compiled form, an execution context, a cursor result, its row
objects) cost ~30 us of a GET item's ~150 us in-process, where the sqlite3 call itself is
~3 us (`nox -s request_cost`, README "Performance"). On SQLite, where a statement is a
function call and not a round trip, `rows` keeps what SQLAlchemy gives, the SQL it compiled for
the dialect and the conversions of its public type API (`dialect_impl(...).bind_processor`,
`.result_processor`: ids, timestamps), and runs that on the connection's DBAPI cursor itself.
A driver error is wrapped as SQLAlchemy wraps it (`DBAPIError.instance`, parameters hidden), so
callers see the same `OperationalError` with the same `.orig` and `.statement`.

On PostgreSQL, or for a statement whose SQL SQLAlchemy would still rewrite at execution (an
expanding IN, a literal rendered late), `rows` is plain `Connection.execute`: there a
connection's errors must also reach SQLAlchemy's pool, which invalidates a broken one.

Not seen by SQLAlchemy's `before_cursor_execute` events: tests/api/test_round_trips.py counts
these statements at the sqlite3 connection.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect, Select
from sqlalchemy import exc as sa_exc

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class Plan:
    """A statement as the driver runs it: its SQL, its parameters in order, the conversions."""

    sql: str
    names: tuple[str, ...]
    binds: tuple[Processor, ...]
    results: tuple[Processor, ...]
    base_error: type[Exception]

    def run(self, dbapi_connection: Any, parameters: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        values = tuple(
            value if bind is None else bind(value)
            for bind, value in zip(
                self.binds, [parameters[name] for name in self.names], strict=True
            )
        )
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(self.sql, values)
            fetched: Sequence[Sequence[Any]] = cursor.fetchall()
        except self.base_error as error:
            raise sa_exc.DBAPIError.instance(
                self.sql, values, error, self.base_error, hide_parameters=True
            ) from error
        finally:
            cursor.close()
        results = self.results
        if not any(results):
            return [tuple(row) for row in fetched]
        return [
            tuple(
                value if result is None else result(value)
                for result, value in zip(results, row, strict=True)
            )
            for row in fetched
        ]


# (statement, dialect name) -> its plan; None: run it through SQLAlchemy. The statements are
# the repositories' own, built once, so this holds a few dozen entries at most.
_plans: dict[tuple[Select[Any], str], Plan | None] = {}


def plan(statement: Select[Any], dialect: Dialect) -> Plan | None:
    key = (statement, dialect.name)
    if key not in _plans:
        _plans[key] = _compile(statement, dialect)
    return _plans[key]


def _compile(statement: Select[Any], dialect: Dialect) -> Plan | None:
    if dialect.name != "sqlite":
        return None
    compiled = statement.compile(dialect=dialect)
    names = tuple(compiled.positiontup or ())
    binds = [compiled.binds[name] for name in names]
    if "POSTCOMPILE" in compiled.string or any(b.expanding or b.value is not None for b in binds):
        return None  # rewritten per execution, or holding values: SQLAlchemy's job
    return Plan(
        sql=compiled.string,
        names=names,
        binds=tuple(b.type.dialect_impl(dialect).bind_processor(dialect) for b in binds),
        results=tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in statement.selected_columns
        ),
        base_error=dialect.loaded_dbapi.Error,
    )


def rows(
    connection: Connection, statement: Select[Any], parameters: Mapping[str, Any]
) -> Sequence[Sequence[Any]]:
    """The rows `statement` selects with `parameters` (every one of its bind parameters)."""
    found = plan(statement, connection.dialect)
    if found is None:
        return connection.execute(statement, dict(parameters)).all()
    return found.run(connection.connection.dbapi_connection, parameters)


def first(
    connection: Connection, statement: Select[Any], parameters: Mapping[str, Any]
) -> Sequence[Any] | None:
    """The first row `statement` selects, or None."""
    selected = rows(connection, statement, parameters)
    return selected[0] if selected else None
