"""SQL for accounts. Bound to one connection, so it runs inside the caller's transaction."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.db import prepared
from app.db.rows import fetch_page, page_statements, to_record, values_of
from app.errors import Conflict
from app.pagination import PageRequest
from app.users.tables import users

# Built once: every authenticated request runs it (see items/repository.py).
GET = select(users).where(users.c.id == bindparam("user_id"))
# PostgreSQL: FOR SHARE (SQLite has no row locks and needs none: one writer at a time).
GET_SHARED = GET.with_for_update(read=True)
PAGE = page_statements(users, (), (users.c.created_at, users.c.id))


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: uuid.UUID
    email: str
    hashed_password: str
    full_name: str | None
    bio: str | None
    is_active: bool
    is_superuser: bool
    is_verified: bool
    created_at: datetime
    updated_at: datetime


def _record(row: Any) -> UserRecord:
    return to_record(UserRecord, row)


class UserRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, record: UserRecord) -> None:
        """Insert the account; a taken email (even in a race) is a Conflict, never a 500."""
        try:
            self._connection.execute(insert(users).values(**values_of(record)))
        except IntegrityError as exc:
            raise Conflict("An account with this email already exists.") from exc

    def get(self, user_id: uuid.UUID, *, lock: bool = False) -> UserRecord | None:
        """The account; `lock` holds it until the transaction ends, for issuing tokens.

        A change that ends sessions (deactivation, demotion, a new password) updates the row
        and then revokes the account's tokens. Issuing under the lock, either that change
        waits and then revokes what was issued, or the issuer waits and sees the change.
        """
        row = prepared.first(self._connection, GET_SHARED if lock else GET, {"user_id": user_id})
        return _record(row) if row else None

    def get_by_email(self, email: str) -> UserRecord | None:
        query = select(users).where(users.c.email == email.lower())
        row = self._connection.execute(query).first()
        return _record(row) if row else None

    def update(self, user_id: uuid.UUID, **values: Any) -> UserRecord | None:
        query = update(users).where(users.c.id == user_id).values(**values).returning(users)
        row = self._connection.execute(query).first()
        return _record(row) if row else None

    def delete(self, user_id: uuid.UUID) -> bool:
        result = self._connection.execute(delete(users).where(users.c.id == user_id))
        return result.rowcount == 1

    def page(self, request: PageRequest) -> tuple[list[UserRecord], int]:
        return fetch_page(self._connection, PAGE, request, {}, _record)
