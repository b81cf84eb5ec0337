"""SQL for posts, including who may see a draft and how a slug is kept unique."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, or_, select, true
from sqlalchemy.exc import IntegrityError

from app.db.rows import fetch_page, page_statements
from app.errors import Conflict
from app.items.repository import contains_pattern, title_matches
from app.owned.repository import OwnedRepository, OwnedTable
from app.pagination import PageRequest
from app.posts.tables import posts

# Built once, with bind parameters (see app/owned/repository.py).
GET_BY_SLUG = select(posts).where(posts.c.slug == bindparam("slug"))


@dataclass(frozen=True, slots=True)
class PostRecord:
    id: uuid.UUID
    title: str
    slug: str
    content: str
    excerpt: str | None
    published: bool
    published_at: datetime | None
    author_id: uuid.UUID
    version: int
    created_at: datetime
    updated_at: datetime


def visible_to(viewer_id: Any) -> ColumnElement[bool]:
    """Published posts, and the viewer's own drafts (`viewer_id`: a value, a bind parameter,
    or None for an anonymous caller)."""
    if viewer_id is None:
        return posts.c.published == true()
    return or_(posts.c.published == true(), posts.c.author_id == viewer_id)


@cache
def _page_statements(
    signed_in: bool, by_author: bool, by_title: bool
) -> tuple[Select[Any], Select[Any]]:
    """`page_statements` for one combination of filters, built once (8 combinations)."""
    conditions = [visible_to(bindparam("viewer_id") if signed_in else None)]
    if by_author:
        conditions.append(posts.c.author_id == bindparam("author_id"))
    if by_title:
        conditions.append(title_matches(posts.c.title, bindparam("q")))
    return page_statements(posts, conditions, (posts.c.created_at.desc(), posts.c.id.desc()))


class SlugTaken(Conflict):
    """Another post took the slug between choosing it and inserting (only without a lock)."""


class PostRepository(OwnedRepository[PostRecord]):
    """Posts: `OwnedRepository`'s reads and changes, slugs, publishing and the list."""

    rows = OwnedTable(posts, posts.c.author_id, PostRecord)

    def lock_slug(self, base: str) -> None:
        """Serialise writers of the same base slug (PostgreSQL; SQLite writers are serial)."""
        if self._connection.dialect.name == "postgresql":
            self._connection.execute(
                select(func.pg_advisory_xact_lock(func.hashtext("post-slug:" + base)))
            )

    def taken_slugs(self, base: str) -> set[str]:
        # `base` is [a-z0-9-] only, so it holds no LIKE wildcards.
        query = select(posts.c.slug).where(
            or_(posts.c.slug == base, posts.c.slug.like(f"{base}-%"))
        )
        return set(self._connection.execute(query).scalars())

    def add(self, record: PostRecord) -> None:
        try:
            super().add(record)
        except IntegrityError as exc:
            raise SlugTaken("That slug was just taken; try again.") from exc

    def get_by_slug(self, slug: str) -> PostRecord | None:
        row = self._connection.execute(GET_BY_SLUG, {"slug": slug}).first()
        return self.rows.to_record(row) if row else None

    def values(self, changes: dict[str, Any], now: datetime) -> dict[str, Any]:
        """Publishing stamps `published_at` only once; unpublishing clears it."""
        values = dict(changes)
        if values.get("published") is True:
            values["published_at"] = func.coalesce(posts.c.published_at, now)
        elif values.get("published") is False:
            values["published_at"] = None
        return values

    def page(
        self,
        request: PageRequest,
        *,
        viewer_id: uuid.UUID | None,
        author_id: uuid.UUID | None = None,
        q: str | None = None,
    ) -> tuple[list[PostRecord], int]:
        parameters: dict[str, Any] = {}
        if viewer_id is not None:
            parameters["viewer_id"] = viewer_id
        if author_id is not None:
            parameters["author_id"] = author_id
        if q is not None:
            parameters["q"] = contains_pattern(q)
        statements = _page_statements(viewer_id is not None, author_id is not None, q is not None)
        return fetch_page(self._connection, statements, request, parameters, self.rows.to_record)
