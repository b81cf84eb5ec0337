"""SQL for accounts. Bound to one connection, so it runs inside the caller's transaction."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.errors import Conflict
from app.pagination import PageRequest
from app.users.tables import users

# Built once: every authenticated request runs it (see items/repository.py).
GET = select(users).where(users.c.id == bindparam("user_id"))


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: uuid.UUID
    email: str
    hashed_password: str
    full_name: str | None
    bio: str | None
    is_active: bool
    is_superuser: bool
    created_at: datetime
    updated_at: datetime


def _record(row: Any) -> UserRecord:
    return UserRecord(**row._mapping)


def _values(record: UserRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in UserRecord.__slots__}


class UserRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, record: UserRecord) -> None:
        """Insert the account; a taken email (even in a race) is a Conflict, never a 500."""
        try:
            self._connection.execute(insert(users).values(**_values(record)))
        except IntegrityError as exc:
            raise Conflict("An account with this email already exists.") from exc

    def get(self, user_id: uuid.UUID) -> UserRecord | None:
        row = self._connection.execute(GET, {"user_id": user_id}).first()
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
        total = (self._connection.execute(select(func.count()).select_from(users))).scalar_one()
        query = (
            select(users)
            .order_by(users.c.created_at, users.c.id)
            .offset(request.offset)
            .limit(request.size)
        )
        rows = self._connection.execute(query).all()
        return [_record(row) for row in rows], total
