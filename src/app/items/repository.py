"""SQL for items: the list, its filters and orders; the rest comes from `OwnedRepository`.

Every method is one statement, so it runs on an autocommit connection. The list's statements
are built once per combination of filters, with bind parameters (see app/owned/repository.py).
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, bindparam, func

from app.db.rows import fetch_page, page_statements
from app.items.money import from_cents
from app.items.tables import items
from app.owned.repository import OwnedRepository, OwnedTable
from app.pagination import PageRequest

Sort = Literal["created_at", "-created_at", "price", "-price"]
ORDER = {
    "created_at": (items.c.created_at.asc(), items.c.id.asc()),
    "-created_at": (items.c.created_at.desc(), items.c.id.desc()),
    "price": (items.c.price_cents.asc(), items.c.id.asc()),
    "-price": (items.c.price_cents.desc(), items.c.id.desc()),
}


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

    @property
    def price(self) -> str:
        """The price as the contract writes it (`app.responses` reads it by this name)."""
        return from_cents(self.price_cents)


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


class ItemRepository(OwnedRepository[ItemRecord]):
    """Items: `OwnedRepository`'s reads and changes, and the list."""

    rows = OwnedTable(items, items.c.owner_id, ItemRecord)

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
        return fetch_page(self._connection, statements, request, parameters, self.rows.to_record)
