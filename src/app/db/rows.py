"""Records (frozen, slotted dataclasses) to and from SQLAlchemy rows, and a page in one statement.

Shared by every repository: a record's fields are its columns, and every list is a page of
rows with the total beside each.
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, Connection, Select, Table, bindparam, func, select

from app.db import prepared
from app.pagination import PageRequest


class Record(Protocol):
    __slots__: tuple[str, ...]


R = TypeVar("R")


def to_record(cls: Callable[..., R], row: Any) -> R:
    """`cls` from the row's leading columns: its table's, in order (a page's rows add `total`).

    By position, not by name: looking each column up by name cost ~2 us a row, more than
    SQLAlchemy took to fetch it (40 us of a page of 20 items). tests/unit/test_records.py
    holds every record's fields to its table's columns, in order.
    """
    return cls(*row[: len(cls.__slots__)])  # type: ignore[attr-defined]


def values_of(record: Record) -> dict[str, Any]:
    """The record's fields by name: the values of an INSERT."""
    return {name: getattr(record, name) for name in record.__slots__}


def page_statements(
    table: Table, conditions: Iterable[ColumnElement[bool]], order_by: Iterable[Any]
) -> tuple[Select[Any], Select[Any]]:
    """The page, with the total beside every row, and the count alone.

    The total is an uncorrelated scalar subquery, which both databases evaluate once, so a
    page is one statement and one round trip. Only a page past the end, which has no rows to
    carry the total, needs the count alone. Offset and limit are bind parameters, so a
    repository builds each combination of filters once.
    """
    conditions = list(conditions)
    count = select(func.count()).select_from(table).where(*conditions)
    page = (
        select(table, count.scalar_subquery().label("total"))
        .where(*conditions)
        .order_by(*order_by)
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )
    return page, count


def fetch_page(
    connection: Connection,
    statements: tuple[Select[Any], Select[Any]],
    request: PageRequest,
    parameters: Mapping[str, Any],
    record: Callable[[Any], R],
) -> tuple[list[R], int]:
    """Run `page_statements` for `request`: the page's records and the total."""
    page, count = statements
    bound = {**parameters, "offset": request.offset, "limit": request.size}
    rows = prepared.rows(connection, page, bound)
    if not rows:  # past the end (or nothing at all): the total needs its own statement
        (total,) = prepared.rows(connection, count, bound)
        return [], total[0]
    return [record(row) for row in rows], rows[0][-1]  # the total is the last column
