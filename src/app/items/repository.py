"""SQL for items. Every method is one statement, so it runs on an autocommit connection."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

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
    return ItemRecord(**row._mapping)


def title_contains(column: Any, text: str) -> ColumnElement[bool]:
    """Case-insensitive substring match; `%`, `_` and the escape character match themselves.

    Both sides go through the database's own lower(), so a text always matches itself: SQLite's
    folds ASCII letters only, and a Python-lowered "CAFÉ" ("café") would miss its "cafÉ".
    """
    escaped = text.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return func.lower(column).like(func.lower(f"%{escaped}%"), escape="/")


class ItemRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, record: ItemRecord) -> None:
        values = {name: getattr(record, name) for name in ItemRecord.__slots__}
        await self._connection.execute(insert(items).values(**values))

    async def get(self, item_id: uuid.UUID) -> ItemRecord | None:
        row = (await self._connection.execute(select(items).where(items.c.id == item_id))).first()
        return _record(row) if row else None

    async def update(
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
        row = (await self._connection.execute(query.returning(items))).first()
        return _record(row) if row else None

    async def delete(self, item_id: uuid.UUID, *, owner_id: uuid.UUID | None) -> bool:
        query = delete(items).where(items.c.id == item_id)
        if owner_id is not None:
            query = query.where(items.c.owner_id == owner_id)
        return (await self._connection.execute(query)).rowcount == 1

    async def page(
        self,
        request: PageRequest,
        *,
        owner_id: uuid.UUID | None = None,
        q: str | None = None,
        sort: Sort = "-created_at",
    ) -> tuple[list[ItemRecord], int]:
        conditions: list[ColumnElement[bool]] = []
        if owner_id is not None:
            conditions.append(items.c.owner_id == owner_id)
        if q is not None:
            conditions.append(title_contains(items.c.title, q))
        count = select(func.count()).select_from(items).where(*conditions)
        total = (await self._connection.execute(count)).scalar_one()
        if total <= request.offset:
            return [], total  # past the end: skip the page query
        query = (
            select(items)
            .where(*conditions)
            .order_by(*ORDER[sort])
            .offset(request.offset)
            .limit(request.size)
        )
        rows = (await self._connection.execute(query)).all()
        return [_record(row) for row in rows], total
