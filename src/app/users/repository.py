"""SQL for accounts. Bound to one connection, so it runs inside the caller's transaction."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.errors import Conflict
from app.pagination import PageRequest
from app.users.tables import users


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
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, record: UserRecord) -> None:
        """Insert the account; a taken email (even in a race) is a Conflict, never a 500."""
        try:
            await self._connection.execute(insert(users).values(**_values(record)))
        except IntegrityError as exc:
            raise Conflict("An account with this email already exists.") from exc

    async def get(self, user_id: uuid.UUID) -> UserRecord | None:
        row = (await self._connection.execute(select(users).where(users.c.id == user_id))).first()
        return _record(row) if row else None

    async def get_by_email(self, email: str) -> UserRecord | None:
        query = select(users).where(users.c.email == email.lower())
        row = (await self._connection.execute(query)).first()
        return _record(row) if row else None

    async def update(self, user_id: uuid.UUID, **values: Any) -> UserRecord | None:
        query = update(users).where(users.c.id == user_id).values(**values).returning(users)
        row = (await self._connection.execute(query)).first()
        return _record(row) if row else None

    async def delete(self, user_id: uuid.UUID) -> bool:
        result = await self._connection.execute(delete(users).where(users.c.id == user_id))
        return result.rowcount == 1

    async def page(self, request: PageRequest) -> tuple[list[UserRecord], int]:
        total = (
            await self._connection.execute(select(func.count()).select_from(users))
        ).scalar_one()
        query = (
            select(users)
            .order_by(users.c.created_at, users.c.id)
            .offset(request.offset)
            .limit(request.size)
        )
        rows = (await self._connection.execute(query)).all()
        return [_record(row) for row in rows], total
