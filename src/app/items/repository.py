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
    """The page (with the total beside every row) and a count alone, for one combination of
    filters; built once (16 combinations in all).

    The total is an uncorrelated scalar subquery, which both databases evaluate once, so a
    page is one statement and one round trip. Only a page past the end, which has no rows to
    carry the total, needs the count alone.
    """
    conditions: list[ColumnElement[bool]] = []
    if by_owner:
        conditions.append(items.c.owner_id == bindparam("owner_id"))
    if by_title:
        conditions.append(title_matches(items.c.title, bindparam("q")))
    count = select(func.count()).select_from(items).where(*conditions)
    page = (
        select(items, count.scalar_subquery().label("total"))
        .where(*conditions)
        .order_by(*ORDER[sort])
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )
    return page, count


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


FIELDS = tuple(ItemRecord.__slots__)


def _record(row: Any) -> ItemRecord:
    mapping = row._mapping  # a page's rows also carry `total`
    return ItemRecord(*(mapping[name] for name in FIELDS))


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
        values = {name: getattr(record, name) for name in FIELDS}
        self._connection.execute(INSERT, values)

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
        page, count = _page_statements(sort, owner_id is not None, q is not None)
        parameters: dict[str, Any] = {"offset": request.offset, "limit": request.size}
        if owner_id is not None:
            parameters["owner_id"] = owner_id
        if q is not None:
            parameters["q"] = contains_pattern(q)
        rows = self._connection.execute(page, parameters).all()
        if not rows:  # past the end (or nothing at all): the total needs its own statement
            return [], self._connection.execute(count, parameters).scalar_one()
        return [_record(row) for row in rows], rows[0].total
