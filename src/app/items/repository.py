"""SQL for items. Every method is one statement, so it runs on an autocommit connection.

The statements the hot paths run are built once, with bind parameters: building a Core
statement per request costs more than executing it (~80 us measured on GET item, issue 6).
SQLAlchemy then finds the compiled form in its cache by the statement's memoized key."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)

from app.db.rows import fetch_page, page_statements, to_record, values_of
from app.etags import Precondition
from app.items.tables import items
from app.pagination import PageRequest

Sort = Literal["created_at", "-created_at", "price", "-price"]
ORDER = {
    "created_at": (items.c.created_at.asc(), items.c.id.asc()),
    "-created_at": (items.c.created_at.desc(), items.c.id.desc()),
    "price": (items.c.price_cents.asc(), items.c.id.asc()),
    "-price": (items.c.price_cents.desc(), items.c.id.desc()),
}


GET = select(items).where(items.c.id == bindparam("item_id"))
INSERT = insert(items)  # the values come as parameters


@cache
def _page_statements(sort: Sort, by_owner: bool, by_title: bool) -> tuple[Select[Any], Select[Any]]:
    """`page_statements` for one combination of filters, built once (16 combinations)."""
    conditions: list[ColumnElement[bool]] = []
    if by_owner:
        conditions.append(items.c.owner_id == bindparam("owner_id"))
    if by_title:
        conditions.append(title_matches(items.c.title, bindparam("q")))
    return page_statements(items, conditions, ORDER[sort])


@dataclass(frozen=True, slots=True)
class ItemRecord:
    id: uuid.UUID
    title: str
    description: str | None
    price_cents: int
    owner_id: uuid.UUID
    version: int
    created_at: datetime
    updated_at: datetime


def _record(row: Any) -> ItemRecord:
    return to_record(ItemRecord, row)


def contains_pattern(text: str) -> str:
    """A LIKE pattern for "contains `text`" in which `%`, `_` and `/` match themselves."""
    escaped = text.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


def title_matches(column: Any, pattern: Any) -> ColumnElement[bool]:
    """Case-insensitive LIKE against a `contains_pattern` (a value or a bind parameter).

    Both sides go through the database's own lower(), so a text always matches itself: SQLite's
    folds ASCII letters only, and a Python-lowered "CAFÉ" ("café") would miss its "cafÉ".
    """
    return func.lower(column).like(func.lower(pattern), escape="/")


class ItemRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, record: ItemRecord) -> None:
        self._connection.execute(INSERT, values_of(record))

    def get(self, item_id: uuid.UUID) -> ItemRecord | None:
        row = self._connection.execute(GET, {"item_id": item_id}).first()
        return _record(row) if row else None

    def update(
        self,
        item_id: uuid.UUID,
        *,
        owner_id: uuid.UUID | None,
        precondition: Precondition | None,
        changes: dict[str, Any],
        now: datetime,
    ) -> ItemRecord | None:
        """Apply `changes` if the item exists, belongs to `owner_id` (None: anyone's) and
        matches `precondition`, in one atomic statement; None if any of that fails."""
        query = update(items).where(items.c.id == item_id)
        if owner_id is not None:
            query = query.where(items.c.owner_id == owner_id)
        if precondition is not None and not precondition.any_version:
            query = query.where(items.c.version.in_(precondition.versions))
        query = query.values(**changes, version=items.c.version + 1, updated_at=now)
        row = self._connection.execute(query.returning(items)).first()
        return _record(row) if row else None

    def delete(self, item_id: uuid.UUID, *, owner_id: uuid.UUID | None) -> bool:
        query = delete(items).where(items.c.id == item_id)
        if owner_id is not None:
            query = query.where(items.c.owner_id == owner_id)
        return self._connection.execute(query).rowcount == 1

    def page(
        self,
        request: PageRequest,
        *,
        owner_id: uuid.UUID | None = None,
        q: str | None = None,
        sort: Sort = "-created_at",
    ) -> tuple[list[ItemRecord], int]:
        parameters: dict[str, Any] = {}
        if owner_id is not None:
            parameters["owner_id"] = owner_id
        if q is not None:
            parameters["q"] = contains_pattern(q)
        statements = _page_statements(sort, owner_id is not None, q is not None)
        return fetch_page(self._connection, statements, request, parameters, _record)
